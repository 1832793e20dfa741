/*
 * tiering/tier_s3.c — the "s3" backend: requests through libcurl, signed
 * by its SigV4 signer (CURLOPT_AWS_SIGV4), retried with backoff
 * (tier_backend.h has the contract; docs/decisions/0025-tier-backends.md
 * the choices).
 *
 * Every request carries "x-amz-content-sha256: UNSIGNED-PAYLOAD" (curl
 * 7.88 takes the payload hash from that header; without it a streamed PUT
 * is signed as empty) and an already canonical query (7.88 signs the query
 * as given). The access key and secret go in CURLOPT_USERNAME and
 * CURLOPT_PASSWORD (a key may contain ':'); nothing logs them, and curl's
 * verbose output is never turned on. TLS is OpenSSL through libcurl with
 * peer and host verification always on.
 */
#include "tier_s3.h"
#include "tier_key.h"
#include "tier_xml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

uint32_t s3_rand(void)
{
	static _Thread_local uint64_t x;

	if (!x) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = (uint64_t)ts.tv_nsec ^ ((uint64_t)(uintptr_t)&x << 16) ^ 1;
	}
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (uint32_t)(x >> 16);
}

/* ---- curl callbacks ---- */

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct s3_xfer *x = ud;
	size_t len = size * n;

	if (len > 5 && !strncasecmp(p, "ETag:", 5))
		tier_etag_clean(x->etag, sizeof(x->etag), p + 5, len - 5);
	else if (len > 14 && !strncasecmp(p, "Content-Range:", 14))
		x->total = s3_range_total(p + 14, len - 14);
	else if (len > 17 && !strncasecmp(p, "x-amz-request-id:", 17))
		tier_etag_clean(x->reqid, sizeof(x->reqid), p + 17, len - 17);
	return len;
}

static int body_append(struct s3_xfer *x, const char *p, size_t len)
{
	char *nb;

	if (x->blen + len > (x->body_max ? x->body_max : S3_ERRBODY_MAX)) {
		x->overflow = 1;
		return -1;
	}
	nb = realloc(x->body, x->blen + len + 1);
	if (!nb)
		return -1;
	x->body = nb;
	memcpy(x->body + x->blen, p, len);
	x->blen += len;
	x->body[x->blen] = '\0';
	return 0;
}

static size_t on_write(char *p, size_t size, size_t n, void *ud)
{
	struct s3_xfer *x = ud;
	size_t len = size * n;
	long code = x->http; /* from the status line (on_header_status) */

	if (x->dst && code >= 200 && code < 300) {
		if (x->got + len > x->dst_cap) {
			x->overflow = 1; /* more than asked for: refuse */
			return 0;
		}
		memcpy(x->dst + x->got, p, len);
		x->got += len;
		return len;
	}
	return body_append(x, p, len) ? 0 : len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *ud)
{
	struct s3_xfer *x = ud;
	size_t want = size * n;
	uint64_t left = x->body_len - x->pos;

	if (want > left)
		want = (size_t)left;
	if (want == 0)
		return 0;
	if (x->mem) {
		memcpy(buf, x->mem + x->pos, want);
	} else {
		int rc = x->src->read(x->src->arg, x->src_off + x->pos, buf,
				      want);
		if (rc) {
			x->src_err = rc;
			return CURL_READFUNC_ABORT;
		}
	}
	x->pos += want;
	return want;
}

/* The status line arrives before the body: note it for on_write. */
static size_t on_header_status(char *p, size_t size, size_t n, void *ud)
{
	struct s3_xfer *x = ud;
	size_t len = size * n;
	int code;

	if (len > 9 && !strncmp(p, "HTTP/", 5) &&
	    sscanf(p, "HTTP/%*s %d", &code) == 1) {
		x->http = code;
		if (code >= 200) /* a new final answer: forget an interim */
			x->etag[0] = '\0';
	}
	return on_header(p, size, n, ud);
}

