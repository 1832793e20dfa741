/*
 * metadata/ns_store.c — opening and closing a namespace: DIR/ns.conf, the
 * process lock, the shard environments, the root, intent replay; plus the
 * small pure helpers (placement, name checks).
 *
 * DIR/ns.conf is written once, when the namespace is created, after every
 * shard exists: its presence means "this namespace is complete". Its shard
 * and environment counts are authoritative; ns_open() refuses others.
 * Layouts (ns_internal.h): one environment per shard, DIR/shard-NN/ with
 * plain database names (what ns_open() creates, and every namespace made
 * before environments existed: "envs" absent from ns.conf), or E
 * environments DIR/env-NN/ holding shard S's databases as "<name>-SS".
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ns_internal.h"

#define CONF_NAME "ns.conf"
#define LOCK_NAME "ns.lock"
#define CONF_FORMAT 1u

static const char *const db_names[NS_DB_COUNT] = {
	[NS_DB_INODES] = "inodes",	 [NS_DB_DIRENTS] = "dirents",
	[NS_DB_COOKIES] = "cookies",	 [NS_DB_SYMLINKS] = "symlinks",
	[NS_DB_META] = "meta",		 [NS_DB_RECLAIM] = "reclaim",
	[NS_DB_ANSWERS] = "answers",	 [NS_DB_DELTAS] = "deltas",
	[NS_DB_TIER] = "tier",
	[NS_DB_INTENTS] = "intents",
};

static int path_join(char *out, size_t outsz, const char *dir,
		     const char *name)
{
	int n = snprintf(out, outsz, "%s/%s", dir, name);

	return (n < 0 || (size_t)n >= outsz) ? -ENAMETOOLONG : 0;
}

/* ---- ns.conf ------------------------------------------------------------ */

static int conf_parse(FILE *f, unsigned *nshards, unsigned *nenvs)
{
	char line[128];
	unsigned format = 0, n = 0, e = 0, v;

	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "format %u", &v) == 1)
			format = v;
		else if (sscanf(line, "shards %u", &v) == 1)
			n = v;
		else if (sscanf(line, "envs %u", &v) == 1)
			e = v;
		else
			return -EIO;
	}
	if (e == 0)
		e = n; /* one environment per shard */
	if (format != CONF_FORMAT || n < 1 || n > NS_MAX_SHARDS || e > n)
		return -EIO;
	*nshards = n;
	*nenvs = e;
	return 0;
}

static int conf_read(const char *dir, unsigned *nshards, unsigned *nenvs)
{
	char path[PATH_MAX];
	FILE *f;
	int rc = path_join(path, sizeof path, dir, CONF_NAME);

	if (rc)
		return rc;
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ENOENT : -EIO;
	rc = conf_parse(f, nshards, nenvs);
	fclose(f);
	return rc;
}

static int fsync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -errno;
	rc = fsync(fd) ? -errno : 0;
	close(fd);
	return rc;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Atomically create DIR/ns.conf: temp file, fsync, rename, fsync DIR. */
static int conf_write(const char *dir, unsigned nshards, unsigned nenvs)
{
	char path[PATH_MAX], tmp[PATH_MAX], body[128];
	int n, fd, rc;

	rc = path_join(path, sizeof path, dir, CONF_NAME);
	if (!rc)
		rc = path_join(tmp, sizeof tmp, dir, CONF_NAME ".tmp");
	if (rc)
		return rc;
	n = snprintf(body, sizeof body,
		     "# Strata namespace; written once, do not edit\n"
		     "format %u\nshards %u\nenvs %u\n",
		     CONF_FORMAT, nshards, nenvs);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, body, (size_t)n);
	if (!rc && fsync(fd))
		rc = -errno;
	close(fd);
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (!rc)
		rc = fsync_path(dir, O_RDONLY | O_DIRECTORY);
	return rc;
}

/* ---- shards ------------------------------------------------------------- */

