/* datastore/store.c — local-disk stripe files behind an open-fd cache, read
 * and written through a pool of io_uring rings. Contract in store.h. */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <liburing.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define FD_SHARDS 16            /* lock stripes of the fd cache */
#define RING_MAX 32             /* io_uring rings per store, at most */
#define RING_DEPTH 8            /* SQ entries per ring; an I/O uses <= 2 */
#define IO_CHUNK_MAX (1u << 30) /* bytes per read/write submission */
#define RETRY_MAX 100           /* -EAGAIN/-EINTR retries per call */

/* ---- types ---------------------------------------------------------- */

/* An open stripe file. Every field but the key and fd is protected by the
 * owning shard's mutex. */
struct fd_ent {
	uint64_t fileid;
	uint32_t stripe;
	uint64_t gen;
	int fd;
	unsigned refs;             /* I/Os using fd right now */
	int hashed;                /* in the table; 0 once removed */
	struct fd_ent *hnext;      /* hash chain */
	struct fd_ent *lprev;      /* LRU list, only while refs == 0 */
	struct fd_ent *lnext;
};

struct fd_shard {
	pthread_mutex_t mu;
	struct fd_ent **buckets;
	unsigned nbuckets;         /* a power of two */
	unsigned count;            /* hashed entries */
	unsigned cap;              /* hashed entries at most */
	struct fd_ent lru;         /* sentinel; lru.lnext is the oldest */
};

/* What an I/O holds: FD, and the cache entry it belongs to (NULL for an
 * uncached fd, closed on release). */
struct fd_ref {
	int fd;
	struct fd_shard *sh;
	struct fd_ent *e;
};

struct ds_ring {
	struct io_uring ring;
	struct ds_ring *next;      /* free list */
};

struct ring_pool {
	pthread_mutex_t mu;        /* protects free and count */
	struct ds_ring *free;
	unsigned count;            /* rings alive, free or lent */
	unsigned cap;              /* 0: io_uring is off; set at open only */
};

struct ds_store {
	char dir[PATH_MAX];
	int dirfd;
	struct fd_shard shards[FD_SHARDS];
	struct ring_pool rings;
};

enum io_op { IO_READ, IO_WRITE, IO_WRITE_SYNC, IO_SYNC };

struct io_req {
	int fd;
	enum io_op op;
	char *buf;
	size_t len;
	uint64_t off;
};

/* ---- paths ---------------------------------------------------------- */

/* Generation 0 keeps the name every build before data generations used,
 * so a data directory made by an older build is read as it is (store.h). */
static void path_of(uint64_t fileid, uint32_t stripe, uint64_t gen, char *buf,
		    size_t len)
{
	if (gen == 0)
		snprintf(buf, len, "%02x/%016llx.%u", (unsigned)(fileid & 0xff),
			 (unsigned long long)fileid, stripe);
	else
		snprintf(buf, len, "%02x/%016llx.%u.g%llx",
			 (unsigned)(fileid & 0xff), (unsigned long long)fileid,
			 stripe, (unsigned long long)gen);
}

int ds_store_object_name(uint64_t fileid, uint32_t stripe, uint64_t gen,
			 char *buf, size_t len)
{
	char p[DS_STORE_NAME_MAX];

	path_of(fileid, stripe, gen, p, sizeof(p));
	if (strlen(p) >= len)
		return -ENAMETOOLONG;
	memcpy(buf, p, strlen(p) + 1);
	return 0;
}

/* ---- fd cache: shard internals (shard mutex held) ------------------- */

static uint64_t key_hash(uint64_t fileid, uint32_t stripe, uint64_t gen)
{
	uint64_t h = fileid ^ ((uint64_t)stripe * 0x9e3779b97f4a7c15ull) ^
		     (gen * 0xd6e8feb86659fd93ull);

	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 31;
	return h;
}

static struct fd_shard *shard_of(struct ds_store *s, uint64_t h)
{
	return &s->shards[h % FD_SHARDS];
}