static int seek_cb(void *ud, curl_off_t off, int origin)
{
	struct s3_xfer *x = ud;

	if (origin != SEEK_SET || off < 0 || (uint64_t)off > x->body_len)
		return CURL_SEEKFUNC_FAIL;
	x->pos = (uint64_t)off; /* curl rewinds for a resend (e.g. auth) */
	return CURL_SEEKFUNC_OK;
}

/* ---- one exchange ---- */

void s3_xfer_reset(struct s3_xfer *x)
{
	free(x->body);
	x->body = NULL;
	x->blen = 0;
	x->http = 0;
	x->cc = CURLE_OK;
	x->curlerr[0] = x->etag[0] = x->reqid[0] = '\0';
	x->got = 0;
	x->overflow = 0;
	x->src_err = 0;
	x->pos = 0;
	x->clen = -1;
	x->total = -1;
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
}

void s3_xfer_free(struct s3_xfer *x)
{
	s3_xfer_reset(x);
}

static int add_hdr(struct s3_xfer *x, const char *h)
{
	struct curl_slist *n = curl_slist_append(x->hdrs, h);

	if (!n)
		return -ENOMEM;
	x->hdrs = n;
	return 0;
}

int s3_setup(struct s3_backend *s, CURL *e, struct s3_xfer *x)
{
	char hdr[96];
	int ok = 1;

	s3_xfer_reset(x);
	if (s3_url(&s->addr, x->key, x->query, x->url, sizeof(x->url)) < 0)
		return -ENAMETOOLONG;
	if (add_hdr(x, "x-amz-content-sha256: UNSIGNED-PAYLOAD"))
		return -ENOMEM;
	if (x->range[0]) {
		snprintf(hdr, sizeof(hdr), "Range: %s", x->range);
		if (add_hdr(x, hdr))
			return -ENOMEM;
	}
	if (x->xml && add_hdr(x, "Content-Type: application/xml"))
		return -ENOMEM;
#define SET(o, v) ok &= curl_easy_setopt(e, o, v) == CURLE_OK
	SET(CURLOPT_URL, x->url);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_AWS_SIGV4, s->sigv4);
	SET(CURLOPT_USERNAME, s->cred.access);
	SET(CURLOPT_PASSWORD, s->cred.secret);
	SET(CURLOPT_HTTPHEADER, x->hdrs);
	SET(CURLOPT_ERRORBUFFER, x->curlerr);
	SET(CURLOPT_HEADERFUNCTION, on_header_status);
	SET(CURLOPT_HEADERDATA, x);
	SET(CURLOPT_WRITEFUNCTION, on_write);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)s->cfg.connect_timeout_ms);
	SET(CURLOPT_LOW_SPEED_LIMIT, 1024L);
	SET(CURLOPT_LOW_SPEED_TIME, (long)s->cfg.low_speed_s);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_EXPECT_100_TIMEOUT_MS, 1000L);
	if (s->ca_file)
		SET(CURLOPT_CAINFO, s->ca_file);
	if (!strcmp(x->method, "HEAD")) {
		SET(CURLOPT_NOBODY, 1L);
	} else if (!strcmp(x->method, "PUT")) {
		SET(CURLOPT_UPLOAD, 1L);
		SET(CURLOPT_READFUNCTION, on_read);
		SET(CURLOPT_READDATA, x);
		SET(CURLOPT_SEEKFUNCTION, seek_cb);
		SET(CURLOPT_SEEKDATA, x);
		SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)x->body_len);
		SET(CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024);
	} else if (!strcmp(x->method, "POST")) {
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len);
		SET(CURLOPT_POSTFIELDS, x->mem ? x->mem : "");
	} else if (strcmp(x->method, "GET")) {
		SET(CURLOPT_CUSTOMREQUEST, x->method);
	}
#undef SET
	return ok ? 0 : -EINVAL;
}