/* Environment E's directory: shard-NN when every shard has its own. */
static int env_dir(char *out, size_t outsz, const struct ns *ns,
		   const char *dir, unsigned e)
{
	char name[32];

	snprintf(name, sizeof name, "%s-%02u",
		 ns->nenvs == ns->nshards ? "shard" : "env", e);
	return path_join(out, outsz, dir, name);
}

/* Database D of shard S: its plain name, or "<name>-SS" when environments
 * hold several shards. */
static void db_name(char *out, size_t outsz, const struct ns *ns, unsigned s,
		    int d)
{
	if (ns->nenvs == ns->nshards)
		snprintf(out, outsz, "%s", db_names[d]);
	else
		snprintf(out, outsz, "%s-%02u", db_names[d], s);
}

static int meta_init(MDB_txn *txn, MDB_dbi meta, const char *name,
		     uint64_t initial, int creating)
{
	MDB_val k = { .mv_size = strlen(name), .mv_data = (void *)name };
	MDB_val v;
	uint8_t b[8];
	int rc = mdb_get(txn, meta, &k, &v);

	if (rc == MDB_SUCCESS)
		return v.mv_size == 8 ? 0 : -EIO;
	if (rc != MDB_NOTFOUND)
		return ns_mdb_err(rc);
	if (!creating)
		return -EIO; /* an existing shard lost its counter */
	ns_put_le64(b, initial);
	v.mv_size = 8;
	v.mv_data = b;
	return ns_mdb_err(mdb_put(txn, meta, &k, &v, 0));
}

static int root_init(MDB_txn *txn, MDB_dbi inodes)
{
	struct ns_inode root;
	struct ns_time now = ns_time_now();
	uint8_t key[8], rec[NS_INODE_REC_LEN];
	MDB_val k = { .mv_size = 8, .mv_data = key };
	MDB_val v;
	int rc;

	ns_put_be64(key, NS_ROOT_FILEID);
	rc = mdb_get(txn, inodes, &k, &v);
	if (rc != MDB_NOTFOUND)
		return ns_mdb_err(rc);
	memset(&root, 0, sizeof root);
	root.fileid = NS_ROOT_FILEID;
	root.generation = 1;
	root.type = NS_DIR;
	root.mode = 0777;
	root.nlink = 2;
	root.parent = NS_ROOT_FILEID;
	root.atime = root.mtime = root.ctime = root.btime = now;
	ns_touch_change(&root, &now);
	ns_inode_encode(&root, rec);
	v.mv_size = sizeof rec;
	v.mv_data = rec;
	return ns_mdb_err(mdb_put(txn, inodes, &k, &v, 0));
}

static int shard_init(struct ns *ns, unsigned s, int creating)
{
	struct ns_shard *sh = &ns->shard[s];
	unsigned flags = creating ? MDB_CREATE : 0;
	MDB_txn *txn;
	MDB_dbi meta;
	char name[32];
	int rc = ns_mdb_err(mdb_txn_begin(ns_env_of(ns, s)->env, NULL, 0, &txn));

	if (rc)
		return rc;
	for (int d = 0; !rc && d < NS_DB_INTENTS; d++) {
		/* reclaim, answers, deltas and tier came later:
		 * namespaces made before lack them */
		unsigned f = d == NS_DB_RECLAIM || d == NS_DB_ANSWERS ||
					     d == NS_DB_DELTAS || d == NS_DB_TIER
				     ? MDB_CREATE
				     : flags;
		db_name(name, sizeof name, ns, s, d);
		rc = mdb_dbi_open(txn, name, f, &sh->dbi[d]) ? -EIO : 0;
	}
	if (!rc) /* the environment's (the same database in the old layout) */
		rc = mdb_dbi_open(txn, db_names[NS_DB_INTENTS], flags,
				  &ns_env_of(ns, s)->intents)
			     ? -EIO
			     : 0;
	meta = sh->dbi[NS_DB_META];
	if (!rc)
		rc = meta_init(txn, meta, NS_META_NEXT_FILEID,
			       NS_FIRST_COUNTER, creating);
	if (!rc)
		rc = meta_init(txn, meta, NS_META_NEXT_SEQ, NS_FIRST_SEQ,
			       creating);
	if (!rc)
		rc = meta_init(txn, meta, NS_META_BYTES, 0, creating);
	if (!rc && s == 0 && creating)
		rc = root_init(txn, sh->dbi[NS_DB_INODES]);
	if (!rc)
		rc = ns_res_init(txn, sh->dbi[NS_DB_INODES], meta);
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	return ns_mdb_err(mdb_txn_commit(txn));
}

