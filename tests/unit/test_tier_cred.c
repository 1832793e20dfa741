/*
 * tests/unit/test_tier_cred.c -- tiering/tier_cred.h: the S3 credentials
 * file (access key on line 1, secret on line 2), and that no error
 * message or log line of the s3 backend ever holds the secret.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <errno.h>

#include <cmocka.h>

#include "tier_backend.h"
#include "tier_test_log.h"
#include "tier_cred.h"

#define SECRET "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"

static char dir[] = "/tmp/strata-tier-cred-XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_cred_good(void **state)
{
	struct tier_cred c;
	char err[256] = "";

	(void)state;
	assert_int_equal(tier_cred_load(write_file("good", "AKID\n" SECRET "\n"),
					&c, err, sizeof(err)),
			 0);
	assert_string_equal(c.access, "AKID");
	assert_string_equal(c.secret, SECRET);
	/* no final newline; a key with ':' (Swift's account:user) */
	assert_int_equal(tier_cred_load(write_file("nonl", "test:tester\ntesting"),
					&c, err, sizeof(err)),
			 0);
	assert_string_equal(c.access, "test:tester");
	assert_string_equal(c.secret, "testing");
	tier_cred_wipe(&c);
	assert_string_equal(c.secret, "");
}

static void test_cred_whitespace(void **state)
{
	struct tier_cred c;
	char err[256] = "";
	const char *text = "  \tAKID \r\n\t " SECRET " \t\r\n\n \r\n";

	(void)state;
	assert_int_equal(tier_cred_parse(text, strlen(text), "t", &c, err,
					 sizeof(err)),
			 0);
	assert_string_equal(c.access, "AKID");
	assert_string_equal(c.secret, SECRET);
}

static void test_cred_missing_file(void **state)
{
	struct tier_cred c;
	char err[256] = "", path[300];

	(void)state;
	snprintf(path, sizeof(path), "%s/nope", dir);
	assert_int_equal(tier_cred_load(path, &c, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(tier_cred_load(NULL, &c, err, sizeof(err)), -EINVAL);
	assert_int_equal(tier_cred_load(dir, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a regular file"));
}

/* Each bad file: an error naming the line, and never its contents. */
static void test_cred_bad_never_echoes(void **state)
{
	const struct {
		const char *text, *says;
	} bad[] = {
		{"", "line 1"},
		{"\n" SECRET "\n", "line 1"},
		{"AKID-" SECRET "\n", "line 2"},	/* one line */
		{"AKID-" SECRET, "line 2"},		/* one line, no NL */
		{"AKID\n   \n", "line 2"},		/* blank secret */
		{"AKID\n" SECRET "\n" SECRET "\n", "line 3"}, /* a third */
		{"AKID\n" SECRET "\n\n\nxx" SECRET "\n", "line 5"},
		{"AKID\nab\x01" SECRET "\n", "line 2"}, /* a control byte */
	};
	struct tier_cred c;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(tier_cred_load(write_file("bad", bad[i].text),
						&c, err, sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, bad[i].says));
		assert_null(strstr(err, SECRET));
		assert_null(strstr(err, "AKID"));
		assert_string_equal(c.secret, ""); /* wiped */
	}
}

/* The s3 backend: open fails clearly without the file; with it, a failing
 * request's status line and every log line are free of the secret. */

static void test_cred_backend_never_logs_secret(void **state)
{
	struct tier_config cfg;
	struct tier_backend *b;
	struct tier_status st;
	struct tier_obj o;
	char path[300];

	(void)state;
	tier_config_defaults(&cfg);
	cfg.kind = TIER_KIND_S3;
	/* nothing listens on 28099 of 127.0.0.1 in the tests */
	cfg.endpoint = "http://127.0.0.1:28099";
	cfg.bucket = "bkt";
	cfg.log = tier_test_log;
	cfg.max_attempts = 2;
	cfg.backoff_ms = 1;
	snprintf(path, sizeof(path), "%s/absent", dir);
	cfg.credentials_file = path;
	assert_int_equal(tier_open(&cfg, &b, &st), -ENOENT);
	assert_non_null(strstr(st.msg, path));
	assert_non_null(strstr(tier_test_loglines, path));

	cfg.credentials_file = write_file("c", "AKID\n" SECRET "\n");
	tier_test_loglines[0] = '\0';
	assert_int_equal(tier_open(&cfg, &b, &st), 0);
	assert_int_equal(tier_head(b, "k", &o, &st), -EIO);
	assert_int_equal(st.attempts, 2);
	assert_non_null(strstr(st.msg, "(2 attempts)"));
	assert_non_null(strstr(tier_test_loglines, "retrying"));
	assert_null(strstr(st.msg, SECRET));
	assert_null(strstr(tier_test_loglines, SECRET));
	tier_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cred_good),
		cmocka_unit_test(test_cred_whitespace),
		cmocka_unit_test(test_cred_missing_file),
		cmocka_unit_test(test_cred_bad_never_echoes),
		cmocka_unit_test(test_cred_backend_never_logs_secret),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