static CURL *pool_get(struct s3_backend *s)
{
	CURL *e = NULL;

	pthread_mutex_lock(&s->mu);
	if (s->npool)
		e = s->pool[--s->npool];
	pthread_mutex_unlock(&s->mu);
	if (e)
		curl_easy_reset(e); /* keeps its connections */
	else
		e = curl_easy_init();
	return e;
}

static void pool_put(struct s3_backend *s, CURL *e)
{
	pthread_mutex_lock(&s->mu);
	if (s->npool < sizeof(s->pool) / sizeof(s->pool[0])) {
		s->pool[s->npool++] = e;
		e = NULL;
	}
	pthread_mutex_unlock(&s->mu);
	if (e)
		curl_easy_cleanup(e);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
			      .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int s3_fail(struct s3_backend *s, struct s3_xfer *x, const char *op,
	    unsigned attempts, struct tier_status *st)
{
	char code[64] = "", msg[256] = "";
	const char *obj = x->key ? x->key : "";
	int rc, level = TIER_LOG_ERR;

	if (st) {
		st->http = (int)x->http;
		st->attempts = attempts;
	}
	if (x->src_err) {
		tier_report(&s->base, st, level,
			    "tier s3 %s %s/%s: reading the source failed: %s",
			    op, s->addr.bucket, obj, strerror(-x->src_err));
		return x->src_err;
	}
	if (x->cc != CURLE_OK && !(x->overflow && x->http >= 300)) {
		tier_report(&s->base, st, level,
			    "tier s3 %s %s/%s: %s%s%s%s (%u attempt%s)", op,
			    s->addr.bucket, obj, curl_easy_strerror(x->cc),
			    x->curlerr[0] ? ": " : "", x->curlerr,
			    x->overflow ? " (more data than asked for)" : "",
			    attempts, attempts == 1 ? "" : "s");
		return x->cc == CURLE_PEER_FAILED_VERIFICATION ? -EACCES
								: -EIO;
	}
	if (x->body && x->blen)
		tier_xml_error(x->body, x->blen, code, sizeof(code), msg,
			       sizeof(msg));
	if (!code[0]) /* HEAD has no body: name the status */
		snprintf(code, sizeof(code), "%s",
			 x->http == 404	  ? "NotFound"
			 : x->http == 403 ? "Forbidden"
			 : x->http == 416 ? "InvalidRange"
					  : "HTTP");
	if (st)
		snprintf(st->code, sizeof(st->code), "%s", code);
	rc = s3_errno(x->http, code);
	if (rc == -ENOENT || rc == -ERANGE)
		level = TIER_LOG_INFO;
	tier_report(&s->base, st, level,
		    "tier s3 %s %s/%s: HTTP %ld %s%s%s%s%s (%u attempt%s)", op,
		    s->addr.bucket, obj, x->http, code, msg[0] ? ": " : "",
		    msg, x->reqid[0] ? ", request id " : "", x->reqid,
		    attempts, attempts == 1 ? "" : "s");
	return rc;
}

int s3_perform(struct s3_backend *s, struct s3_xfer *x, const char *op,
	       struct tier_status *st)
{
	unsigned max = s->cfg.max_attempts ? s->cfg.max_attempts : 1;
	CURL *e = pool_get(s);
	int rc = 0;

	if (!e)
		return -ENOMEM;
	for (unsigned attempt = 1;; attempt++) {
		rc = s3_setup(s, e, x);
		if (rc)
			break;
		x->cc = curl_easy_perform(e);
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &x->http);
		if (st) {
			st->attempts = attempt;
			st->http = (int)x->http;
		}
		if (x->cc == CURLE_OK && x->http >= 200 && x->http < 300) {
			curl_easy_getinfo(e, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
					  &x->clen);
			break;
		}
		if (x->src_err || !s3_retryable(x->http, x->cc) ||
		    attempt >= max) {
			rc = s3_fail(s, x, op, attempt, st);
			break;
		}
		unsigned w = s3_backoff_ms(attempt, s->cfg.backoff_ms,
					   s->cfg.backoff_max_ms, s3_rand());
		tier_log(&s->base, TIER_LOG_WARN,
			 "tier s3 %s %s/%s: attempt %u failed (HTTP %ld, %s); "
			 "retrying in %u ms",
			 op, s->addr.bucket, x->key ? x->key : "", attempt,
			 x->http, curl_easy_strerror(x->cc), w);
		sleep_ms(w);
	}
	/* The handle may hold a pointer to x's headers: drop them. */
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
	pool_put(s, e);
	return rc;
}

