/*
 * tiering/tier_backend.h — the object tier behind one interface (issue 16,
 * docs/decisions/0025-tier-backends.md).
 *
 * A backend stores whole objects under keys: put (one PUT, or a multipart
 * upload with parallel parts for a large object), get a byte range, head
 * (size and etag), delete, and list by prefix one page at a time. Two
 * backends: "dir" (a local directory, the embedded default: tier_dir.c) and
 * "s3" (libcurl with its SigV4 signer: tier_s3*.c). Both are reached
 * through the struct tier_ops vtable, so a test can bring its own.
 *
 * Contract
 *
 *   Blocking. Every call blocks until the object store has answered (a
 *   large put or get can take minutes; a retried request waits out its
 *   backoff). So the backend is called from tier worker threads only,
 *   never from the COMPOUND executor or any thread that holds the server's
 *   state lock: the executor queues tier work and never waits on the
 *   object store.
 *
 *   Threads. One backend handle may be used by any number of threads at
 *   once, each call independent. tier_open() and tier_close() are not
 *   concurrent with anything: close only after every call has returned.
 *   The put source's read callback is called on the calling thread only,
 *   one call at a time (parallel parts are read one after the other, then
 *   uploaded in parallel).
 *
 *   Buffers. The caller owns every buffer it passes (keys, prefixes, the
 *   get buffer, the status) and keeps them alive for the call only. A list
 *   page is allocated by the backend and freed by tier_list_free(). Nothing
 *   returned points into the backend.
 *
 *   Keys. A key is one or more '/'-separated segments of [A-Za-z0-9._-],
 *   none empty, "." or "..", at most TIER_KEY_MAX bytes (tier_key_ok()).
 *   The tier's own keys are made by tier_key_format() (tier_key.h). A key
 *   is never written twice: each data version of a file gets a new key.
 *   The dir backend refuses to overwrite (-EEXIST); S3 cannot check it.
 *
 *   Errors. Each call returns 0 or a negative errno: -ENOENT (no such
 *   object), -EACCES (refused: wrong credentials, no permission), -EIO
 *   (the store failed, or answered what cannot be parsed), -EINVAL (bad
 *   argument), -ERANGE (a range beyond the object), -ENOMEM, or another
 *   -errno from the local file system. When ST is not NULL it says what
 *   happened in one line fit for the log and an operator: the operation,
 *   the key, the HTTP status, the S3 error code and message. It never holds
 *   a secret. Failures are also logged through the configured log hook.
 *
 *   Listing fails closed. tier_list() returns one page or an error, never
 *   a short page posing as the end: a listing that cannot be read,
 *   parsed, or that says "truncated" without a way to continue is -EIO.
 *   tier_list_all() stops at the first failing page and returns its error
 *   with nothing listed, so a collector never acts on a partial listing.
 *
 *   Retries (s3). A request is retried with exponential backoff and
 *   jitter on a 5xx answer, a connection refused or reset, or a timeout,
 *   up to max_attempts in all; a 4xx answer is final on the first try.
 */
#ifndef STRATA_TIER_BACKEND_H
#define STRATA_TIER_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#define TIER_KEY_MAX 1024
#define TIER_ETAG_MAX 80
#define TIER_MSG_MAX 600

/* Levels of the log hook; the same numbers as the servers' log. */
enum tier_log_level {
	TIER_LOG_ERR = 0,
	TIER_LOG_WARN = 1,
	TIER_LOG_INFO = 2,
	TIER_LOG_DEBUG = 3
};

enum tier_kind { TIER_KIND_DIR = 1, TIER_KIND_S3 = 2 };
enum tier_addressing { TIER_PATH_STYLE = 0, TIER_VIRTUAL_HOSTED = 1 };