static struct fd_ent **bucket_of(struct fd_shard *sh, uint64_t h)
{
	return &sh->buckets[(h / FD_SHARDS) & (sh->nbuckets - 1)];
}

static struct fd_ent *chain_find(struct fd_ent *e, uint64_t fileid,
				 uint32_t stripe, uint64_t gen)
{
	while (e && (e->fileid != fileid || e->stripe != stripe ||
		     e->gen != gen))
		e = e->hnext;
	return e;
}

static void lru_unlink(struct fd_ent *e)
{
	e->lprev->lnext = e->lnext;
	e->lnext->lprev = e->lprev;
	e->lprev = e->lnext = NULL;
}

static void lru_push(struct fd_shard *sh, struct fd_ent *e)
{
	e->lnext = &sh->lru;
	e->lprev = sh->lru.lprev;
	sh->lru.lprev->lnext = e;
	sh->lru.lprev = e;
}

static void chain_unlink(struct fd_shard *sh, struct fd_ent *e)
{
	struct fd_ent **pp =
		bucket_of(sh, key_hash(e->fileid, e->stripe, e->gen));

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	e->hnext = NULL;
}

/* Takes E out of the table. An unreferenced entry is closed and freed
 * here; a referenced one is closed by the last fd_release(). */
static void ent_unhash(struct fd_shard *sh, struct fd_ent *e)
{
	chain_unlink(sh, e);
	e->hashed = 0;
	sh->count--;
	if (e->refs)
		return;
	lru_unlink(e);
	close(e->fd);
	free(e);
}

/* Closes the least recently used unreferenced entry; 0 if there is none. */
static int shard_evict_one(struct fd_shard *sh)
{
	struct fd_ent *e = sh->lru.lnext;

	if (e == &sh->lru)
		return 0;
	ent_unhash(sh, e);
	return 1;
}

/* Opens the stripe file for the cache: O_RDWR, created when CREATE. Runs
 * out of fds by evicting. Where O_RDWR is refused to a reader (read-only
 * file system or file), falls back to O_RDONLY and clears *CACHEABLE. */
