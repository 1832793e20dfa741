/*
 * nfsd/log.h — leveled logging to stderr. The level is process-wide
 * configuration set once at start-up (strata_log_level, declared here, not
 * hidden); logging itself is thread-safe (one fprintf per line).
 */
#ifndef STRATA_NFSD_LOG_H
#define STRATA_NFSD_LOG_H

enum log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

extern int strata_log_level;

void strata_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...) strata_log(LOG_ERR, __VA_ARGS__)
#define log_warn(...) strata_log(LOG_WARN, __VA_ARGS__)
#define log_info(...) strata_log(LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                                         \
	do {                                                                   \
		if (strata_log_level >= LOG_DEBUG)                             \
			strata_log(LOG_DEBUG, __VA_ARGS__);                    \
	} while (0)

#endif