/* ---- operations ---- */

static struct s3_backend *S(struct tier_backend *b)
{
	return (struct s3_backend *)b;
}

/* The HEAD after a PUT whose answer lacked an ETag: KEY must be SIZE bytes
 * long; OUT gets what the store holds. */
static int s3_verify_head(struct s3_backend *s, const char *key,
			  uint64_t size, struct tier_obj *out,
			  struct tier_status *st)
{
	int rc = s3_head(&s->base, key, out, st);

	if (rc == 0 && out->size != size) {
		tier_report(&s->base, st, TIER_LOG_ERR,
			    "tier s3 put %s: HEAD after it shows %llu bytes, "
			    "not %llu",
			    key, (unsigned long long)out->size,
			    (unsigned long long)size);
		rc = -EIO;
	}
	return rc;
}

static int s3_put(struct tier_backend *b, const char *key,
		  const struct tier_source *src, uint64_t size,
		  struct tier_obj *out, struct tier_status *st)
{
	struct s3_backend *s = S(b);
	struct tier_part_plan plan;
	struct s3_xfer x = {.method = "PUT", .key = key, .src = src,
			    .body_len = size};
	char etag[TIER_ETAG_MAX];
	int rc;

	rc = tier_part_plan(size, s->cfg.multipart_threshold,
			    s->cfg.part_size, &plan);
	if (rc) {
		tier_report(b, st, TIER_LOG_ERR,
			    "tier s3 put %s: %llu bytes: %s", key,
			    (unsigned long long)size, strerror(-rc));
		return rc;
	}
	if (plan.multipart)
		return s3_put_multipart(s, key, src, size, plan.part_size,
					plan.nparts, out, st);
	rc = s3_perform(s, &x, "put", st);
	snprintf(etag, sizeof(etag), "%s", x.etag);
	s3_xfer_free(&x);
	if (rc || !out)
		return rc;
	/* A 2xx to a PUT of SIZE bytes (Content-Length) is the store saying
	 * it holds those bytes under KEY, and its ETag is the one a HEAD
	 * would give: the object as the job records it, with no request
	 * more. A store that answers without an ETag gets the HEAD. */
	if (!etag[0])
		return s3_verify_head(s, key, size, out, st);
	out->size = size;
	snprintf(out->etag, sizeof(out->etag), "%s", etag);
	return 0;
}

/* A GET of [OFF, OFF + LEN) of KEY; OBJ (may be NULL) gets the whole
 * object's size and etag as the answer states them (Content-Range, or
 * Content-Length of a whole answer; ETag), or, if it states either not
 * (an empty object's 416, a server without them), as a HEAD after it
 * does. */
static int s3_get_any(struct tier_backend *b, const char *key, uint64_t off,
		      size_t len, void *buf, size_t *got, struct tier_obj *obj,
		      struct tier_status *st)
{
	struct s3_xfer x = {.method = "GET", .key = key, .dst = buf,
			    .dst_cap = len};
	int rc, known = 0;

