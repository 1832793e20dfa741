/*
 * tests/unit/test_tier_s3.c -- the s3 backend (tiering/tier_s3*.c): its
 * pure helpers (endpoint and URLs in both addressing styles, canonical
 * queries, which failures are retried, backoff, status to errno), and its
 * requests against a scripted HTTP server (tier_fake_s3.c): retries on
 * 5xx and hang-ups, none on 4xx, a 403 reported with status, code and
 * message (and no secret), a listing cut short failing, ranged GETs, and
 * a multipart upload with parallel parts, a retried part, a 200 answer
 * holding an Error, and the abort after a failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <errno.h>

#include <cmocka.h>

#include "tier_backend.h"
#include "tier_test_log.h"
#include "tier_fake_s3.h"
#include "tier_s3.h"

#define MiB (1024u * 1024u)
#define SECRET "sEcReT-0123456789-never-in-a-log"

/* ---- pure helpers ---- */

static void test_addr_and_url(void **state)
{
	struct s3_addr a;
	char err[256], url[512];

	(void)state;
	assert_int_equal(s3_addr_parse("http://127.0.0.1:28080", "bkt",
				       TIER_PATH_STYLE, &a, err, sizeof(err)),
			 0);
	s3_url(&a, "p/v1/k", NULL, url, sizeof(url));
	assert_string_equal(url, "http://127.0.0.1:28080/bkt/p/v1/k");
	s3_url(&a, NULL, "list-type=2", url, sizeof(url));
	assert_string_equal(url, "http://127.0.0.1:28080/bkt?list-type=2");
	assert_int_equal(s3_addr_parse("https://s3.example.com/", "my.bkt-1",
				       TIER_VIRTUAL_HOSTED, &a, err,
				       sizeof(err)),
			 0);
	s3_url(&a, "k", "uploads=", url, sizeof(url));
	assert_string_equal(url, "https://my.bkt-1.s3.example.com/k?uploads=");
	s3_url(&a, NULL, NULL, url, sizeof(url));
	assert_string_equal(url, "https://my.bkt-1.s3.example.com/");
	assert_int_equal(s3_url(&a, "k", NULL, url, 20), -ENAMETOOLONG);

	const char *bad_ep[] = {"ftp://h", "h:80", "http://", "http://h/path",
				"http://h:8x", "http://h:123456",
				"http://u@h", "http://h h", "http://h:"};
	for (size_t i = 0; i < sizeof(bad_ep) / sizeof(bad_ep[0]); i++)
		assert_int_equal(s3_addr_parse(bad_ep[i], "bkt",
					       TIER_PATH_STYLE, &a, err,
					       sizeof(err)),
				 -EINVAL);
	const char *bad_bucket[] = {"ab", "Bkt", "-bkt", "bkt.", "b_kt",
				    "a234567890123456789012345678901234567890"
				    "123456789012345678901234"};
	for (size_t i = 0; i < sizeof(bad_bucket) / sizeof(bad_bucket[0]); i++)
		assert_int_equal(s3_addr_parse("http://h", bad_bucket[i],
					       TIER_PATH_STYLE, &a, err,
					       sizeof(err)),
				 -EINVAL);
	assert_non_null(strstr(err, "bucket"));
}

static void test_query_canonical(void **state)
{
	struct s3_qparam q[4] = {{"prefix", "a/b c"},
				 {"max-keys", "1000"},
				 {"list-type", "2"},
				 {"continuation-token", "x+y==~._-"}};
	struct s3_qparam u[1] = {{"uploads", ""}};
	struct s3_qparam p[2] = {{"uploadId", "ID/1"}, {"partNumber", "7"}};
	char *s;

	(void)state;
	s = s3_query(q, 4);
	assert_string_equal(s, "continuation-token=x%2By%3D%3D~._-&"
			       "list-type=2&max-keys=1000&prefix=a%2Fb%20c");
	free(s);
	s = s3_query(u, 1);
	assert_string_equal(s, "uploads="); /* curl 7.88 signs it as given */
	free(s);
	s = s3_query(p, 2);
	assert_string_equal(s, "partNumber=7&uploadId=ID%2F1");
	free(s);
}