static int shard_open(struct ds_store *s, struct fd_shard *sh,
		      uint64_t fileid, uint32_t stripe, uint64_t gen,
		      int create, int *cacheable)
{
	char p[DS_STORE_NAME_MAX];
	int flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0);
	int fd;

	path_of(fileid, stripe, gen, p, sizeof(p));
	*cacheable = 1;
	for (;;) {
		fd = openat(s->dirfd, p, flags, 0600);
		if (fd >= 0)
			return fd;
		if ((errno == EMFILE || errno == ENFILE) &&
		    shard_evict_one(sh))
			continue;
		if (!create && (errno == EACCES || errno == EROFS))
			break;
		return -errno;
	}
	*cacheable = 0;
	fd = openat(s->dirfd, p, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Adds a referenced entry for FD at *B, evicting to stay within the cap.
 * NULL when every entry is in use or memory is short: the caller then
 * keeps FD uncached. */
static struct fd_ent *shard_insert(struct fd_shard *sh, struct fd_ent **b,
				   uint64_t fileid, uint32_t stripe,
				   uint64_t gen, int fd)
{
	struct fd_ent *e;

	if (sh->count >= sh->cap && !shard_evict_one(sh))
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->fileid = fileid;
	e->stripe = stripe;
	e->gen = gen;
	e->fd = fd;
	e->refs = 1;
	e->hashed = 1;
	e->hnext = *b;
	*b = e;
	sh->count++;
	return e;
}

/* ---- fd cache: the interface the I/O calls use ---------------------- */

/* Gets a referenced fd for the object. CREATE: create it if missing;
 * otherwise a missing object is -ENOENT. Release with fd_release(). */
static int fd_acquire(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		      uint64_t gen, int create, struct fd_ref *ref)
{
	uint64_t h = key_hash(fileid, stripe, gen);
	struct fd_shard *sh = shard_of(s, h);
	struct fd_ent **b, *e;
	int fd, cacheable, rc = 0;

	pthread_mutex_lock(&sh->mu);
	b = bucket_of(sh, h);
	e = chain_find(*b, fileid, stripe, gen);
	if (e) {
		if (e->refs++ == 0)
			lru_unlink(e);
		fd = e->fd;
	} else {
		fd = shard_open(s, sh, fileid, stripe, gen, create,
				&cacheable);
		if (fd < 0)
			rc = fd;
		else if (cacheable)
			e = shard_insert(sh, b, fileid, stripe, gen, fd);
	}
	pthread_mutex_unlock(&sh->mu);
	ref->fd = fd;
	ref->sh = e ? sh : NULL;
	ref->e = e;
	return rc;
}

static void fd_release(struct fd_ref *ref)
{
	struct fd_ent *e = ref->e;
	int doomed = 0;

	if (!e) {
		close(ref->fd);
		return;
	}
	pthread_mutex_lock(&ref->sh->mu);
	if (--e->refs == 0) {
		if (e->hashed)
			lru_push(ref->sh, e);
		else
			doomed = 1;
	}
	pthread_mutex_unlock(&ref->sh->mu);
	if (doomed) {
		close(e->fd);
		free(e);
	}
}

/* Unlinks the object and drops its cache entry, under the shard mutex so
 * that no concurrent open can cache the old file. */
static int fd_unlink(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		     uint64_t gen)
{
	uint64_t h = key_hash(fileid, stripe, gen);
	struct fd_shard *sh = shard_of(s, h);
	struct fd_ent *e;
	char p[DS_STORE_NAME_MAX];
	int rc = 0;

	path_of(fileid, stripe, gen, p, sizeof(p));
	pthread_mutex_lock(&sh->mu);
	if (unlinkat(s->dirfd, p, 0) < 0 && errno != ENOENT)
		rc = -errno;
	if (rc == 0) {
		e = chain_find(*bucket_of(sh, h), fileid, stripe, gen);
		if (e)
			ent_unhash(sh, e);
	}
	pthread_mutex_unlock(&sh->mu);
	return rc;
}

static unsigned cache_capacity(void)
{
	struct rlimit rl;
	unsigned cap = DS_STORE_FD_CACHE_SIZE;

	/* Leave at least half the process's fds to everything else. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur / 2 < cap)
		cap = (unsigned)(rl.rlim_cur / 2);
	return cap < FD_SHARDS ? FD_SHARDS : cap;
}

static int fd_cache_init(struct ds_store *s)
{
	unsigned per = cache_capacity() / FD_SHARDS;
	unsigned nb = 1;

	while (nb < 2 * per)
		nb <<= 1;
	for (int i = 0; i < FD_SHARDS; i++) {
		struct fd_shard *sh = &s->shards[i];

		sh->buckets = calloc(nb, sizeof(*sh->buckets));
		if (!sh->buckets)
			return -ENOMEM;
		sh->nbuckets = nb;
		sh->cap = per;
	}
	return 0;
}

/* Closes every cached fd; no I/O may be running. */
static void fd_cache_destroy(struct ds_store *s)
{
	for (int i = 0; i < FD_SHARDS; i++) {
		struct fd_shard *sh = &s->shards[i];

		for (unsigned b = 0; sh->buckets && b < sh->nbuckets; b++) {
			struct fd_ent *e = sh->buckets[b], *next;

			for (; e; e = next) {
				next = e->hnext;
				close(e->fd);
				free(e);
			}
		}
		free(sh->buckets);
		pthread_mutex_destroy(&sh->mu);
	}
}

/* ---- io_uring ring pool --------------------------------------------- */

static struct ds_ring *ring_new(void)
{
	struct ds_ring *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (io_uring_queue_init(RING_DEPTH, &r->ring, 0) < 0) {
		free(r);
		return NULL;
	}
	return r;
}

static void ring_pool_init(struct ring_pool *p, unsigned flags)
{
	p->cap = 0;
	if (flags & DS_STORE_NO_URING)
		return;
	/* Probe with the first ring: if it cannot be set up, the store
	 * stays on pread/pwrite for good. */
	p->free = ring_new();
	if (!p->free)
		return;
	p->count = 1;
	p->cap = RING_MAX;
}

/* A ring for the caller's exclusive use, or NULL (use pread/pwrite). */
static struct ds_ring *ring_get(struct ring_pool *p)
{
	struct ds_ring *r;
	int grow = 0;

	if (!p->cap)
		return NULL;
	pthread_mutex_lock(&p->mu);
	r = p->free;
	if (r) {
		p->free = r->next;
	} else if (p->count < p->cap) {
		p->count++;
		grow = 1;
	}
	pthread_mutex_unlock(&p->mu);
	if (!grow)
		return r;
	r = ring_new();
	if (!r) {
		pthread_mutex_lock(&p->mu);
		p->count--;
		pthread_mutex_unlock(&p->mu);
	}
	return r;
}

/* Returns R to the pool, or destroys it when BROKEN. */
static void ring_put(struct ring_pool *p, struct ds_ring *r, int broken)
{
	if (broken) {
		io_uring_queue_exit(&r->ring);
		free(r);
	}
	pthread_mutex_lock(&p->mu);
	if (broken) {
		p->count--;
	} else {
		r->next = p->free;
		p->free = r;
	}
	pthread_mutex_unlock(&p->mu);
}

static void ring_pool_destroy(struct ring_pool *p)
{
	struct ds_ring *r, *next;

	for (r = p->free; r; r = next) {
		next = r->next;
		io_uring_queue_exit(&r->ring);
		free(r);
	}
	pthread_mutex_destroy(&p->mu);
}

/* ---- I/O through a ring --------------------------------------------- */

static int retryable(int res)
{
	return res == -EAGAIN || res == -EINTR;
}

/* Submits the NR prepared SQEs (user_data 0: read/write, 1: fsync) and
 * reaps their completions into RES. 0, or a negative errno when the ring
 * itself failed (the caller then drops it). An SQE pair the kernel took in
 * two submissions was not linked, so its fsync is reported as cancelled
 * and is redone on its own. */
static int ring_run(struct io_uring *r, unsigned nr, int res[2])
{
	unsigned sent = 0, calls = 0, tries = 0;
	int rc = 0;

	while (sent < nr) {
		int n = io_uring_submit_and_wait(r, nr);

		if (n > 0) {
			sent += (unsigned)n;
			calls++;
		} else if (!retryable(n) || ++tries > RETRY_MAX) {
			rc = n < 0 ? n : -EIO;
			break;
		}
	}
	for (unsigned got = 0; got < sent; got++) {
		struct io_uring_cqe *cqe;
		int w;

		do
			w = io_uring_wait_cqe(r, &cqe);
		while (w == -EINTR);
		if (w < 0)     /* not expected; the ring is dropped */
			return w;
		if (cqe->user_data < 2)
			res[cqe->user_data] = cqe->res;
		io_uring_cqe_seen(r, cqe);
	}
	if (calls > 1 && nr == 2)
		res[1] = -ECANCELED;
	return rc;
}

/* Queues the read or write of CHUNK bytes at DONE into Q; linked to the
 * next SQE when LINK. 0, or -EBUSY if the SQ is full (never expected). */
static int prep_rw(struct io_uring *r, const struct io_req *q, size_t done,
		   size_t chunk, int link)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(r);

	if (!sqe)
		return -EBUSY;
	if (q->op == IO_READ)
		io_uring_prep_read(sqe, q->fd, q->buf + done, (unsigned)chunk,
				   q->off + done);
	else
		io_uring_prep_write(sqe, q->fd, q->buf + done, (unsigned)chunk,
				    q->off + done);
	sqe->user_data = 0;
	if (link)
		sqe->flags |= IOSQE_IO_LINK;
	return 0;
}

static int prep_datasync(struct io_uring *r, int fd)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(r);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
	sqe->user_data = 1;
	return 0;
}

