/* nfsd/log.c — see log.h. */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int strata_log_level = LOG_INFO;

/* -1: not decided yet; 0: a plain stream; 1: the journal's stream. */
static atomic_int log_journal = -1;

#define MSG_MAX 1024   /* the formatted message, NUL included */
#define KV_MAX 256     /* extra fields, at most this many bytes */
/* Head (under 32 + 12 + KV_MAX + 7 bytes) + the message escaped (4 bytes
 * per byte at worst) + the closing quote, newline and NUL. */
#define LINE_MAX_BYTES (KV_MAX + 64 + 4 * MSG_MAX)

int strata_log_detect(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	int end = 0, j = 0;

	if (v && sscanf(v, "%llu:%llu%n", &dev, &ino, &end) == 2 && !v[end] &&
	    fstat(STDERR_FILENO, &st) == 0 &&
	    (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino)
		j = 1;
	atomic_store(&log_journal, j);
	return j;
}

/* Write S into OUT (ROOM bytes, no NUL) as the inside of a logfmt quoted
 * value; stops before an escape that would not fit. Returns bytes used. */
static size_t put_escaped(char *out, size_t room, const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char e[8];
		size_t k = 2;

		e[0] = '\\';
		if (c == '"' || c == '\\')
			e[1] = (char)c;
		else if (c == '\n')
			e[1] = 'n';
		else if (c == '\r')
			e[1] = 'r';
		else if (c == '\t')
			e[1] = 't';
		else if (c < 0x20 || c == 0x7f)
			k = (size_t)snprintf(e, sizeof(e), "\\x%02x", c);
		else {
			e[0] = (char)c;
			k = 1;
		}
		if (n + k > room)
			break;
		memcpy(out + n, e, k);
		n += k;
	}
	return n;
}

static void vlog(int level, const char *kv, const char *fmt, va_list ap)
{
	static const char *const names[] = { "err", "warn", "info", "debug" };
	static const int prio[] = { 3, 4, 6, 7 };
	char msg[MSG_MAX], line[LINE_MAX_BYTES], stamp[32];
	int journal = atomic_load(&log_journal);
	size_t n;

	if (journal < 0)
		journal = strata_log_detect();
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (journal) {
		snprintf(stamp, sizeof(stamp), "<%d>", prio[level & 3]);
	} else {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(stamp, sizeof(stamp), "%lld.%03ld ",
			 (long long)ts.tv_sec, ts.tv_nsec / 1000000);
	}
	n = (size_t)snprintf(line, sizeof(line), "%slevel=%s%s%.*s msg=\"",
			     stamp, names[level & 3], kv ? " " : "", KV_MAX,
			     kv ? kv : "");
	/* Room is left for the closing quote, the newline and the NUL. */
	n += put_escaped(line + n, sizeof(line) - n - 3, msg);
	line[n++] = '"';
	line[n++] = '\n';
	fwrite(line, 1, n, stderr);
}

void strata_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > strata_log_level)
		return;
	va_start(ap, fmt);
	vlog(level, NULL, fmt, ap);
	va_end(ap);
}

void strata_logkv(int level, const char *kv, const char *fmt, ...)
{
	va_list ap;

	if (level > strata_log_level)
		return;
	va_start(ap, fmt);
	vlog(level, kv, fmt, ap);
	va_end(ap);
}