static void test_retry_policy(void **state)
{
	(void)state;
	assert_true(s3_retryable(500, CURLE_OK));
	assert_true(s3_retryable(502, CURLE_OK));
	assert_true(s3_retryable(503, CURLE_OK));
	assert_true(s3_retryable(504, CURLE_OK));
	assert_false(s3_retryable(400, CURLE_OK));
	assert_false(s3_retryable(403, CURLE_OK));
	assert_false(s3_retryable(404, CURLE_OK));
	assert_false(s3_retryable(416, CURLE_OK));
	assert_false(s3_retryable(200, CURLE_OK));
	assert_true(s3_retryable(0, CURLE_COULDNT_CONNECT));
	assert_true(s3_retryable(0, CURLE_OPERATION_TIMEDOUT));
	assert_true(s3_retryable(0, CURLE_RECV_ERROR));
	assert_true(s3_retryable(0, CURLE_SEND_ERROR));
	assert_true(s3_retryable(0, CURLE_GOT_NOTHING));
	assert_true(s3_retryable(200, CURLE_PARTIAL_FILE));
	assert_false(s3_retryable(0, CURLE_PEER_FAILED_VERIFICATION));
	assert_false(s3_retryable(200, CURLE_WRITE_ERROR));
	assert_false(s3_retryable(0, CURLE_ABORTED_BY_CALLBACK));

	/* backoff: doubling from the base, capped, jittered in [w/2, w] */
	unsigned prev_hi = 0;
	for (unsigned a = 1; a <= 20; a++) {
		unsigned w = 100u << (a - 1 < 10 ? a - 1 : 10);
		if (w > 5000)
			w = 5000;
		unsigned lo = s3_backoff_ms(a, 100, 5000, 0);
		unsigned hi = s3_backoff_ms(a, 100, 5000, w - w / 2);
		assert_int_equal(lo, w / 2);
		assert_int_equal(hi, w);
		assert_true(hi >= prev_hi);
		prev_hi = hi;
		for (uint32_t r = 0; r < 50; r++) {
			unsigned x = s3_backoff_ms(a, 100, 5000, r * 2654435761u);
			assert_true(x >= w / 2 && x <= w);
		}
	}
	assert_int_equal(s3_backoff_ms(30, 100, 5000, 0), 2500);

	assert_int_equal(s3_errno(404, "NoSuchKey"), -ENOENT);
	assert_int_equal(s3_errno(404, "NoSuchBucket"), -EIO);
	assert_int_equal(s3_errno(403, "SignatureDoesNotMatch"), -EACCES);
	assert_int_equal(s3_errno(416, NULL), -ERANGE);
	assert_int_equal(s3_errno(503, "SlowDown"), -EIO);
}

/* ---- requests against the scripted server ---- */

struct script {
	int fail_first;	 /* answer this many requests with fail_status */
	int fail_status; /* ... or hang up when 0 */
	const char *list_body;
	int status; /* the answer after the failures (200 by default) */
	const char *err_body;
	/* multipart */
	int part2_fails;	 /* part 2's first attempt gets a 503 */
	int part3_status;	 /* part 3 answered this (0: 200) */
	int complete_error;	 /* complete answers 200 with an Error */
	unsigned long long size; /* the object's size for HEAD */
	unsigned part_attempts[8];
	unsigned long part_sum[8];
	size_t part_len[8];
	int aborted, completed;
	char complete_body[1024];
	const unsigned char *data; /* for ranged GETs */
	size_t data_len;
	int ignore_range;
	int get_facts; /* GET answers carry ETag and Content-Range */
	int put_etag;  /* a whole PUT's answer carries an ETag */
};


static void handler(void *arg, const struct fake_req *rq, const char *body,
		    struct fake_resp *out)
{
	struct script *s = arg;
	const char *q = strchr(rq->target, '?');