/* Where one round of uring_io() leaves the request. */
struct io_progress {
	size_t done;               /* bytes transferred */
	int want_sync;             /* a datasync is still owed */
	int retries;
};

/* Folds in the datasync's result RES. 0 after a short write, or
 * -ECANCELED by one (or by ring_run() for a split pair): the datasync is
 * owed again after the rest. 1 and *RET when the request fails. */
static int sync_account(const struct io_req *q, struct io_progress *pg,
			size_t chunk, int res, ssize_t *ret)
{
	if (res == 0 && pg->done == q->len) {
		pg->want_sync = 0;
	} else if (retryable(res)) {
		*ret = res;
		return ++pg->retries > RETRY_MAX;
	} else if (res < 0 && !(res == -ECANCELED && chunk)) {
		*ret = res;
		return 1;
	}
	return 0;
}

/* Folds one round's results in. 1: finished (*RET holds the result);
 * 0: go round again. */
static int io_account(const struct io_req *q, struct io_progress *pg,
		      size_t chunk, int synced, const int res[2], ssize_t *ret)
{
	if (chunk) {
		if (retryable(res[0])) {
			*ret = res[0];
			return ++pg->retries > RETRY_MAX;
		}
		if (res[0] < 0 || (res[0] == 0 && q->op != IO_READ)) {
			*ret = res[0] < 0 ? res[0] : -EIO;
			return 1;
		}
		if (res[0] == 0) {     /* end of file */
			*ret = (ssize_t)pg->done;
			return 1;
		}
		pg->done += (size_t)res[0];
	}
	if (synced && sync_account(q, pg, chunk, res[1], ret))
		return 1;
	*ret = (ssize_t)pg->done;
	return pg->done == q->len && !pg->want_sync;
}

