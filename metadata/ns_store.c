/*
 * metadata/ns_store.c — opening and closing a namespace: DIR/ns.conf, the
 * process lock, the shard environments, the root, intent replay; plus the
 * small pure helpers (placement, name checks).
 *
 * DIR/ns.conf is written once, when the namespace is created, after every
 * shard exists: its presence means "this namespace is complete". Its shard
 * count is authoritative; ns_open() refuses another one.
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
	[NS_DB_META] = "meta",		 [NS_DB_INTENTS] = "intents",
};

static int path_join(char *out, size_t outsz, const char *dir,
		     const char *name)
{
	int n = snprintf(out, outsz, "%s/%s", dir, name);

	return (n < 0 || (size_t)n >= outsz) ? -ENAMETOOLONG : 0;
}

/* ---- ns.conf ------------------------------------------------------------ */

static int conf_parse(FILE *f, unsigned *nshards)
{
	char line[128];
	unsigned format = 0, n = 0, v;

	while (fgets(line, sizeof line, f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "format %u", &v) == 1)
			format = v;
		else if (sscanf(line, "shards %u", &v) == 1)
			n = v;
		else
			return -EIO;
	}
	if (format != CONF_FORMAT || n < 1 || n > NS_MAX_SHARDS)
		return -EIO;
	*nshards = n;
	return 0;
}

static int conf_read(const char *dir, unsigned *nshards)
{
	char path[PATH_MAX];
	FILE *f;
	int rc = path_join(path, sizeof path, dir, CONF_NAME);

	if (rc)
		return rc;
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ENOENT : -EIO;
	rc = conf_parse(f, nshards);
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
static int conf_write(const char *dir, unsigned nshards)
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
		     "format %u\nshards %u\n",
		     CONF_FORMAT, nshards);
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

static int shard_dir(char *out, size_t outsz, const char *dir, unsigned s)
{
	char name[32];

	snprintf(name, sizeof name, "shard-%02u", s);
	return path_join(out, outsz, dir, name);
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
	int rc = ns_mdb_err(mdb_txn_begin(sh->env, NULL, 0, &txn));

	if (rc)
		return rc;
	for (int d = 0; !rc && d < NS_DB_COUNT; d++)
		rc = mdb_dbi_open(txn, db_names[d], flags, &sh->dbi[d]) ? -EIO
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
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	return ns_mdb_err(mdb_txn_commit(txn));
}

static int shard_env_open(struct ns_shard *sh, const char *path)
{
	int rc, dead;

	rc = mdb_env_create(&sh->env);
	if (rc) {
		sh->env = NULL;
		return ns_mdb_err(rc);
	}
	rc = mdb_env_set_mapsize(sh->env, NS_MAP_SIZE);
	if (!rc)
		rc = mdb_env_set_maxdbs(sh->env, NS_DB_COUNT);
	if (!rc)
		rc = mdb_env_set_maxreaders(sh->env, NS_MAX_READERS);
	if (!rc)
		rc = mdb_env_open(sh->env, path, MDB_NOTLS, 0600);
	if (!rc)
		rc = mdb_reader_check(sh->env, &dead);
	return ns_mdb_err(rc);
}

static int shard_open(struct ns *ns, const char *dir, unsigned s,
		      int creating)
{
	char path[PATH_MAX];
	struct stat st;
	int rc = shard_dir(path, sizeof path, dir, s);

	if (rc)
		return rc;
	if (creating && mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		return -EIO; /* ns.conf says it exists: a shard was lost */
	rc = shard_env_open(&ns->shard[s], path);
	if (!rc)
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

static struct ns *ns_alloc(unsigned nshards, int lockfd)
{
	struct ns *ns = calloc(1, sizeof *ns + nshards * sizeof ns->shard[0]);

	if (!ns)
		return NULL;
	ns->nshards = nshards;
	ns->lockfd = lockfd;
	atomic_init(&ns->broken, 0);
	atomic_init(&ns->crash_step, -1);
	atomic_init(&ns->crash_fails, 0);
	atomic_init(&ns->crashed, 0);
	atomic_init(&ns->restarts, 0);
	atomic_init(&ns->batch_owner, 0);
	for (unsigned s = 0; s < nshards; s++)
		pthread_mutex_init(&ns->shard[s].lock, NULL);
	return ns;
}

void ns_close(struct ns *ns)
{
	if (!ns)
		return;
	for (unsigned s = 0; s < ns->nshards; s++) {
		if (ns->shard[s].env)
			mdb_env_close(ns->shard[s].env);
		pthread_mutex_destroy(&ns->shard[s].lock);
	}
	if (ns->lockfd >= 0)
		close(ns->lockfd);
	free(ns);
}

/* The shard count to use, and whether the namespace must be created. */
static int choose_shards(const char *dir, unsigned want, unsigned *n,
			 int *creating)
{
	int rc = conf_read(dir, n);

	*creating = 0;
	if (rc == 0)
		return (want && want != *n) ? -EINVAL : 0;
	if (rc != -ENOENT || want == 0)
		return rc;
	*n = want;
	*creating = 1;
	return 0;
}

int ns_open(struct ns **out, const char *dir, unsigned nshards)
{
	struct ns *ns;
	unsigned n;
	int lockfd, creating, rc;

	if (!out || !dir || nshards > NS_MAX_SHARDS)
		return -EINVAL;
	*out = NULL;
	rc = lock_dir(dir, nshards != 0, &lockfd);
	if (rc)
		return rc;
	rc = choose_shards(dir, nshards, &n, &creating);
	if (rc) {
		close(lockfd);
		return rc;
	}
	ns = ns_alloc(n, lockfd);
	if (!ns) {
		close(lockfd);
		return -ENOMEM;
	}
	for (unsigned s = 0; !rc && s < n; s++)
		rc = shard_open(ns, dir, s, creating);
	if (!rc && creating)
		rc = conf_write(dir, n);
	if (!rc)
		rc = ns_replay_all(ns);
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

unsigned ns_replayed_intents(const struct ns *ns)
{
	return ns->replayed;
}

unsigned ns_entry_shard(const struct ns *ns, uint64_t parent, const char *name,
			size_t namelen)
{
	return (unsigned)(ns_placement_hash(parent, name, namelen) %
			  ns->nshards);
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