	if (s->fail_first > 0) {
		s->fail_first--;
		if (s->fail_status == 0)
			out->hangup = 1;
		out->status = s->fail_status;
		out->body = "<Error><Code>ServiceUnavailable</Code></Error>";
		return;
	}
	if (s->status && s->status != 200) {
		out->status = s->status;
		out->body = s->err_body;
		return;
	}
	if (!strcmp(rq->method, "POST") && q && !strcmp(q, "?uploads=")) {
		out->body = "<InitiateMultipartUploadResult><UploadId>UP-1"
			    "</UploadId></InitiateMultipartUploadResult>";
	} else if (!strcmp(rq->method, "PUT") && q &&
		   !strncmp(q, "?partNumber=", 12)) {
		unsigned n = (unsigned)atoi(q + 12);
		assert_non_null(strstr(q, "&uploadId=UP-1"));
		assert_true(n >= 1 && n < 8);
		s->part_attempts[n]++;
		s->part_len[n] = rq->body_len;
		s->part_sum[n] = rq->body_sum;
		if (n == 2 && s->part2_fails && s->part_attempts[n] == 1) {
			out->status = 503;
			out->body = "<Error><Code>SlowDown</Code></Error>";
		} else if (n == 3 && s->part3_status) {
			out->status = s->part3_status;
			out->body = "<Error><Code>AccessDenied</Code>"
				    "<Message>no</Message></Error>";
		} else {
			snprintf(out->headers, sizeof(out->headers),
				 "ETag: \"etag%u\"\r\n", n);
		}
	} else if (!strcmp(rq->method, "POST") && q &&
		   !strcmp(q, "?uploadId=UP-1")) {
		s->completed++;
		snprintf(s->complete_body, sizeof(s->complete_body), "%.*s",
			 (int)rq->body_len, body);
		out->body = s->complete_error
				    ? "<Error><Code>InternalError</Code>"
				      "<Message>oops</Message></Error>"
				    : "<CompleteMultipartUploadResult><ETag>"
				      "\"abc-3\"</ETag>"
				      "</CompleteMultipartUploadResult>";
	} else if (!strcmp(rq->method, "DELETE") && q &&
		   !strcmp(q, "?uploadId=UP-1")) {
		s->aborted++;
		out->status = 204;
	} else if (!strcmp(rq->method, "PUT") && !q && s->put_etag) {
		snprintf(out->headers, sizeof(out->headers),
			 "ETag: \"put-%zu\"\r\n", rq->body_len);
	} else if (!strcmp(rq->method, "HEAD")) {
		out->head_len = s->size;
		snprintf(out->headers, sizeof(out->headers),
			 "ETag: \"abc-3\"\r\n");
	} else if (!strcmp(rq->method, "GET") && s->list_body) {
		out->body = s->list_body;
	} else if (!strcmp(rq->method, "GET") && s->data) {
		unsigned long long a, b;
		assert_int_equal(sscanf(rq->range, "bytes=%llu-%llu", &a, &b),
				 2);
		if (s->ignore_range) {
			out->body = (const char *)s->data;
			out->body_len = s->data_len;
			return;
		}
		if (b >= s->data_len)
			b = s->data_len - 1;
		out->status = 206;
		out->body = (const char *)s->data + a;
		out->body_len = (size_t)(b - a + 1);
		if (s->get_facts)
			snprintf(out->headers, sizeof(out->headers),
				 "ETag: \"abc-3\"\r\nContent-Range: bytes "
				 "%llu-%llu/%zu\r\n", a, b, s->data_len);
	}
}

struct fx {
	struct fake_s3 srv;
	struct script sc;
	struct tier_config cfg;
	struct tier_backend *b;
	char cred[64];
	char ep[64];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct tier_status st;
	FILE *c;

	strcpy(f->cred, "/tmp/strata-tier-s3-XXXXXX");
	int fd = mkstemp(f->cred);
	if (fd < 0)
		return -1;
	c = fdopen(fd, "w");
	fprintf(c, "AKID\n%s\n", SECRET);
	fclose(c);
	if (fake_s3_start(&f->srv, handler, &f->sc))
		return -1;
	snprintf(f->ep, sizeof(f->ep), "http://127.0.0.1:%d", f->srv.port);
	tier_config_defaults(&f->cfg);
	f->cfg.kind = TIER_KIND_S3;
	f->cfg.endpoint = f->ep;
	f->cfg.bucket = "bkt";
	f->cfg.credentials_file = f->cred;
	f->cfg.log = tier_test_log;
	f->cfg.max_attempts = 3;
	f->cfg.backoff_ms = 2;
	f->cfg.backoff_max_ms = 10;
	f->cfg.multipart_threshold = 5 * MiB;
	f->cfg.part_size = 5 * MiB;
	f->cfg.parallel_parts = 2;
	if (tier_open(&f->cfg, &f->b, &st))
		return -1;
	tier_test_loglines[0] = '\0';
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	tier_close(f->b);
	fake_s3_stop(&f->srv);
	unlink(f->cred);
	free(f);
	return 0;
}