/* Runs Q on ring R: resubmits the rest of a short transfer, retries
 * -EAGAIN/-EINTR, links the datasync after the last write. Sets *BROKEN
 * when the ring failed (nothing is known of the outcome: redo Q). */
static ssize_t uring_io(struct io_uring *r, const struct io_req *q,
			int *broken)
{
	struct io_progress pg = {
		.want_sync = q->op == IO_WRITE_SYNC || q->op == IO_SYNC,
	};
	ssize_t ret = 0;

	*broken = 0;
	for (;;) {
		size_t rest = q->op == IO_SYNC ? 0 : q->len - pg.done;
		size_t chunk = rest < IO_CHUNK_MAX ? rest : IO_CHUNK_MAX;
		int sync = pg.want_sync && chunk == rest;
		unsigned want = (chunk != 0) + (sync != 0), nr = 0;
		int res[2] = { 0, 0 };

		if (chunk && prep_rw(r, q, pg.done, chunk, sync) == 0)
			nr++;
		if (sync && prep_datasync(r, q->fd) == 0)
			nr++;
		if (nr != want || (nr && ring_run(r, nr, res) < 0)) {
			*broken = 1;
			return -EIO;
		}
		if (nr == 0 || io_account(q, &pg, chunk, sync, res, &ret))
			return ret;
	}
}

/* ---- I/O without a ring --------------------------------------------- */