	snprintf(x.range, sizeof(x.range), "bytes=%llu-%llu",
		 (unsigned long long)off, (unsigned long long)(off + len - 1));
	rc = s3_perform(S(b), &x, "get", st);
	if (rc == -ERANGE && off == 0) {
		/* Byte 0 is in every object but an empty one. */
		rc = 0;
		x.got = 0;
		if (st)
			st->msg[0] = st->code[0] = '\0';
	}
	if (rc == 0 && x.http == 200 && off != 0) {
		tier_report(b, st, TIER_LOG_ERR,
			    "tier s3 get %s: the server ignored the Range", key);
		rc = -EIO;
	}
	if (rc == 0)
		*got = x.got;
	if (rc == 0 && obj && x.etag[0]) {
		int64_t size = x.http == 206 ? x.total
			       : x.http == 200 ? (int64_t)x.clen : -1;

		if (size >= 0) {
			obj->size = (uint64_t)size;
			snprintf(obj->etag, sizeof(obj->etag), "%s", x.etag);
			known = 1;
		}
	}
	s3_xfer_free(&x);
	if (rc == 0 && obj && !known)
		rc = s3_head(b, key, obj, st);
	return rc;
}

static int s3_get(struct tier_backend *b, const char *key, uint64_t off,
		  size_t len, void *buf, size_t *got, struct tier_status *st)
{
	return s3_get_any(b, key, off, len, buf, got, NULL, st);
}

static int s3_get_obj(struct tier_backend *b, const char *key, uint64_t off,
		      size_t len, void *buf, size_t *got,
		      struct tier_obj *obj, struct tier_status *st)
{
	return s3_get_any(b, key, off, len, buf, got, obj, st);
}

int s3_head(struct tier_backend *b, const char *key, struct tier_obj *out,
	    struct tier_status *st)
{
	struct s3_xfer x = {.method = "HEAD", .key = key};
	int rc = s3_perform(S(b), &x, "head", st);

	if (rc == 0 && x.clen < 0) {
		tier_report(b, st, TIER_LOG_ERR,
			    "tier s3 head %s: no Content-Length", key);
		rc = -EIO;
	}
	if (rc == 0 && out) {
		out->size = (uint64_t)x.clen;
		snprintf(out->etag, sizeof(out->etag), "%s", x.etag);
	}
	s3_xfer_free(&x);
	return rc;
}

static int s3_del(struct tier_backend *b, const char *key,
		  struct tier_status *st)
{
	struct s3_xfer x = {.method = "DELETE", .key = key};
	int rc = s3_perform(S(b), &x, "delete", st);

	if (rc == -ENOENT) /* S3 says 204; some servers 404: both are gone */
		rc = 0;
	s3_xfer_free(&x);
	return rc;
}

static int s3_list(struct tier_backend *b, const char *prefix,
		   const char *token, unsigned max,
		   struct tier_list_page *page, struct tier_status *st)
{
	char maxs[16], err[TIER_MSG_MAX];
	struct s3_qparam q[4] = {{"list-type", "2"},
				 {"max-keys", maxs},
				 {"prefix", prefix},
				 {"continuation-token", token}};
	struct s3_xfer x = {.method = "GET", .body_max = S3_LISTBODY_MAX};
	int rc;

	snprintf(maxs, sizeof(maxs), "%u", max);
	x.query = s3_query(q, token ? 4 : 3);
	if (!x.query)
		return -ENOMEM;
	rc = s3_perform(S(b), &x, "list", st);
	if (rc == 0) {
		rc = tier_xml_list(x.body, x.blen, page, err, sizeof(err));
		if (rc)
			tier_report(b, st, TIER_LOG_ERR,
				    "tier s3 list %s/%s: %s", S(b)->addr.bucket,
				    prefix, err);
	}
	free((char *)x.query);
	s3_xfer_free(&x);
	return rc;
}

static int s3_uploads(struct tier_backend *b, const char *prefix,
		      const char *key_marker, const char *id_marker,
		      unsigned max, struct tier_list_page *page,
		      struct tier_status *st)
{
	char maxs[16], err[TIER_MSG_MAX];
	struct s3_qparam q[5] = {{"uploads", ""},
				 {"max-uploads", maxs},
				 {"prefix", prefix},
				 {"key-marker", key_marker},
				 {"upload-id-marker", id_marker}};
	struct s3_xfer x = {.method = "GET", .body_max = S3_LISTBODY_MAX};
	int rc;