static const char list_ok[] =
	"<ListBucketResult><IsTruncated>false</IsTruncated>"
	"<Contents><Key>p/a</Key><Size>5</Size><ETag>\"e\"</ETag></Contents>"
	"</ListBucketResult>";

/* Two 503s, then an answer: three requests, each signed by curl. */
static void test_retry_5xx_then_ok(void **state)
{
	struct fx *f = *state;
	struct tier_list_page pg;
	struct tier_status st;

	f->sc.fail_first = 2;
	f->sc.fail_status = 503;
	f->sc.list_body = list_ok;
	assert_int_equal(tier_list(f->b, "p/", NULL, 2, &pg, &st), 0);
	assert_int_equal(pg.n, 1);
	assert_string_equal(pg.v[0].key, "p/a");
	tier_list_free(&pg);
	assert_int_equal(st.attempts, 3);
	assert_int_equal(f->srv.nreq, 3);
	assert_string_equal(f->srv.log[2].target,
			    "/bkt?list-type=2&max-keys=2&prefix=p%2F");
	assert_int_equal(strncmp(f->srv.log[2].auth,
				 "AWS4-HMAC-SHA256 Credential=AKID/", 33),
			 0);
	assert_non_null(strstr(f->srv.log[2].auth, "/us-east-1/s3/aws4_request"));
	assert_non_null(strstr(f->srv.log[2].auth, "x-amz-content-sha256"));
	assert_string_equal(f->srv.log[2].sha_hdr, "UNSIGNED-PAYLOAD");
	assert_non_null(strstr(tier_test_loglines, "retrying in"));
}

/* A hang-up (no answer at all) is retried like a 5xx. */
static void test_retry_hangup(void **state)
{
	struct fx *f = *state;
	struct tier_obj o;
	struct tier_status st;

	f->sc.fail_first = 1;
	f->sc.fail_status = 0;
	f->sc.size = 42;
	assert_int_equal(tier_head(f->b, "p/a", &o, &st), 0);
	assert_true(o.size == 42);
	assert_string_equal(o.etag, "abc-3");
	assert_int_equal(st.attempts, 2);
}

/* Always 500: max_attempts requests, then -EIO saying so. */
static void test_retry_bounded(void **state)
{
	struct fx *f = *state;
	struct tier_obj o;
	struct tier_status st;

	f->sc.fail_first = 100;
	f->sc.fail_status = 500;
	assert_int_equal(tier_head(f->b, "p/a", &o, &st), -EIO);
	assert_int_equal(f->srv.nreq, 3);
	assert_int_equal(st.attempts, 3);
	assert_int_equal(st.http, 500);
	assert_non_null(strstr(st.msg, "HTTP 500"));
	assert_non_null(strstr(st.msg, "(3 attempts)"));
}

/* A wrong secret: one request, no retry, status + code + message in the
 * status line and the log, and never the secret. */