static ssize_t sync_rw(const struct io_req *q)
{
	size_t done = 0;

	while (done < q->len) {
		ssize_t n = q->op == IO_READ
			? pread(q->fd, q->buf + done, q->len - done,
				(off_t)(q->off + done))
			: pwrite(q->fd, q->buf + done, q->len - done,
				 (off_t)(q->off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0 && q->op == IO_READ)
			break;
		if (n == 0)
			return -EIO;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static ssize_t sync_io(const struct io_req *q)
{
	ssize_t n = q->op == IO_SYNC ? 0 : sync_rw(q);

	if (n < 0 || q->op == IO_READ || q->op == IO_WRITE)
		return n;
	if (fdatasync(q->fd) < 0)
		return -errno;
	return n;
}

/* Runs Q on a pooled ring, or with pread/pwrite when none is to be had or
 * the ring failed. */
static ssize_t store_io(struct ds_store *s, const struct io_req *q)
{
	struct ds_ring *r = ring_get(&s->rings);
	int broken;
	ssize_t n;

	if (!r)
		return sync_io(q);
	n = uring_io(&r->ring, q, &broken);
	ring_put(&s->rings, r, broken);
	return broken ? sync_io(q) : n;
}

/* ---- life cycle ----------------------------------------------------- */

static struct ds_store *store_alloc(void)
{
	struct ds_store *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->dirfd = -1;
	for (int i = 0; i < FD_SHARDS; i++) {
		struct fd_shard *sh = &s->shards[i];

		pthread_mutex_init(&sh->mu, NULL);
		sh->lru.lnext = sh->lru.lprev = &sh->lru;
	}
	pthread_mutex_init(&s->rings.mu, NULL);
	return s;
}

static int make_dirs(struct ds_store *s, const char *dir)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0)
		return -errno;
	for (int i = 0; i < 256; i++) {
		char sub[4];

		snprintf(sub, sizeof(sub), "%02x", i);
		if (mkdirat(s->dirfd, sub, 0700) < 0 && errno != EEXIST)
			return -errno;
	}
	return 0;
}

int ds_store_open_opts(struct ds_store **out, const char *dir, unsigned flags)
{
	struct ds_store *s = store_alloc();
	int rc;

	if (!s)
		return -ENOMEM;
	rc = make_dirs(s, dir);
	if (rc == 0)
		rc = fd_cache_init(s);
	if (rc < 0) {
		ds_store_close(s);
		return rc;
	}
	ring_pool_init(&s->rings, flags);
	*out = s;
	return 0;
}

int ds_store_open(struct ds_store **out, const char *dir)
{
	return ds_store_open_opts(out, dir, 0);
}

void ds_store_close(struct ds_store *s)
{
	if (!s)
		return;
	ring_pool_destroy(&s->rings);
	fd_cache_destroy(s);
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s);
}

int ds_store_uring_active(struct ds_store *s)
{
	return s->rings.cap > 0;
}

size_t ds_store_fd_cached(struct ds_store *s)
{
	size_t n = 0;

	for (int i = 0; i < FD_SHARDS; i++) {
		pthread_mutex_lock(&s->shards[i].mu);
		n += s->shards[i].count;
		pthread_mutex_unlock(&s->shards[i].mu);
	}
	return n;
}

/* ---- stripe objects ------------------------------------------------- */

/* Q on object (FILEID, STRIPE) through a cached fd (created when CREATE);
 * a missing object is -ENOENT. */
static ssize_t object_io(struct ds_store *s, uint64_t fileid, uint32_t stripe,
			 uint64_t gen, int create, struct io_req *q)
{
	struct fd_ref ref;
	int rc = fd_acquire(s, fileid, stripe, gen, create, &ref);
	ssize_t n;

	if (rc < 0)
		return rc;
	q->fd = ref.fd;
	n = store_io(s, q);
	fd_release(&ref);
	return n;
}

ssize_t ds_store_read(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		      uint64_t gen, uint64_t off, void *buf, size_t len)
{
	struct io_req q = { .op = IO_READ, .buf = buf, .len = len,
			    .off = off };

	/* A missing object is -ENOENT, never a hole: whether that means "no
	 * data was ever written there" or "lost" is the caller's to decide
	 * (docs/decisions/0019). */
	return object_io(s, fileid, stripe, gen, 0, &q);
}

