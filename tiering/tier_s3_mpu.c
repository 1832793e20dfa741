/*
 * tiering/tier_s3_mpu.c — multipart upload with parts in parallel, on the
 * calling thread, with libcurl's multi interface.
 *
 * CreateMultipartUpload (POST ?uploads=), then the parts: each is read
 * from the source into its own buffer (on this thread, one after the
 * other), then PUT with ?partNumber=N&uploadId=U; up to parallel_parts
 * buffers are held at once (in flight or waiting to retry), so memory is
 * bounded by parallel_parts x part_size. A part that fails retryably
 * waits out its backoff as a deadline in the event loop (no sleeping while
 * others are in flight); a part that fails for good, or runs out of
 * attempts, aborts the upload (DELETE ?uploadId=U). Then
 * CompleteMultipartUpload (whose 200 answer may still hold an Error), and
 * a HEAD that must show the whole size.
 */
#include "tier_buf.h"
#include "tier_s3.h"
#include "tier_xml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum part_state { P_WAIT, P_FLIGHT, P_RETRY, P_DONE };

struct part {
	enum part_state state;
	unsigned attempts;
	uint64_t off, len;
	char *buf;
	uint64_t retry_at; /* ms, monotonic */
	CURL *e;
	struct s3_xfer x;
	char query[600];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Part buffers are reused, within an upload and across uploads: a fresh
 * one's page faults cost more than the copy (tier_buf.h; tier_s3.h,
 * struct s3_backend's spares). SIZE is the upload's part
 * size; a buffer of another size is not kept. */
struct bufpool {
	struct s3_backend *s;
	uint64_t size;
};

static char *buf_take(struct bufpool *bp)
{
	struct s3_backend *s = bp->s;
	char *b = NULL;

	pthread_mutex_lock(&s->mu);
	if (s->nspare && s->spare_size == bp->size)
		b = s->spare[--s->nspare];
	pthread_mutex_unlock(&s->mu);
	return b ? b : tier_buf_new(bp->size);
}

static void buf_give(struct bufpool *bp, char *b)
{
	struct s3_backend *s = bp->s;
	unsigned keep = s->cfg.parallel_parts ? s->cfg.parallel_parts : 1;

	if (keep > S3_SPARES_MAX)
		keep = S3_SPARES_MAX;
	pthread_mutex_lock(&s->mu);
	if (s->nspare == 0)
		s->spare_size = bp->size;
	if (s->spare_size == bp->size && s->nspare < keep) {
		s->spare[s->nspare++] = b;
		b = NULL;
	}
	pthread_mutex_unlock(&s->mu);
	free(b);
}

static int start_part(struct s3_backend *s, CURLM *m, struct part *p,
		      const char *key, unsigned num, const char *upload_id,
		      const struct tier_source *src, struct bufpool *bp)
{
	struct s3_qparam q[2] = {{"partNumber", NULL}, {"uploadId", upload_id}};
	char nums[16];
	char *qs;
	int rc;

	if (!p->buf) {
		p->buf = buf_take(bp);
		if (!p->buf)
			return -ENOMEM;
		rc = src->read(src->arg, p->off, p->buf, p->len);
		if (rc) {
			p->x.src_err = rc;
			return rc;
		}
	}
	snprintf(nums, sizeof(nums), "%u", num);
	q[0].value = nums;
	qs = s3_query(q, 2);
	if (!qs || strlen(qs) >= sizeof(p->query)) {
		free(qs);
		return -ENOMEM;
	}
	strcpy(p->query, qs);
	free(qs);
	p->x.method = "PUT";
	p->x.key = key;
	p->x.query = p->query;
	p->x.mem = p->buf;
	p->x.body_len = p->len;
	if (!p->e && !(p->e = curl_easy_init()))
		return -ENOMEM;
	curl_easy_reset(p->e);
	rc = s3_setup(s, p->e, &p->x);
	if (rc)
		return rc;
	curl_easy_setopt(p->e, CURLOPT_PRIVATE, p);
	if (curl_multi_add_handle(m, p->e) != CURLM_OK)
		return -ENOMEM;
	p->attempts++;
	p->state = P_FLIGHT;
	return 0;
}

static void drop_buf(struct part *p, unsigned *held, struct bufpool *bp)
{
	buf_give(bp, p->buf);
	p->buf = NULL;
	(*held)--;
}

/* Upload every part; 0, or -errno with ST set (by s3_fail). */
static int upload_parts(struct s3_backend *s, const char *key,
			const char *upload_id, const struct tier_source *src,
			struct part *parts, unsigned nparts,
			struct tier_status *st)
{
	unsigned par = s->cfg.parallel_parts ? s->cfg.parallel_parts : 1;
	unsigned max = s->cfg.max_attempts ? s->cfg.max_attempts : 1;
	unsigned held = 0, done = 0, next = 0, attempts = 0;
	struct part *bad = NULL;
	struct bufpool bp = {.s = s, .size = parts[0].len};
	CURLM *m = curl_multi_init();
	int rc = 0, running;

