/*
 * tiering/tier_s3.h — inside the "s3" backend (tier_s3*.c); not for users,
 * who see tier_backend.h only. The pure helpers are here for the tests.
 */
#ifndef STRATA_TIER_S3_H
#define STRATA_TIER_S3_H

#include <curl/curl.h>
#include <pthread.h>

#include "tier_backend.h"
#include "tier_cred.h"

/* Where the bucket is: scheme, host, port (may be ""), bucket, style. */
struct s3_addr {
	char scheme[8];
	char host[256];
	char port[8];
	char bucket[64];
	enum tier_addressing style;
};

/* "http(s)://host[:port]" (a trailing '/' allowed, no path) and BUCKET
 * (3..63 of [a-z0-9.-]) into *A; 0 or -EINVAL with ERR. */
int s3_addr_parse(const char *endpoint, const char *bucket,
		  enum tier_addressing style, struct s3_addr *a, char *err,
		  size_t errlen);
/* The URL of KEY (NULL: the bucket) with QUERY (canonical, or NULL):
 * path-style  scheme://host[:port]/bucket/key?query
 * virtual     scheme://bucket.host[:port]/key?query
 * Its length, or -ENAMETOOLONG. */
int s3_url(const struct s3_addr *a, const char *key, const char *query,
	   char *out, size_t cap);

/* A canonical SigV4 query: the N name=value pairs sorted by name, each
 * percent-encoded (RFC 3986 unreserved kept), every one as name=value
 * (also "uploads="). malloc'd or NULL. */
struct s3_qparam {
	const char *name;
	const char *value;
};
char *s3_query(struct s3_qparam *p, unsigned n);

/* The complete length of a Content-Range header's value P (LEN bytes,
 * "bytes A-B/TOTAL"), or -1 ("*" or malformed). */
int64_t s3_range_total(const char *p, size_t len);

/* Is this failure worth another try? HTTP 5xx (and 0 with a transport
 * error that is a refusal, reset, timeout or cut-short answer): yes; any
 * answered 4xx or 2xx/3xx: no. */
int s3_retryable(long http, CURLcode cc);
/* Wait before retry number ATTEMPT (1 = after the first failure): BASE *
 * 2^(ATTEMPT-1) capped at MAX, then jittered into [half, full] with
 * RND (any 32-bit value). */
unsigned s3_backoff_ms(unsigned attempt, unsigned base, unsigned max,
		       uint32_t rnd);
/* Map an answered HTTP status (and S3 error code) to -errno. */
int s3_errno(long http, const char *code);

/* ---- the backend record and its request machinery (tier_s3.c) ---- */

struct s3_backend {
	struct tier_backend base;
	struct s3_addr addr;
	struct tier_cred cred;
	char sigv4[96]; /* "aws:amz:<region>:s3" */
	char *ca_file;
	struct tier_config cfg; /* numbers only; strings not kept */
	pthread_mutex_t mu;	/* the pools of easy handles and buffers */
	CURL *pool[16];
	unsigned npool;
	/* Spare multipart part buffers of SPARE_SIZE bytes, kept between
	 * uploads (tier_s3_mpu.c): at most parallel_parts of them (and
	 * S3_SPARES_MAX), so an idle backend holds parallel_parts x
	 * part_size bytes (64 MiB by default) once it has uploaded. */
	char *spare[8];
	unsigned nspare;
	uint64_t spare_size;
};
#define S3_SPARES_MAX 8

/* The most of an answer's body kept in memory: an error or XML answer
 * (body_max 0), or a listing page (1,000 keys with long names). */
#define S3_ERRBODY_MAX (64u << 10)
#define S3_LISTBODY_MAX (16u << 20)

/* One HTTP exchange: what to send, where the answer goes. */
struct s3_xfer {
	/* request */
	const char *method; /* GET HEAD PUT DELETE POST */
	const char *key;
	const char *query;
	const struct tier_source *src; /* PUT body from a source ... */
	uint64_t src_off;
	const char *mem;		/* ... or from memory */
	uint64_t body_len;
	char *dst; /* GET body into the caller's buffer */
	size_t dst_cap;
	char range[64];
	int xml; /* POST: Content-Type application/xml */
	size_t body_max; /* 0: S3_ERRBODY_MAX */
	/* answer */
	long http;
	CURLcode cc;
	char curlerr[CURL_ERROR_SIZE];
	char etag[TIER_ETAG_MAX];
	char reqid[64];
	char *body; /* error or XML body, NUL-terminated */
	size_t blen;
	size_t got; /* bytes into dst */
	curl_off_t clen; /* Content-Length of a 2xx answer, -1 if none */
	int64_t total;   /* Content-Range's complete length, -1 if none */
	int overflow;
	int src_err;
	/* internal */
	uint64_t pos; /* upload bytes sent */
	struct curl_slist *hdrs;
	char url[TIER_KEY_MAX + 512];
};

/* Set E up for X (after curl_easy_reset); 0 or -errno. */
int s3_setup(struct s3_backend *s, CURL *e, struct s3_xfer *x);
/* Forget X's answer before a (re)try, and free what it holds. */
void s3_xfer_reset(struct s3_xfer *x);
void s3_xfer_free(struct s3_xfer *x);
/* Run X with retries (blocking). 0 on a 2xx answer; else -errno with ST
 * and the log saying what failed. OP names it ("put", "get" ...). */
int s3_perform(struct s3_backend *s, struct s3_xfer *x, const char *op,
	       struct tier_status *st);
/* Fill ST and log the failure of X (after its last attempt). */
int s3_fail(struct s3_backend *s, struct s3_xfer *x, const char *op,
	    unsigned attempts, struct tier_status *st);
uint32_t s3_rand(void);

/* The multipart upload (tier_s3_mpu.c). */
int s3_put_multipart(struct s3_backend *s, const char *key,
		     const struct tier_source *src, uint64_t size,
		     uint64_t part_size, unsigned nparts, struct tier_obj *out,
		     struct tier_status *st);
int s3_head(struct tier_backend *b, const char *key, struct tier_obj *out,
	    struct tier_status *st);
/* AbortMultipartUpload (DELETE ?uploadId=); an upload already gone is
 * done. */
int s3_abort_upload(struct s3_backend *s, const char *key,
		    const char *upload_id, struct tier_status *st);

#endif