	snprintf(maxs, sizeof(maxs), "%u", max);
	x.query = s3_query(q, key_marker ? (id_marker ? 5 : 4) : 3);
	if (!x.query)
		return -ENOMEM;
	rc = s3_perform(S(b), &x, "list uploads", st);
	if (rc == 0) {
		rc = tier_xml_uploads(x.body, x.blen, page, err, sizeof(err));
		if (rc)
			tier_report(b, st, TIER_LOG_ERR,
				    "tier s3 list uploads %s/%s: %s",
				    S(b)->addr.bucket, prefix, err);
	}
	free((char *)x.query);
	s3_xfer_free(&x);
	return rc;
}

static int s3_abort(struct tier_backend *b, const char *key,
		    const char *upload_id, struct tier_status *st)
{
	return s3_abort_upload(S(b), key, upload_id, st);
}

static void s3_close(struct tier_backend *b)
{
	struct s3_backend *s = S(b);

	for (unsigned i = 0; i < s->npool; i++)
		curl_easy_cleanup(s->pool[i]);
	for (unsigned i = 0; i < s->nspare; i++)
		free(s->spare[i]);
	pthread_mutex_destroy(&s->mu);
	tier_cred_wipe(&s->cred);
	free(s->ca_file);
	free(s);
}

static const struct tier_ops s3_ops = {
	.name = "s3",
	.put = s3_put,
	.get = s3_get,
	.get_obj = s3_get_obj,
	.head = s3_head,
	.del = s3_del,
	.list = s3_list,
	.close = s3_close,
	.uploads = s3_uploads,
	.abort_upload = s3_abort,
};

int tier_s3_open(const struct tier_config *cfg, struct tier_backend **out,
		 struct tier_status *st)
{
	struct tier_backend tmp = {.log = cfg->log, .log_arg = cfg->log_arg};
	char err[TIER_MSG_MAX];
	struct s3_backend *s;
	const char *region = cfg->region ? cfg->region : "us-east-1";
	int rc;

	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK) {
		tier_report(&tmp, st, TIER_LOG_ERR, "tier s3: libcurl: %s",
			    curl_easy_strerror(curl_init_rc));
		return -EIO;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->base.ops = &s3_ops;
	s->base.log = cfg->log;
	s->base.log_arg = cfg->log_arg;
	s->cfg = *cfg;
	s->cfg.dir = s->cfg.endpoint = s->cfg.bucket = s->cfg.region = NULL;
	s->cfg.credentials_file = s->cfg.ca_file = NULL;
	pthread_mutex_init(&s->mu, NULL);
	rc = s3_addr_parse(cfg->endpoint, cfg->bucket, cfg->addressing,
			   &s->addr, err, sizeof(err));
	if (rc == 0 && (!*region || strspn(region,
					   "abcdefghijklmnopqrstuvwxyz0123456789-") !=
					    strlen(region))) {
		snprintf(err, sizeof(err), "s3: bad region '%.40s'", region);
		rc = -EINVAL;
	}
	if (rc == 0 && cfg->addressing == TIER_VIRTUAL_HOSTED &&
	    strspn(s->addr.host, "0123456789.") == strlen(s->addr.host)) {
		snprintf(err, sizeof(err),
			 "s3: virtual-hosted addressing needs a host name, "
			 "not the address %s",
			 s->addr.host);
		rc = -EINVAL;
	}
	if (rc == 0)
		rc = tier_cred_load(cfg->credentials_file, &s->cred, err,
				    sizeof(err));
	if (rc == 0 && cfg->ca_file && !(s->ca_file = strdup(cfg->ca_file)))
		rc = -ENOMEM;
	if (rc) {
		tier_report(&tmp, st, TIER_LOG_ERR, "tier %s", err);
		s3_close(&s->base);
		return rc;
	}
	snprintf(s->sigv4, sizeof(s->sigv4), "aws:amz:%s:s3", region);
	*out = &s->base;
	return 0;
}
