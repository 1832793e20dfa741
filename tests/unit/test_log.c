/* tests/unit/test_log.c — nfsd/log.c: the line format on stderr (level
 * field, logfmt escaping of the message, extra fields, the cut of a long
 * message) and the journal's form ("<N>" priority, no time) exactly when
 * JOURNAL_STREAM names file descriptor 2. stderr is redirected to a
 * temporary file around each group of log calls, then read back. */
#include <regex.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "log.h"

static char cap_path[64];
static int cap_saved = -1;
static char cap_buf[32768];

/* From here until capture_end(), fd 2 is a fresh temporary file. */
static void capture_start(void)
{
	int fd;

	snprintf(cap_path, sizeof(cap_path), "/tmp/strata-test-log.XXXXXX");
	fd = mkstemp(cap_path);
	assert_true(fd >= 0);
	fflush(stderr);
	cap_saved = dup(STDERR_FILENO);
	assert_true(cap_saved >= 0);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
}

/* The real stderr back (so that cmocka's messages are seen); returns what
 * was written to the temporary file, NUL-terminated. */
static const char *capture_end(void)
{
	FILE *f;
	size_t n;

	fflush(stderr);
	assert_int_equal(dup2(cap_saved, STDERR_FILENO), STDERR_FILENO);
	close(cap_saved);
	f = fopen(cap_path, "r");
	assert_non_null(f);
	n = fread(cap_buf, 1, sizeof(cap_buf) - 1, f);
	cap_buf[n] = 0;
	fclose(f);
	unlink(cap_path);
	return cap_buf;
}

static void assert_matches(const char *text, const char *pattern)
{
	regex_t re;
	int rc;

	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	rc = regexec(&re, text, 0, NULL, 0);
	regfree(&re);
	if (rc != 0)
		fail_msg("'%s' does not match /%s/", text, pattern);
}

/* JOURNAL_STREAM naming fd 2 (INO_DELTA 0) or another inode. */
static void set_journal_stream(unsigned long long ino_delta)
{
	struct stat st;
	char v[64];

	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino + ino_delta);
	assert_int_equal(setenv("JOURNAL_STREAM", v, 1), 0);
}

static int setup(void **state)
{
	unsetenv("JOURNAL_STREAM");
	strata_log_detect();
	strata_log_level = LOG_DEBUG;
	return 0;
}

static void test_plain_levels(void **state)
{
	const char *out;
	long long t0 = (long long)time(NULL), t;

	capture_start();
	assert_int_equal(strata_log_detect(), 0);
	log_err("e %d", 1);
	log_warn("w %s", "two");
	log_info("i");
	log_debug("d");
	out = capture_end();
	assert_matches(out, "^[0-9]+\\.[0-9]{3} level=err msg=\"e 1\"\n"
			    "[0-9]+\\.[0-9]{3} level=warn msg=\"w two\"\n"
			    "[0-9]+\\.[0-9]{3} level=info msg=\"i\"\n"
			    "[0-9]+\\.[0-9]{3} level=debug msg=\"d\"\n$");
	t = strtoll(out, NULL, 10);
	assert_true(t >= t0 && t <= (long long)time(NULL));

	/* Lines above strata_log_level are not written. */
	strata_log_level = LOG_WARN;
	capture_start();
	log_info("not shown");
	log_debug("not shown");
	log_warn("shown");
	out = capture_end();
	assert_null(strstr(out, "not shown"));
	assert_matches(out, "^[0-9.]+ level=warn msg=\"shown\"\n$");
}

static void test_escaping(void **state)
{
	const char *out, *m;

	capture_start();
	log_info("say \"hi\" to C:\\dir\nnext\tcol\r%c%c caf\xc3\xa9 end", 1,
		 0x7f);
	out = capture_end();
	m = strstr(out, " msg=\"");
	assert_non_null(m);
	assert_string_equal(m, " msg=\"say \\\"hi\\\" to C:\\\\dir\\nnext\\tcol"
			       "\\r\\x01\\x7f caf\xc3\xa9 end\"\n");
	/* One line: the only newline is the last byte. */
	assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
}