	if (!m)
		return -ENOMEM;
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)par);
	while (done < nparts && rc == 0) {
		uint64_t now = now_ms(), wake = now + 1000;
		/* Retries whose wait is over go first, then new parts. */
		for (unsigned i = 0; i < nparts && rc == 0; i++) {
			struct part *p = &parts[i];
			if (p->state != P_RETRY)
				continue;
			if (p->retry_at <= now) {
				rc = start_part(s, m, p, key, i + 1, upload_id,
						src, &bp);
				bad = p;
			} else if (p->retry_at < wake)
				wake = p->retry_at;
		}
		while (rc == 0 && next < nparts && held < par) {
			held++;
			bad = &parts[next];
			rc = start_part(s, m, bad, key, next + 1, upload_id,
					src, &bp);
			next++;
		}
		if (rc) {
			if (bad->x.src_err)
				rc = s3_fail(s, &bad->x, "put part",
					     bad->attempts, st);
			else
				tier_report(&s->base, st, TIER_LOG_ERR,
					    "tier s3 put %s: cannot start a "
					    "part: %s",
					    key, strerror(-rc));
			break;
		}
		curl_multi_perform(m, &running);
		CURLMsg *msg;
		int left, finished = 0;
		while ((msg = curl_multi_info_read(m, &left))) {
			struct part *p = NULL;
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
					  (char **)&p);
			p->x.cc = msg->data.result;
			curl_easy_getinfo(p->e, CURLINFO_RESPONSE_CODE,
					  &p->x.http);
			curl_multi_remove_handle(m, p->e);
			attempts++;
			finished++;
			unsigned num = (unsigned)(p - parts) + 1;
			if (p->x.cc == CURLE_OK && p->x.http >= 200 &&
			    p->x.http < 300 && p->x.etag[0]) {
				p->state = P_DONE;
				done++;
				drop_buf(p, &held, &bp);
			} else if (p->x.cc == CURLE_OK && p->x.http >= 200 &&
				   p->x.http < 300) {
				tier_report(&s->base, st, TIER_LOG_ERR,
					    "tier s3 put %s: part %u: no ETag "
					    "in the answer",
					    key, num);
				rc = -EIO;
			} else if (s3_retryable(p->x.http, p->x.cc) &&
				   p->attempts < max) {
				unsigned w = s3_backoff_ms(
					p->attempts, s->cfg.backoff_ms,
					s->cfg.backoff_max_ms, s3_rand());
				tier_log(&s->base, TIER_LOG_WARN,
					 "tier s3 put %s: part %u attempt %u "
					 "failed (HTTP %ld, %s); retrying in "
					 "%u ms",
					 key, num, p->attempts, p->x.http,
					 curl_easy_strerror(p->x.cc), w);
				p->state = P_RETRY;
				p->retry_at = now_ms() + w;
				if (p->retry_at < wake)
					wake = p->retry_at;
			} else {
				char op[32];
				snprintf(op, sizeof(op), "put part %u", num);
				rc = s3_fail(s, &p->x, op, p->attempts, st);
			}
		}
		if (rc || done == nparts)
			break;
		if (finished)
			continue; /* a slot is free: start the next part now,
				     not after a poll with nothing to wake it */
		now = now_ms();
		int timeout = wake > now ? (int)(wake - now) : 0;
		curl_multi_poll(m, NULL, 0, timeout > 1000 ? 1000 : timeout,
				NULL);
	}
	for (unsigned i = 0; i < nparts; i++) {
		if (parts[i].state == P_FLIGHT && rc)
			curl_multi_remove_handle(m, parts[i].e);
		if (parts[i].e)
			curl_easy_cleanup(parts[i].e);
		parts[i].e = NULL;
	}
	curl_multi_cleanup(m);
	if (st && rc == 0)
		st->attempts = attempts;
	return rc;
}

int s3_abort_upload(struct s3_backend *s, const char *key,
		    const char *upload_id, struct tier_status *st)
{
	struct s3_qparam q[1] = {{"uploadId", upload_id}};
	struct s3_xfer x = {.method = "DELETE", .key = key};
	int rc;

	x.query = s3_query(q, 1);
	if (!x.query)
		return -ENOMEM;
	rc = s3_perform(s, &x, "abort multipart upload", st);
	if (rc == -ENOENT) /* NoSuchUpload: gone already */
		rc = 0;
	if (rc == 0)
		tier_log(&s->base, TIER_LOG_INFO,
			 "tier s3 %s: multipart upload aborted", key);
	free((char *)x.query);
	s3_xfer_free(&x);
	return rc;
}

