/*
 * tests/unit/tier_fake_s3.h -- a scripted HTTP/1.1 server on 127.0.0.1
 * for the s3 backend's unit tests: each request goes to the test's
 * handler, which picks the answer (any status, headers, body, or a
 * hang-up without one). Not S3: tests/s3/run-s3.sh uses a real one.
 */
#ifndef STRATA_TIER_FAKE_S3_H
#define STRATA_TIER_FAKE_S3_H

#include <pthread.h>
#include <stddef.h>

struct fake_req {
	char method[8];
	char target[1024]; /* path and query as sent */
	char auth[256];	   /* the Authorization header */
	char range[64];
	char sha_hdr[80]; /* x-amz-content-sha256 */
	char ctype[64];
	size_t body_len;
	unsigned long body_sum; /* sum of the body's bytes */
};

struct fake_resp {
	int status;
	char headers[256]; /* extra header lines, each ending "\r\n" */
	const char *body;
	size_t body_len; /* 0: strlen(body) */
	unsigned long long head_len; /* HEAD: the Content-Length to send */
	int hangup;	  /* close the connection without answering */
};

/* Called with the server's lock held, one request at a time. BODY is the
 * request body (body_len bytes) or NULL. */
typedef void (*fake_handler)(void *arg, const struct fake_req *rq,
			     const char *body, struct fake_resp *out);

#define FAKE_LOG_MAX 128
#define FAKE_CONN_MAX 64

struct fake_s3 {
	int lfd, port;
	pthread_t acceptor;
	pthread_t conns[FAKE_CONN_MAX];
	int nconns;
	_Atomic int stop;
	pthread_mutex_t mu;
	fake_handler handler;
	void *arg;
	unsigned nreq;
	struct fake_req log[FAKE_LOG_MAX];
};

/* Listen on the first free port of 127.0.0.1:28090..28099 (or 10 from
 * $STRATA_FAKE_S3_PORT); 0 or -1. */
int fake_s3_start(struct fake_s3 *f, fake_handler h, void *arg);
void fake_s3_stop(struct fake_s3 *f);

#endif
