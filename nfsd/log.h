/*
 * nfsd/log.h — leveled logging to stderr, one line per call.
 *
 * The level is process-wide configuration set once at start-up
 * (strata_log_level, declared here, not hidden). Logging itself is
 * thread-safe: each line is built whole, then written with one fwrite.
 *
 * Line format (docs/operations.md "Logs", docs/decisions/0021):
 *
 *   stderr is the journal's stream:  <6>level=info msg="..."
 *   otherwise:                       1712345678.123 level=info msg="..."
 *
 * "<N>" is the syslog priority (3 err, 4 warn, 6 info, 7 debug), which
 * journald turns into PRIORITY= and strips; journald stamps the time
 * itself. Elsewhere the line starts with the wall-clock time, seconds
 * and milliseconds since the epoch. The rest is logfmt: level=, then the
 * caller's extra fields if any (strata_logkv), then msg="..." with '"',
 * '\' and control bytes escaped (\" \\ \n \r \t, others \xHH); bytes
 * >= 0x80 pass as they are. A message is cut at 1023 bytes, never inside
 * an escape.
 *
 * stderr is the journal's stream when the environment variable
 * JOURNAL_STREAM ("DEVICE:INODE", set by systemd) names the device and
 * inode of file descriptor 2. This is decided at the first log line, or
 * again whenever strata_log_detect() is called (after fd 2 is replaced).
 */
#ifndef STRATA_NFSD_LOG_H
#define STRATA_NFSD_LOG_H

enum log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

extern int strata_log_level;

/* Log at LEVEL if LEVEL <= strata_log_level. */
void strata_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Same, with extra logfmt fields KV ("key=value key2=value2", or NULL)
 * placed verbatim between level= and msg=. KV is the caller's constant
 * text: keys and values without spaces, quotes or control bytes. */
void strata_logkv(int level, const char *kv, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Look at JOURNAL_STREAM and fd 2 again; returns 1 if lines now take
 * the journal's form, else 0. Not to be called while other threads log. */
int strata_log_detect(void);

#define log_err(...) strata_log(LOG_ERR, __VA_ARGS__)
#define log_warn(...) strata_log(LOG_WARN, __VA_ARGS__)
#define log_info(...) strata_log(LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                                         \
	do {                                                                   \
		if (strata_log_level >= LOG_DEBUG)                             \
			strata_log(LOG_DEBUG, __VA_ARGS__);                    \
	} while (0)

#endif