static int env_env_open(struct ns_env *sh, const char *path,
			unsigned shards_here)
{
	int rc, dead;

	rc = mdb_env_create(&sh->env);
	if (rc) {
		sh->env = NULL;
		return ns_mdb_err(rc);
	}
	rc = mdb_env_set_mapsize(sh->env, NS_MAP_SIZE * shards_here);
	if (!rc)
		rc = mdb_env_set_maxdbs(sh->env, NS_DB_COUNT * shards_here);
	if (!rc)
		rc = mdb_env_set_maxreaders(sh->env, NS_MAX_READERS);
	if (!rc)
		rc = mdb_env_open(sh->env, path, MDB_NOTLS, 0600);
	if (!rc)
		rc = mdb_reader_check(sh->env, &dead);
	return ns_mdb_err(rc);
}

/* Open environment E and initialise every shard it holds. */
static int env_open(struct ns *ns, const char *dir, unsigned e, int creating)
{
	char path[PATH_MAX];
	struct stat st;
	unsigned here = 0;
	int rc = env_dir(path, sizeof path, ns, dir, e);

	if (rc)
		return rc;
	if (creating && mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		return -EIO; /* ns.conf says it exists: a shard was lost */
	for (unsigned s = 0; s < ns->nshards; s++)
		here += ns->shard[s].env == e;
	rc = env_env_open(&ns->env[e], path, here);
	for (unsigned s = 0; !rc && s < ns->nshards; s++)
		if (ns->shard[s].env == e)
			rc = shard_init(ns, s, creating);
	return rc;
}

/* ---- open / close ------------------------------------------------------- */

static int lock_dir(const char *dir, int create, int *fd_out)
{
	char path[PATH_MAX];
	int fd, rc = path_join(path, sizeof path, dir, LOCK_NAME);

	if (rc)
		return rc;
	if (create && mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
		close(fd);
		return rc;
	}
	*fd_out = fd;
	return 0;
}

static struct ns *ns_alloc(unsigned nshards, unsigned nenvs, int lockfd)
{
	struct ns *ns = calloc(1, sizeof *ns + nshards * sizeof ns->shard[0]);

	if (!ns)
		return NULL;
	ns->env = calloc(nenvs, sizeof ns->env[0]);
	if (!ns->env) {
		free(ns);
		return NULL;
	}
	ns->nshards = nshards;
	ns->nenvs = nenvs;
	ns->lockfd = lockfd;
	atomic_init(&ns->broken, 0);
	atomic_init(&ns->crash_step, -1);
	atomic_init(&ns->crash_fails, 0);
	atomic_init(&ns->crashed, 0);
	atomic_init(&ns->restarts, 0);
	atomic_init(&ns->batch_owner, 0);
	for (unsigned s = 0; s < nshards; s++)
		ns->shard[s].env = s % nenvs;
	for (unsigned e = 0; e < nenvs; e++)
		pthread_mutex_init(&ns->env[e].lock, NULL);
	return ns;
}

void ns_close(struct ns *ns)
{
	if (!ns)
		return;
	for (unsigned e = 0; e < ns->nenvs; e++) {
		if (ns->env[e].env)
			mdb_env_close(ns->env[e].env);
		pthread_mutex_destroy(&ns->env[e].lock);
	}
	if (ns->lockfd >= 0)
		close(ns->lockfd);
	ns_xlocks_free(ns);
	free(ns->env);
	free(ns->owned);
	free(ns);
}

/* The shard and environment counts to use, and whether the namespace must
 * be created (WANT_E 0: one environment per shard). */
static int choose_shards(const char *dir, unsigned want, unsigned want_e,
			 unsigned *n, unsigned *e, int *creating)
{
	int rc = conf_read(dir, n, e);

	*creating = 0;
	if (rc == 0) /* an existing namespace keeps its environments */
		return (want && want != *n) ? -EINVAL : 0;
	if (rc != -ENOENT || want == 0)
		return rc;
	*n = want;
	*e = want_e ? want_e : want;
	*creating = 1;
	return 0;
}

int ns_open(struct ns **out, const char *dir, unsigned nshards)
{
	return ns_open_ex(out, dir, nshards, 0);
}

int ns_open_ex(struct ns **out, const char *dir, unsigned nshards,
	       unsigned nenvs)
{
	struct ns *ns;
	unsigned n, e;
	int lockfd, creating, rc;

	if (!out || !dir || nshards > NS_MAX_SHARDS ||
	    (nenvs && (nshards == 0 ? nenvs > NS_MAX_SHARDS
				    : nenvs > nshards)))
		return -EINVAL;
	*out = NULL;
	rc = lock_dir(dir, nshards != 0, &lockfd);
	if (rc)
		return rc;
	rc = choose_shards(dir, nshards, nenvs, &n, &e, &creating);
	if (rc) {
		close(lockfd);
		return rc;
	}
	ns = ns_alloc(n, e, lockfd);
	if (!ns) {
		close(lockfd);
		return -ENOMEM;
	}
	for (unsigned i = 0; !rc && i < e; i++)
		rc = env_open(ns, dir, i, creating);
	if (!rc && creating)
		rc = conf_write(dir, n, e);
	if (!rc)
		rc = ns_replay_all(ns);
	if (!rc) /* keys of prepared cross-node transactions, before use */
		rc = ns_xlocks_open(ns);
	if (rc) {
		ns_close(ns);
		return rc;
	}
	*out = ns;
	return 0;
}

unsigned ns_nshards(const struct ns *ns)
{
	return ns->nshards;
}

unsigned ns_nenvs(const struct ns *ns)
{
	return ns->nenvs;
}

unsigned ns_replayed_intents(const struct ns *ns)
{
	return ns->replayed;
}

int ns_own(struct ns *ns, const uint8_t *owned, unsigned n)
{
	uint8_t *o;

	if (!owned || n != ns->nenvs)
		return -EINVAL;
	o = malloc(n);
	if (!o)
		return -ENOMEM;
	for (unsigned e = 0; e < n; e++)
		o[e] = owned[e] != 0;
	free(ns->owned);
	ns->owned = o;
	return 0;
}

int ns_owns_shard(const struct ns *ns, unsigned shard)
{
	return shard < ns->nshards && ns_shard_owned(ns, shard);
}

int ns_owns_fileid(const struct ns *ns, uint64_t fileid)
{
	return ns_owns_shard(ns, ns_fileid_shard(fileid));
}

unsigned ns_entry_shard(const struct ns *ns, uint64_t parent, const char *name,
			size_t namelen)
{
	return ns_hash_shard(ns->nshards, parent, name, namelen);
}

unsigned ns_hash_shard(unsigned nshards, uint64_t parent, const char *name,
		       size_t namelen)
{
	return (unsigned)(ns_placement_hash(parent, name, namelen) % nshards);
}

int ns_check_name(const char *name, size_t namelen)
{
	if (namelen == 0 || !name)
		return -EINVAL;
	if (namelen > NS_NAME_MAX)
		return -ENAMETOOLONG;
	if ((namelen == 1 && name[0] == '.') ||
	    (namelen == 2 && name[0] == '.' && name[1] == '.'))
		return -EINVAL;
	if (memchr(name, '/', namelen) || memchr(name, '\0', namelen))
		return -EINVAL;
	return 0;
}