static void test_403_not_retried(void **state)
{
	struct fx *f = *state;
	struct tier_status st;
	struct tier_obj o;
	char data[100] = {0};
	struct tier_source src;
	f->sc.status = 403;
	f->sc.err_body = "<?xml version='1.0' encoding='UTF-8'?>\n<Error>"
			 "<Code>SignatureDoesNotMatch</Code><Message>The "
			 "request signature we calculated does not match the "
			 "signature you provided.</Message><RequestId>tx9"
			 "</RequestId></Error>";
	FILE *tmp = tmpfile();
	fwrite(data, 1, sizeof(data), tmp);
	fflush(tmp);
	int tfd = fileno(tmp);
	src.read = tier_source_fd_read;
	src.arg = &tfd;
	assert_int_equal(tier_put(f->b, "p/k", &src, sizeof(data), &o, &st),
			 -EACCES);
	fclose(tmp);
	assert_int_equal(f->srv.nreq, 1);
	assert_int_equal(st.attempts, 1);
	assert_int_equal(st.http, 403);
	assert_string_equal(st.code, "SignatureDoesNotMatch");
	assert_non_null(strstr(st.msg, "HTTP 403 SignatureDoesNotMatch: The "
				       "request signature we calculated"));
	assert_non_null(strstr(st.msg, "(1 attempt)"));
	assert_non_null(strstr(tier_test_loglines, "HTTP 403 SignatureDoesNotMatch"));
	assert_null(strstr(tier_test_loglines, "retrying"));
	assert_null(strstr(st.msg, SECRET));
	assert_null(strstr(tier_test_loglines, SECRET));
	assert_int_equal(f->srv.log[0].body_len, sizeof(data));
}

static void test_404_and_400(void **state)
{
	struct fx *f = *state;
	struct tier_status st;
	char buf[4];
	size_t got;

	f->sc.status = 404;
	f->sc.err_body = "<Error><Code>NoSuchKey</Code></Error>";
	assert_int_equal(tier_get(f->b, "p/x", 0, 4, buf, &got, &st), -ENOENT);
	assert_string_equal(st.code, "NoSuchKey");
	f->sc.status = 400;
	f->sc.err_body = "<Error><Code>InvalidArgument</Code></Error>";
	assert_int_equal(tier_delete(f->b, "p/x", &st), -EINVAL);
	assert_int_equal(f->srv.nreq, 2); /* neither retried */
}

/* A full page of 1,000 long keys (well over the 64 KiB kept of an error
 * answer) is read whole. */
static void test_list_big_page(void **state)
{
	struct fx *f = *state;
	struct tier_list_page pg;
	struct tier_status st;
	size_t cap = 1000 * 300 + 200, o = 0;
	char *body = malloc(cap);

	o += (size_t)snprintf(body + o, cap - o, "<ListBucketResult>"
			      "<IsTruncated>false</IsTruncated>");
	for (int i = 0; i < 1000; i++)
		o += (size_t)snprintf(body + o, cap - o,
				      "<Contents><Key>p/v1/%02x/%0160d</Key>"
				      "<Size>%d</Size><ETag>\"e\"</ETag>"
				      "</Contents>",
				      i % 256, i, i);
	snprintf(body + o, cap - o, "</ListBucketResult>");
	assert_true(strlen(body) > 200000);
	f->sc.list_body = body;
	assert_int_equal(tier_list(f->b, "p/", NULL, 1000, &pg, &st), 0);
	assert_int_equal(pg.n, 1000);
	assert_true(pg.v[999].size == 999);
	tier_list_free(&pg);
	free(body);
}

/* A 200 whose listing is cut short, or says truncated without a token:
 * an error, never a short list. */
static void test_list_fails_closed(void **state)
{
	struct fx *f = *state;
	struct tier_list_page pg;
	struct tier_status st;
	char cut[sizeof(list_ok)];

	snprintf(cut, sizeof(cut), "%.*s", (int)sizeof(list_ok) - 30, list_ok);
	f->sc.list_body = cut;
	assert_int_equal(tier_list_all(f->b, "p/", 10, &pg, &st), -EIO);
	assert_int_equal(pg.n, 0);
	assert_non_null(strstr(st.msg, "malformed"));
	f->sc.list_body = "<ListBucketResult><IsTruncated>true</IsTruncated>"
			  "<Contents><Key>p/a</Key><Size>5</Size></Contents>"
			  "</ListBucketResult>";
	assert_int_equal(tier_list_all(f->b, "p/", 10, &pg, &st), -EIO);
	assert_int_equal(pg.n, 0);
	assert_non_null(strstr(tier_test_loglines, "NextContinuationToken"));
}