ssize_t ds_store_write(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		       uint64_t gen, uint64_t off, const void *buf, size_t len,
		       int stable)
{
	/* The buffer is only read from: the cast serves the shared req. */
	struct io_req q = { .op = stable ? IO_WRITE_SYNC : IO_WRITE,
			    .buf = (char *)(uintptr_t)buf, .len = len,
			    .off = off };

	/* Never creates: an object that should be there and is not must not
	 * come back as a sparse file that hides the loss. */
	return object_io(s, fileid, stripe, gen, 0, &q);
}

int ds_store_commit(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		    uint64_t gen)
{
	struct io_req q = { .op = IO_SYNC };

	return (int)object_io(s, fileid, stripe, gen, 0, &q);
}

int ds_store_truncate(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		      uint64_t gen, uint64_t size)
{
	struct fd_ref ref;
	/* Cut to 0 the object holds nothing, so a missing one may be made
	 * (that loses nothing); cut to more it would hold lost bytes as
	 * zeros: -ENOENT. */
	int rc = fd_acquire(s, fileid, stripe, gen, size == 0, &ref);

	if (rc < 0)
		return rc;
	if (ftruncate(ref.fd, (off_t)size) < 0)
		rc = -errno;
	fd_release(&ref);
	return rc;
}

int ds_store_remove(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		    uint64_t gen)
{
	return fd_unlink(s, fileid, stripe, gen);
}

/* fstat of the object through the cache; -ENOENT when it is missing. */
static int stat_object(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		       uint64_t gen, struct stat *st)
{
	struct fd_ref ref;
	int rc = fd_acquire(s, fileid, stripe, gen, 0, &ref);

	if (rc < 0)
		return rc;
	if (fstat(ref.fd, st) < 0)
		rc = -errno;
	fd_release(&ref);
	return rc;
}

int64_t ds_store_space_used(struct ds_store *s, uint64_t fileid,
			    uint32_t stripe, uint64_t gen)
{
	struct stat st;
	int rc = stat_object(s, fileid, stripe, gen, &st);

	if (rc < 0)
		return rc == -ENOENT ? 0 : rc;
	return (int64_t)st.st_blocks * 512;
}

int ds_store_statfs(struct ds_store *s, uint64_t *total, uint64_t *free,
		    uint64_t *avail)
{
	struct statvfs v;

	if (fstatvfs(s->dirfd, &v) < 0)
		return -errno;
	*total = (uint64_t)v.f_blocks * v.f_frsize;
	*free = (uint64_t)v.f_bfree * v.f_frsize;
	*avail = (uint64_t)v.f_bavail * v.f_frsize;
	return 0;
}

int ds_store_create(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		    uint64_t gen)
{
	struct fd_ref ref;
	int rc = fd_acquire(s, fileid, stripe, gen, 1, &ref);

	if (rc < 0)
		return rc;
	fd_release(&ref);
	return 0;
}

/* 1 when subdirectory SUB (an fd, consumed) holds a name other than . and
 * .., else 0; -errno. */
static int subdir_has_entry(int fd)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int found = 0;

	if (!d) {
		close(fd);
		return -errno;
	}
	while (!found && (e = readdir(d)) != NULL)
		found = strcmp(e->d_name, ".") != 0 &&
			strcmp(e->d_name, "..") != 0;
	closedir(d);
	return found;
}

int ds_store_empty(struct ds_store *s)
{
	for (int i = 0; i < 256; i++) {
		char sub[4];
		int fd, rc;

		snprintf(sub, sizeof(sub), "%02x", i);
		fd = openat(s->dirfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		rc = subdir_has_entry(fd);
		if (rc != 0)
			return rc < 0 ? rc : 0;
	}
	return 1;
}

int64_t ds_store_size(struct ds_store *s, uint64_t fileid, uint32_t stripe,
		      uint64_t gen)
{
	struct stat st;
	int rc = stat_object(s, fileid, stripe, gen, &st);

	return rc < 0 ? rc : (int64_t)st.st_size;
}