static void abort_upload(struct s3_backend *s, const char *key,
			 const char *upload_id)
{
	struct tier_status st;

	(void)s3_abort_upload(s, key, upload_id, &st);
}

int s3_put_multipart(struct s3_backend *s, const char *key,
		     const struct tier_source *src, uint64_t size,
		     uint64_t part_size, unsigned nparts, struct tier_obj *out,
		     struct tier_status *st)
{
	char upload_id[512], err[TIER_MSG_MAX], code[64], etag[TIER_ETAG_MAX];
	char(*etags)[TIER_ETAG_MAX] = NULL;
	struct s3_qparam q[1] = {{"uploads", ""}};
	struct s3_xfer x = {.method = "POST", .key = key, .xml = 1};
	struct part *parts;
	struct tier_obj h;
	char *body = NULL;
	unsigned requests = 0;
	int rc;

	parts = calloc(nparts, sizeof(*parts));
	etags = calloc(nparts, sizeof(*etags));
	x.query = s3_query(q, 1);
	if (!parts || !etags || !x.query) {
		rc = -ENOMEM;
		goto out;
	}
	rc = s3_perform(s, &x, "create multipart upload", st);
	requests += st ? st->attempts : 0;
	if (rc == 0) {
		rc = tier_xml_upload_id(x.body, x.blen, upload_id,
					sizeof(upload_id), err, sizeof(err));
		if (rc)
			tier_report(&s->base, st, TIER_LOG_ERR,
				    "tier s3 put %s: %s", key, err);
	}
	free((char *)x.query);
	x.query = NULL;
	if (rc)
		goto out;
	for (unsigned i = 0; i < nparts; i++) {
		parts[i].off = (uint64_t)i * part_size;
		parts[i].len = i + 1 < nparts ? part_size
					      : size - (uint64_t)i * part_size;
		parts[i].state = P_WAIT;
	}
	rc = upload_parts(s, key, upload_id, src, parts, nparts, st);
	if (rc)
		goto abort;
	requests += st ? st->attempts : 0;
	for (unsigned i = 0; i < nparts; i++)
		memcpy(etags[i], parts[i].x.etag, TIER_ETAG_MAX);
	body = tier_xml_complete_body(etags, nparts);
	struct s3_qparam cq[1] = {{"uploadId", upload_id}};
	x.query = s3_query(cq, 1);
	if (!body || !x.query) {
		rc = -ENOMEM;
		goto abort;
	}
	x.mem = body;
	x.body_len = strlen(body);
	rc = s3_perform(s, &x, "complete multipart upload", st);
	requests += st ? st->attempts : 0;
	if (rc == 0) {
		rc = tier_xml_complete(x.body, x.blen, etag, sizeof(etag), code,
				       sizeof(code), err, sizeof(err));
		if (rc) {
			if (st)
				snprintf(st->code, sizeof(st->code), "%s", code);
			tier_report(&s->base, st, TIER_LOG_ERR,
				    "tier s3 put %s: %s", key, err);
			goto abort;
		}
	} else {
		goto abort;
	}
	/* The answer said done; the object must now be there, whole. */
	rc = s3_head(&s->base, key, &h, NULL);
	if (rc == 0 && h.size != size) {
		tier_report(&s->base, st, TIER_LOG_ERR,
			    "tier s3 put %s: HEAD after completing shows %llu "
			    "bytes, not %llu",
			    key, (unsigned long long)h.size,
			    (unsigned long long)size);
		rc = -EIO;
	} else if (rc) {
		tier_report(&s->base, st, TIER_LOG_ERR,
			    "tier s3 put %s: HEAD after completing failed: %s",
			    key, strerror(-rc));
	}
	if (st)
		st->attempts = requests + 1; /* and the HEAD */
	if (rc == 0 && out) {
		out->size = h.size;
		snprintf(out->etag, sizeof(out->etag), "%s",
			 h.etag[0] ? h.etag : etag);
	}
	goto out;
abort:
	abort_upload(s, key, upload_id);
out:
	free((char *)x.query);
	s3_xfer_free(&x);
	free(body);
	if (parts)
		for (unsigned i = 0; i < nparts; i++) {
			free(parts[i].buf);
			s3_xfer_free(&parts[i].x);
		}
	free(parts);
	free(etags);
	return rc;
}