static void test_ranged_get(void **state)
{
	struct fx *f = *state;
	unsigned char data[1000], buf[300];
	struct tier_status st;
	size_t got;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7);
	f->sc.data = data;
	f->sc.data_len = sizeof(data);
	assert_int_equal(tier_get(f->b, "p/a", 100, 300, buf, &got, &st), 0);
	assert_int_equal(got, 300);
	assert_memory_equal(buf, data + 100, 300);
	assert_string_equal(f->srv.log[0].range, "bytes=100-399");
	assert_int_equal(tier_get(f->b, "p/a", 900, 300, buf, &got, &st), 0);
	assert_int_equal(got, 100);
	assert_memory_equal(buf, data + 900, 100);
	/* an empty object: S3 answers 416 even for byte 0 */
	f->sc.data_len = 0;
	f->sc.status = 416;
	f->sc.err_body = "<Error><Code>InvalidRange</Code></Error>";
	assert_int_equal(tier_get(f->b, "p/a", 0, 300, buf, &got, &st), 0);
	assert_int_equal(got, 0);
	assert_int_equal(tier_get(f->b, "p/a", 1, 300, buf, &got, &st),
			 -ERANGE);
	f->sc.status = 0;
	f->sc.data_len = sizeof(data);
	/* a server answering 200 with the whole object: refused, whether
	 * it overflows the buffer or would fit in it (bytes from offset 0
	 * posing as bytes from 100) */
	f->sc.ignore_range = 1;
	assert_int_equal(tier_get(f->b, "p/a", 100, 300, buf, &got, &st), -EIO);
	assert_int_equal(got, 0);
	unsigned char *big = malloc(2000);
	assert_int_equal(tier_get(f->b, "p/a", 100, 2000, big, &got, &st),
			 -EIO);
	assert_int_equal(got, 0);
	assert_non_null(strstr(st.msg, "ignored the Range"));
	free(big);
}

/* tier_get_obj: the object's size and etag from the GET's own answer
 * (one request); from a HEAD when the answer lacks them. */
static void test_get_obj(void **state)
{
	struct fx *f = *state;
	unsigned char data[1000], buf[300];
	struct tier_status st;
	struct tier_obj o;
	size_t got;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 5);
	f->sc.data = data;
	f->sc.data_len = sizeof(data);
	f->sc.size = 4242; /* what a HEAD would say: told apart */
	f->sc.get_facts = 1;
	assert_int_equal(tier_get_obj(f->b, "p/a", 0, 300, buf, &got, &o, &st),
			 0);
	assert_int_equal(got, 300);
	assert_memory_equal(buf, data, 300);
	assert_int_equal(o.size, 1000);
	assert_string_equal(o.etag, "abc-3");
	assert_int_equal(f->srv.nreq, 1);
	f->sc.get_facts = 0;
	assert_int_equal(tier_get_obj(f->b, "p/a", 0, 300, buf, &got, &o, &st),
			 0);
	assert_int_equal(o.size, 4242);
	assert_int_equal(f->srv.nreq, 3);
	assert_string_equal(f->srv.log[2].method, "HEAD");
}

static void test_range_total(void **state)
{
#define RT(v) s3_range_total(v, strlen(v))
	(void)state;
	assert_int_equal(RT(" bytes 0-65535/65536\r\n"), 65536);
	assert_int_equal(RT("bytes 5-9/10"), 10);
	assert_int_equal(RT(" BYTES 0-0/75497472\r\n"), 75497472);
	assert_int_equal(RT(" bytes 0-9/*\r\n"), -1);
	assert_int_equal(RT(" bytes */100\r\n"), 100);
	assert_int_equal(RT(" items 0-9/10\r\n"), -1);
	assert_int_equal(RT(" bytes 0-9/10x\r\n"), -1);
	assert_int_equal(RT(" bytes 0-9/\r\n"), -1);
	assert_int_equal(RT(" bytes 0-9/99999999999999999999999\r\n"), -1);
#undef RT
}

struct pattern {
	size_t len;
};

static int pattern_read(void *arg, uint64_t off, void *buf, size_t len)
{
	(void)arg;
	for (size_t i = 0; i < len; i++)
		((unsigned char *)buf)[i] = (unsigned char)((off + i) % 251);
	return 0;
}

