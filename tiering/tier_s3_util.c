/*
 * tiering/tier_s3_util.c — the s3 backend's pure parts: the endpoint and
 * URLs for both addressing styles, canonical queries, which failures are
 * retried and how long to wait, HTTP status to errno, and a
 * Content-Range's complete length (tier_s3.h).
 */
#include "tier_s3.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int bucket_ok(const char *b)
{
	size_t n = strlen(b);

	if (n < 3 || n > 63 || b[0] == '.' || b[0] == '-' ||
	    b[n - 1] == '.' || b[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((b[i] >= 'a' && b[i] <= 'z') ||
		      (b[i] >= '0' && b[i] <= '9') || b[i] == '.' ||
		      b[i] == '-'))
			return 0;
	return 1;
}

int s3_addr_parse(const char *endpoint, const char *bucket,
		  enum tier_addressing style, struct s3_addr *a, char *err,
		  size_t errlen)
{
	const char *h, *end, *colon;
	size_t hl;

	memset(a, 0, sizeof(*a));
	if (!endpoint || !bucket) {
		snprintf(err, errlen, "s3: endpoint and bucket are required");
		return -EINVAL;
	}
	if (!strncmp(endpoint, "http://", 7)) {
		strcpy(a->scheme, "http");
		h = endpoint + 7;
	} else if (!strncmp(endpoint, "https://", 8)) {
		strcpy(a->scheme, "https");
		h = endpoint + 8;
	} else {
		snprintf(err, errlen,
			 "s3: endpoint '%.100s' must start with http:// or "
			 "https://",
			 endpoint);
		return -EINVAL;
	}
	end = h + strcspn(h, "/?#@");
	if (*end && strcmp(end, "/")) {
		snprintf(err, errlen,
			 "s3: endpoint '%.100s': only scheme://host[:port]",
			 endpoint);
		return -EINVAL;
	}
	colon = memchr(h, ':', (size_t)(end - h));
	hl = (size_t)((colon ? colon : end) - h);
	if (hl == 0 || hl >= sizeof(a->host)) {
		snprintf(err, errlen, "s3: endpoint '%.100s': bad host",
			 endpoint);
		return -EINVAL;
	}
	memcpy(a->host, h, hl);
	for (size_t i = 0; i < hl; i++) {
		char c = a->host[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '-')) {
			snprintf(err, errlen,
				 "s3: endpoint '%.100s': bad host", endpoint);
			return -EINVAL;
		}
	}
	if (colon) {
		size_t pl = (size_t)(end - colon - 1);
		if (pl == 0 || pl > 5 || strspn(colon + 1, "0123456789") < pl) {
			snprintf(err, errlen,
				 "s3: endpoint '%.100s': bad port", endpoint);
			return -EINVAL;
		}
		memcpy(a->port, colon + 1, pl);
	}
	if (!bucket_ok(bucket)) {
		snprintf(err, errlen,
			 "s3: bucket '%.80s': 3 to 63 of [a-z0-9.-], not "
			 "starting or ending with '.' or '-'",
			 bucket);
		return -EINVAL;
	}
	strcpy(a->bucket, bucket);
	a->style = style;
	return 0;
}

int s3_url(const struct s3_addr *a, const char *key, const char *query,
	   char *out, size_t cap)
{
	int n;
	const char *colon = a->port[0] ? ":" : "";

	if (a->style == TIER_VIRTUAL_HOSTED)
		n = snprintf(out, cap, "%s://%s.%s%s%s/%s%s%s", a->scheme,
			     a->bucket, a->host, colon, a->port,
			     key ? key : "", query ? "?" : "",
			     query ? query : "");
	else
		n = snprintf(out, cap, "%s://%s%s%s/%s%s%s%s%s", a->scheme,
			     a->host, colon, a->port, a->bucket,
			     key ? "/" : "", key ? key : "", query ? "?" : "",
			     query ? query : "");
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : n;
}

static int qcmp(const void *x, const void *y)
{
	return strcmp(((const struct s3_qparam *)x)->name,
		      ((const struct s3_qparam *)y)->name);
}

char *s3_query(struct s3_qparam *p, unsigned n)
{
	size_t cap = 1, o = 0;
	char *q, *enc[2 * 8];

	if (n > 8)
		return NULL;
	qsort(p, n, sizeof(*p), qcmp);
	for (unsigned i = 0; i < 2 * n; i++) {
		const char *s = i % 2 ? p[i / 2].value : p[i / 2].name;
		/* curl_easy_escape keeps exactly RFC 3986's unreserved
		 * characters, as SigV4 wants. */
		enc[i] = curl_easy_escape(NULL, s ? s : "", 0);
		if (!enc[i]) {
			while (i--)
				curl_free(enc[i]);
			return NULL;
		}
		cap += strlen(enc[i]) + 1;
	}
	q = malloc(cap);
	if (q) {
		q[0] = '\0';
		for (unsigned i = 0; i < n; i++)
			o += (size_t)snprintf(q + o, cap - o, "%s%s=%s",
					      i ? "&" : "", enc[2 * i],
					      enc[2 * i + 1]);
	}
	for (unsigned i = 0; i < 2 * n; i++)
		curl_free(enc[i]);
	return q;
}

int64_t s3_range_total(const char *p, size_t len)
{
	char buf[96], *slash, *end;
	unsigned long long v;

	while (len && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	while (len && (p[len - 1] == '\r' || p[len - 1] == '\n' ||
		       p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	if (len >= sizeof(buf) || len < 7 || strncasecmp(p, "bytes ", 6))
		return -1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	slash = strrchr(buf, '/');
	if (!slash || slash[1] < '0' || slash[1] > '9')
		return -1; /* "*": the length is not known */
	errno = 0;
	v = strtoull(slash + 1, &end, 10);
	if (errno || *end || v > (unsigned long long)INT64_MAX)
		return -1;
	return (int64_t)v;
}

int s3_retryable(long http, CURLcode cc)
{
	if (cc != CURLE_OK) {
		switch (cc) {
		case CURLE_COULDNT_CONNECT:
		case CURLE_OPERATION_TIMEDOUT:
		case CURLE_SEND_ERROR:
		case CURLE_RECV_ERROR:
		case CURLE_GOT_NOTHING:
		case CURLE_PARTIAL_FILE:
		case CURLE_COULDNT_RESOLVE_HOST:
		case CURLE_HTTP2:
		case CURLE_HTTP2_STREAM:
		case CURLE_SSL_CONNECT_ERROR:
			return 1;
		default:
			return 0; /* ours: a write or read callback, TLS
				     verification, bad options */
		}
	}
	return http >= 500 && http <= 599;
}

unsigned s3_backoff_ms(unsigned attempt, unsigned base, unsigned max,
		       uint32_t rnd)
{
	uint64_t w = base;

	for (unsigned i = 1; i < attempt && w < max; i++)
		w *= 2;
	if (w > max)
		w = max;
	/* Full wait halved, plus a random part of the other half. */
	return (unsigned)(w / 2 + (w - w / 2 ? rnd % (w - w / 2 + 1) : 0));
}

int s3_errno(long http, const char *code)
{
	if (http == 404)
		return code && !strcmp(code, "NoSuchBucket") ? -EIO : -ENOENT;
	if (http == 401 || http == 403)
		return -EACCES;
	if (http == 416)
		return -ERANGE;
	if (http == 400)
		return -EINVAL;
	return -EIO;
}