static void test_journal_prefix(void **state)
{
	const char *out;

	capture_start();
	set_journal_stream(0);
	assert_int_equal(strata_log_detect(), 1);
	log_err("e");
	log_warn("w \"q\"");
	log_info("i");
	log_debug("d");
	out = capture_end();
	assert_string_equal(out, "<3>level=err msg=\"e\"\n"
				 "<4>level=warn msg=\"w \\\"q\\\"\"\n"
				 "<6>level=info msg=\"i\"\n"
				 "<7>level=debug msg=\"d\"\n");
}

static void test_journal_mismatch(void **state)
{
	static const char *const bad[] = { "", "x:y", "12", "1:2:3", "1:2 " };
	const char *out;
	struct stat st;
	char v[64];

	capture_start();
	/* Another inode: stderr is not the journal's stream (a child of
	 * a service whose stderr was redirected, say). */
	set_journal_stream(1);
	assert_int_equal(strata_log_detect(), 0);
	log_warn("plain");
	/* Malformed values, and a match with another device. */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("JOURNAL_STREAM", bad[i], 1);
		assert_int_equal(strata_log_detect(), 0);
	}
	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev + 1,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", v, 1);
	assert_int_equal(strata_log_detect(), 0);
	out = capture_end();
	assert_matches(out, "^[0-9]+\\.[0-9]{3} level=warn msg=\"plain\"\n$");
}

/* A server never calls strata_log_detect(): its first line decides. Run
 * this program again (a fresh process, nothing logged yet) with stderr on
 * the capture file and JOURNAL_STREAM naming it; it logs one line. */
static void test_first_line_detects(void **state)
{
	const char *out;
	pid_t pid;
	int status;

	capture_start();
	set_journal_stream(0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", "test_log", "--child", (char *)NULL);
		_exit(127);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	out = capture_end();
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_string_equal(out, "<4>level=warn msg=\"child\"\n");
}

static void test_extra_fields(void **state)
{
	const char *out;

	capture_start();
	set_journal_stream(0);
	assert_int_equal(strata_log_detect(), 1);
	strata_logkv(LOG_WARN, "ds=2 state=down", "data server %d down", 2);
	strata_logkv(LOG_INFO, NULL, "no fields");
	out = capture_end();
	assert_string_equal(out,
			    "<4>level=warn ds=2 state=down msg=\"data server 2 down\"\n"
			    "<6>level=info msg=\"no fields\"\n");
}

/* A message longer than 1023 bytes is cut there; each byte that needs an
 * escape still gets all of it, and the line is still closed. */
static void test_long_message(void **state)
{
	static char big[3000];
	const char *out, *m;
	size_t n;

	memset(big, '"', sizeof(big) - 1);
	capture_start();
	set_journal_stream(0);
	strata_log_detect();
	log_info("%s", big);
	out = capture_end();
	assert_true(strncmp(out, "<6>level=info msg=\"", 19) == 0);
	m = out + 19;
	n = strlen(m);
	assert_int_equal(n, 2 * 1023 + 2);
	for (size_t i = 0; i < 2 * 1023; i += 2)
		assert_true(m[i] == '\\' && m[i + 1] == '"');
	assert_string_equal(m + 2 * 1023, "\"\n");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_plain_levels, setup),
		cmocka_unit_test_setup(test_escaping, setup),
		cmocka_unit_test_setup(test_journal_prefix, setup),
		cmocka_unit_test_setup(test_journal_mismatch, setup),
		cmocka_unit_test_setup(test_first_line_detects, setup),
		cmocka_unit_test_setup(test_extra_fields, setup),
		cmocka_unit_test_setup(test_long_message, setup),
	};

	if (argc == 2 && !strcmp(argv[1], "--child")) {
		log_warn("child");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