static unsigned long pattern_sum(uint64_t off, uint64_t len)
{
	unsigned long s = 0;

	for (uint64_t i = 0; i < len; i++)
		s += (off + i) % 251;
	return s;
}

/* 11 MiB in 5 MiB parts, 2 in flight: 3 parts, part 2 retried after a
 * 503; the complete body lists the parts in order; HEAD verifies. */
static void test_multipart(void **state)
{
	struct fx *f = *state;
	struct tier_source src = {pattern_read, NULL};
	struct tier_status st;
	struct tier_obj o;
	uint64_t size = 11 * MiB;

	f->sc.part2_fails = 1;
	f->sc.size = size;
	assert_int_equal(tier_put(f->b, "p/big", &src, size, &o, &st), 0);
	assert_true(o.size == size);
	assert_string_equal(o.etag, "abc-3");
	assert_int_equal(f->sc.part_attempts[1], 1);
	assert_int_equal(f->sc.part_attempts[2], 2);
	assert_int_equal(f->sc.part_attempts[3], 1);
	assert_int_equal(f->sc.part_len[1], 5 * MiB);
	assert_int_equal(f->sc.part_len[3], 1 * MiB);
	assert_true(f->sc.part_sum[1] == pattern_sum(0, 5 * MiB));
	assert_true(f->sc.part_sum[2] == pattern_sum(5 * MiB, 5 * MiB));
	assert_true(f->sc.part_sum[3] == pattern_sum(10 * MiB, 1 * MiB));
	assert_int_equal(f->sc.completed, 1);
	assert_int_equal(f->sc.aborted, 0);
	assert_string_equal(
		f->sc.complete_body,
		"<CompleteMultipartUpload>"
		"<Part><PartNumber>1</PartNumber><ETag>&quot;etag1&quot;</ETag>"
		"</Part><Part><PartNumber>2</PartNumber><ETag>&quot;etag2&quot;"
		"</ETag></Part><Part><PartNumber>3</PartNumber><ETag>&quot;"
		"etag3&quot;</ETag></Part></CompleteMultipartUpload>");
	/* create, 4 part requests, complete, HEAD */
	assert_int_equal(st.attempts, 7);
	for (unsigned i = 0; i < f->srv.nreq; i++)
		if (!strcmp(f->srv.log[i].method, "POST"))
			assert_string_equal(f->srv.log[i].ctype,
					    "application/xml");
}

/* How many requests of METHOD the server saw. */
static unsigned requests_of(const struct fx *f, const char *method)
{
	unsigned n = 0;

	for (unsigned i = 0; i < f->srv.nreq; i++)
		n += !strcmp(f->srv.log[i].method, method);
	return n;
}

/* A whole PUT: its own answer (size sent, ETag) is what the job records,
 * with no HEAD after it; an answer without an ETag gets the HEAD, which
 * must show the size sent. */
static void test_put_answer(void **state)
{
	struct fx *f = *state;
	struct tier_source src = {pattern_read, NULL};
	struct tier_status st;
	struct tier_obj o;

	f->sc.put_etag = 1;
	assert_int_equal(tier_put(f->b, "p/a", &src, 1000, &o, &st), 0);
	assert_true(o.size == 1000);
	assert_string_equal(o.etag, "put-1000");
	assert_int_equal(requests_of(f, "PUT"), 1);
	assert_int_equal(requests_of(f, "HEAD"), 0);

	f->sc.put_etag = 0;
	f->sc.size = 1000;
	assert_int_equal(tier_put(f->b, "p/b", &src, 1000, &o, &st), 0);
	assert_true(o.size == 1000);
	assert_string_equal(o.etag, "abc-3");
	assert_int_equal(requests_of(f, "HEAD"), 1);

	f->sc.size = 999;
	assert_int_equal(tier_put(f->b, "p/c", &src, 1000, &o, &st), -EIO);
	assert_non_null(strstr(tier_test_loglines, "shows 999 bytes, not 1000"));
}

/* One part in flight: the next starts as soon as one finishes (a poll
 * with nothing in flight used to wait its full second per part). */