struct tier_config {
	enum tier_kind kind;
	/* dir: the directory that holds the objects (created if missing). */
	const char *dir;
	/* s3: endpoint "http(s)://host[:port]", bucket, region for SigV4. */
	const char *endpoint;
	const char *bucket;
	const char *region;
	enum tier_addressing addressing;
	/* s3: file with the access key on line 1 and the secret on line 2. */
	const char *credentials_file;
	/* s3: CA bundle for TLS (verification is always on); NULL: system. */
	const char *ca_file;
	/* Objects larger than this go as a multipart upload. */
	uint64_t multipart_threshold;
	/* Wanted part size (raised for the 10,000-part limit, tier_key.h). */
	uint64_t part_size;
	unsigned parallel_parts; /* parts in flight at once */
	unsigned max_attempts;	 /* per request, the first included */
	unsigned backoff_ms;	 /* first retry's wait; doubles, jittered */
	unsigned backoff_max_ms; /* cap of one wait */
	unsigned connect_timeout_ms;
	/* A transfer slower than 1 KiB/s for this long is a timeout. */
	unsigned low_speed_s;
	/* Log hook: one line without a newline. NULL: stderr. */
	void (*log)(void *arg, int level, const char *line);
	void *log_arg;
};

/* What the last call did, for the log and the operator. */
struct tier_status {
	int http;	   /* last HTTP status seen, 0 if none */
	unsigned attempts; /* requests sent by the call (retries included) */
	char code[64];	   /* S3 error code, e.g. "SignatureDoesNotMatch" */
	char msg[TIER_MSG_MAX];
};

struct tier_obj {
	uint64_t size;
	char etag[TIER_ETAG_MAX]; /* without quotes */
};

/* Where put reads the object's bytes: LEN bytes at OFF into BUF; 0 or
 * -errno. Called on the putting thread only, one call at a time. */
struct tier_source {
	int (*read)(void *arg, uint64_t off, void *buf, size_t len);
	void *arg;
};

struct tier_list_entry {
	char *key;
	uint64_t size;
	char etag[TIER_ETAG_MAX];
	char *upload_id; /* a listing of uploads: the upload's id; else NULL */
};

struct tier_list_page {
	struct tier_list_entry *v;
	size_t n;
	int truncated; /* more pages follow; pass next to the next call */
	char *next;    /* the continuation token, NULL when !truncated (a
			  listing of uploads: the key marker) */
	char *next_upload; /* a listing of uploads: the upload-id marker */
};

struct tier_backend;

struct tier_ops {
	const char *name;
	int (*put)(struct tier_backend *b, const char *key,
		   const struct tier_source *src, uint64_t size,
		   struct tier_obj *out, struct tier_status *st);
	int (*get)(struct tier_backend *b, const char *key, uint64_t off,
		   size_t len, void *buf, size_t *got, struct tier_status *st);
	int (*head)(struct tier_backend *b, const char *key,
		    struct tier_obj *out, struct tier_status *st);
	int (*del)(struct tier_backend *b, const char *key,
		   struct tier_status *st);
	int (*list)(struct tier_backend *b, const char *prefix,
		    const char *token, unsigned max,
		    struct tier_list_page *page, struct tier_status *st);
	void (*close)(struct tier_backend *b);
	/* Multipart uploads begun and neither completed nor aborted (S3
	 * keeps their parts, unlisted, until one of the two): one page of at
	 * most MAX under PREFIX after the markers (NULL: the first page),
	 * each entry's key and upload_id; and the abort of one. NULL in a
	 * backend without multipart uploads (dir). */
	int (*uploads)(struct tier_backend *b, const char *prefix,
		       const char *key_marker, const char *id_marker,
		       unsigned max, struct tier_list_page *page,
		       struct tier_status *st);
	int (*abort_upload)(struct tier_backend *b, const char *key,
			    const char *upload_id, struct tier_status *st);
	/* get, and the object's size and etag as its answer states them;
	 * NULL: tier_get_obj() asks head first */
	int (*get_obj)(struct tier_backend *b, const char *key, uint64_t off,
		       size_t len, void *buf, size_t *got,
		       struct tier_obj *obj, struct tier_status *st);
};

/* Every backend's handle starts with this. */
struct tier_backend {
	const struct tier_ops *ops;
	void (*log)(void *arg, int level, const char *line);
	void *log_arg;
};