static void test_multipart_serial(void **state)
{
	struct fx *f = *state;
	struct tier_source src = {pattern_read, NULL};
	struct tier_config cfg = f->cfg;
	struct tier_backend *b;
	struct tier_status st;
	struct timespec t0, t1;

	cfg.parallel_parts = 1;
	f->sc.size = 11 * MiB;
	assert_int_equal(tier_open(&cfg, &b, &st), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(tier_put(b, "p/big", &src, 11 * MiB, NULL, &st), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tier_close(b);
	assert_int_equal(f->sc.part_attempts[3], 1);
	double dt = (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	/* The bug waited a full 1 s poll after each part: 3 s or more. The
	 * work itself is about 0.1 s; 2.5 s leaves room for a loaded
	 * machine under ASan (1.5 s failed there) and still catches it. */
	if (dt > 2.5)
		fail_msg("3 parts one at a time took %.2f s", dt);
}

/* Complete answers 200 with an Error inside: the put fails and the
 * upload is aborted. */
static void test_multipart_complete_error(void **state)
{
	struct fx *f = *state;
	struct tier_source src = {pattern_read, NULL};
	struct tier_status st;

	f->sc.complete_error = 1;
	f->sc.size = 11 * MiB;
	assert_int_equal(tier_put(f->b, "p/big", &src, 11 * MiB, NULL, &st),
			 -EIO);
	assert_int_equal(f->sc.completed, 1);
	assert_int_equal(f->sc.aborted, 1);
	assert_string_equal(st.code, "InternalError");
	assert_non_null(strstr(st.msg, "200"));
}

/* A part refused for good (403): no retry, no complete, aborted. */
static void test_multipart_part_refused(void **state)
{
	struct fx *f = *state;
	struct tier_source src = {pattern_read, NULL};
	struct tier_status st;

	f->sc.part3_status = 403;
	assert_int_equal(tier_put(f->b, "p/big", &src, 11 * MiB, NULL, &st),
			 -EACCES);
	assert_int_equal(f->sc.part_attempts[3], 1);
	assert_int_equal(f->sc.completed, 0);
	assert_int_equal(f->sc.aborted, 1);
	assert_non_null(strstr(st.msg, "part 3"));
	assert_non_null(strstr(st.msg, "HTTP 403 AccessDenied"));
}

static void test_open_errors(void **state)
{
	struct tier_config cfg;
	struct tier_backend *b;
	struct tier_status st;

	(void)state;
	tier_config_defaults(&cfg);
	cfg.kind = TIER_KIND_S3;
	cfg.log = tier_test_log;
	cfg.endpoint = "http://127.0.0.1:28080";
	cfg.bucket = "bkt";
	cfg.credentials_file = "/nonexistent/cred";
	cfg.addressing = TIER_VIRTUAL_HOSTED;
	assert_int_equal(tier_open(&cfg, &b, &st), -EINVAL);
	assert_non_null(strstr(st.msg, "virtual-hosted"));
	cfg.addressing = TIER_PATH_STYLE;
	cfg.endpoint = "127.0.0.1:28080";
	assert_int_equal(tier_open(&cfg, &b, &st), -EINVAL);
	assert_non_null(strstr(st.msg, "http://"));
	cfg.endpoint = "http://127.0.0.1:28080";
	cfg.region = "US East";
	assert_int_equal(tier_open(&cfg, &b, &st), -EINVAL);
	cfg.region = "us-east-1";
	assert_int_equal(tier_open(&cfg, &b, &st), -ENOENT);
	assert_non_null(strstr(st.msg, "/nonexistent/cred"));
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_and_url),
		cmocka_unit_test(test_query_canonical),
		cmocka_unit_test(test_retry_policy),
		cmocka_unit_test(test_range_total),
		cmocka_unit_test(test_open_errors),
		T(test_retry_5xx_then_ok),
		T(test_retry_hangup),
		T(test_retry_bounded),
		T(test_403_not_retried),
		T(test_404_and_400),
		T(test_list_fails_closed),
		T(test_list_big_page),
		T(test_ranged_get),
		T(test_get_obj),
		T(test_put_answer),
		T(test_multipart),
		T(test_multipart_serial),
		T(test_multipart_complete_error),
		T(test_multipart_part_refused),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