/* Defaults: multipart above 16 MiB, 16 MiB parts, 4 in flight, 5
 * attempts, backoff 100 ms doubling to 5 s, connect timeout 5 s, stall 60 s,
 * region us-east-1, path-style. */
void tier_config_defaults(struct tier_config *cfg);

/* Open the backend CFG names. Strings in CFG are copied. 0 or -errno,
 * with ST saying why (a missing credentials file, a bad endpoint ...). */
int tier_open(const struct tier_config *cfg, struct tier_backend **out,
	      struct tier_status *st);
void tier_close(struct tier_backend *b);

/* Store SIZE bytes read from SRC under KEY; OUT (may be NULL) gets the
 * stored size and etag as the store's answer states them, the ones a HEAD
 * would give (s3: the PUT's own answer, a HEAD only when it has no ETag,
 * and a HEAD after a multipart upload completes; dir: the file's stat
 * after its fsync). */
int tier_put(struct tier_backend *b, const char *key,
	     const struct tier_source *src, uint64_t size, struct tier_obj *out,
	     struct tier_status *st);
/* Read up to LEN bytes at OFF into BUF; *GOT is the count (short only at
 * the object's end). OFF at or past the end of a non-empty object:
 * -ERANGE. */
int tier_get(struct tier_backend *b, const char *key, uint64_t off,
	     size_t len, void *buf, size_t *got, struct tier_status *st);
/* tier_get(), and OBJ gets the whole object's size and etag, as the same
 * answer states them where the backend can (s3: Content-Range and ETag;
 * a HEAD when the answer lacks them), else from a head just before: one
 * request where a head and a get would be two. LEN may be 0 (OBJ only). */
int tier_get_obj(struct tier_backend *b, const char *key, uint64_t off,
		 size_t len, void *buf, size_t *got, struct tier_obj *obj,
		 struct tier_status *st);
int tier_head(struct tier_backend *b, const char *key, struct tier_obj *out,
	      struct tier_status *st);
/* Deleting a missing key succeeds (as S3 does). */
int tier_delete(struct tier_backend *b, const char *key,
		struct tier_status *st);
/* One page of at most MAX (1..1000) keys starting with PREFIX, in key
 * order, after the page TOKEN continues (NULL: the first). */
int tier_list(struct tier_backend *b, const char *prefix, const char *token,
	      unsigned max, struct tier_list_page *page,
	      struct tier_status *st);
void tier_list_free(struct tier_list_page *page);

/* Every key under PREFIX, page by page, into one page (*ALL, never
 * truncated). Any failing page: its error, and *ALL is empty. */
int tier_list_all(struct tier_backend *b, const char *prefix, unsigned max,
		  struct tier_list_page *all, struct tier_status *st);

/* Every unfinished multipart upload under PREFIX (entries with key and
 * upload_id), page by page into *ALL, failing closed as tier_list_all();
 * none for a backend without them. */
int tier_list_uploads_all(struct tier_backend *b, const char *prefix,
			  struct tier_list_page *all, struct tier_status *st);
/* Abort the unfinished multipart upload UPLOAD_ID of KEY (its parts go);
 * -EOPNOTSUPP for a backend without them. */
int tier_abort_upload(struct tier_backend *b, const char *key,
		      const char *upload_id, struct tier_status *st);

/* A source reading a file descriptor with pread(). */
int tier_source_fd_read(void *arg, uint64_t off, void *buf, size_t len);

/* 1 if KEY has the form above (also used for prefixes, which may end in
 * '/'), else 0. */
int tier_key_ok(const char *key, int is_prefix);

/* For the backends: fill ST (which may be NULL) and log the line at LEVEL. */
void tier_report(struct tier_backend *b, struct tier_status *st, int level,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void tier_log(const struct tier_backend *b, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Backend constructors (tier_open() picks one by cfg->kind). */
int tier_dir_open(const struct tier_config *cfg, struct tier_backend **out,
		  struct tier_status *st);
int tier_s3_open(const struct tier_config *cfg, struct tier_backend **out,
		 struct tier_status *st);

#endif
