/* pnfs/cmap.c — see cmap.h. */
#include "cmap.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netaddr.h"

/* Parser state: the map being filled and the first error met. */
struct cmap_parse {
	struct cmap *m;
	char *err;
	int failed;
	uint8_t claims[NS_MAX_SHARDS];  /* partition -> claiming node, until
					   "partitions" of [cluster] is known */
};

static int fail(struct cmap_parse *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->failed) {
		va_start(ap, fmt);
		vsnprintf(p->err, CMAP_ERR_MAX, fmt, ap);
		va_end(ap);
		p->failed = 1;
	}
	return 0; /* inih: stop counting this line as good */
}

static int parse_num(const char *v, unsigned long lo, unsigned long hi,
		     unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(v, &end, 10);
	return errno || end == v || *end || *out < lo || *out > hi ? -1 : 0;
}

static int valid_id(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > CMAP_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = v[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
		      ch == '-'))
			return 0;
	}
	return 1;
}

static int on_cluster(struct cmap_parse *p, const char *k, const char *v)
{
	struct cmap *m = p->m;
	unsigned long n;

	if (!strcmp(k, "id")) {
		if (!valid_id(v))
			return fail(p, "cluster id '%s': 1-%d of [A-Za-z0-9._-]",
				    v, CMAP_ID_MAX);
		snprintf(m->id, sizeof(m->id), "%s", v);
	} else if (!strcmp(k, "epoch")) {
		char *end;
		errno = 0;
		m->epoch = strtoull(v, &end, 10);
		if (errno || end == v || *end || m->epoch == 0)
			return fail(p, "epoch '%s': a number >= 1", v);
	} else if (!strcmp(k, "shards")) {
		if (parse_num(v, 1, NS_MAX_SHARDS, &n))
			return fail(p, "shards '%s': 1-%d", v, NS_MAX_SHARDS);
		m->nshards = (unsigned)n;
	} else if (!strcmp(k, "partitions")) {
		if (parse_num(v, 1, NS_MAX_SHARDS, &n))
			return fail(p, "partitions '%s': 1-%d", v,
				    NS_MAX_SHARDS);
		m->npartitions = (unsigned)n;
	} else if (!strcmp(k, "pnfs")) {
		if (strcmp(v, "yes") && strcmp(v, "no"))
			return fail(p, "pnfs '%s': yes or no", v);
		m->pnfs = !strcmp(v, "yes");
	} else {
		return fail(p, "[cluster]: unknown key '%s'", k);
	}
	return 1;
}

/* "0,2,5" or "0-3,7": each partition claimed by NODE. */
static int claim_list(struct cmap_parse *p, unsigned node, const char *v)
{
	char buf[1024];
	char *save = NULL;

	if (snprintf(buf, sizeof(buf), "%s", v) >= (int)sizeof(buf))
		return fail(p, "node %u: partition list too long", node);
	for (char *tok = strtok_r(buf, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		char *dash = strchr(tok, '-');
		unsigned long lo, hi;

		if (dash)
			*dash = 0;
		if (parse_num(tok, 0, NS_MAX_SHARDS - 1, &lo) ||
		    parse_num(dash ? dash + 1 : tok, 0, NS_MAX_SHARDS - 1,
			      &hi) ||
		    hi < lo)
			return fail(p, "node %u: bad partition '%s'", node,
				    v);
		for (unsigned long i = lo; i <= hi; i++) {
			if (p->claims[i])
				return fail(p,
					    "partition %lu owned by nodes %u "
					    "and %u",
					    i, p->claims[i], node);
			p->claims[i] = (uint8_t)node;
			p->m->node[node].npartitions++;
		}
	}
	return 1;
}

/* "ADDR:PORT" with ADDR a numeric address. */
static int endpoint(const char *v, char *addr, size_t cap, uint16_t *port)
{
	struct sockaddr_storage ss;

	return netaddr_split(v, addr, cap, port) ||
	       netaddr_resolve(addr, *port, &ss, NULL);
}

static int on_node(struct cmap_parse *p, unsigned id, const char *k,
		   const char *v)
{
	struct cmap_node *n = &p->m->node[id];

	if (!n->id) {
		n->id = id;
		p->m->nnodes++;
	}
	if (!strcmp(k, "nfs")) {
		if (endpoint(v, n->nfs_addr, sizeof(n->nfs_addr),
			     &n->nfs_port))
			return fail(p, "node %u: nfs '%s': ADDR:PORT", id, v);
	} else if (!strcmp(k, "peer")) {
		if (endpoint(v, n->peer_addr, sizeof(n->peer_addr),
			     &n->peer_port))
			return fail(p, "node %u: peer '%s': ADDR:PORT", id, v);
	} else if (!strcmp(k, "partitions")) {
		return claim_list(p, id, v);
	} else {
		return fail(p, "[node %u]: unknown key '%s'", id, k);
	}
	return 1;
}

static int on_ini(void *user, const char *section, const char *k,
		  const char *v)
{
	struct cmap_parse *p = user;
	unsigned long id;

	if (p->failed)
		return 0;
	if (!strcmp(section, "cluster"))
		return on_cluster(p, k, v);
	if (!strncmp(section, "node ", 5)) {
		if (parse_num(section + 5, 1, CMAP_MAX_NODES, &id))
			return fail(p, "[%s]: node ids are 1-%d", section,
				    CMAP_MAX_NODES);
		return on_node(p, (unsigned)id, k, v);
	}
	return fail(p, "unknown section [%s]", section);
}

/* After the whole text: everything present, every partition owned once,
 * every node complete. */
static int finish(struct cmap_parse *p)
{
	struct cmap *m = p->m;

	if (!m->id[0] || !m->epoch || !m->nshards || !m->npartitions)
		return fail(p, "[cluster] needs id, epoch, shards and "
			       "partitions");
	if (m->npartitions > m->nshards)
		return fail(p, "%u partitions for %u shards", m->npartitions,
			    m->nshards);
	if (!m->nnodes)
		return fail(p, "no [node N] section");
	for (unsigned i = 0; i < NS_MAX_SHARDS; i++) {
		if (i >= m->npartitions && p->claims[i])
			return fail(p, "node %u owns partition %u of %u",
				    p->claims[i], i, m->npartitions);
		if (i < m->npartitions && !p->claims[i])
			return fail(p, "partition %u has no owner", i);
		m->owner[i] = p->claims[i];
	}
	for (unsigned i = 1; i <= CMAP_MAX_NODES; i++) {
		const struct cmap_node *n = &m->node[i];
		if (n->id && (!n->nfs_port || !n->peer_port))
			return fail(p, "node %u needs nfs and peer", i);
	}
	return 1;
}

static int parse_with(struct cmap *m, int rc, struct cmap_parse *p)
{
	if (rc < 0 && !p->failed)
		fail(p, "cannot read the map");
	else if (rc > 0 && !p->failed)
		fail(p, "syntax error on line %d", rc);
	if (!p->failed)
		finish(p);
	if (p->failed) {
		memset(m, 0, sizeof(*m));
		return -1;
	}
	return 0;
}

int cmap_parse(struct cmap *m, const char *text, char err[CMAP_ERR_MAX])
{
	struct cmap_parse p = { .m = m, .err = err };

	memset(m, 0, sizeof(*m));
	err[0] = 0;
	return parse_with(m, ini_parse_string(text, on_ini, &p), &p);
}

int cmap_load(struct cmap *m, const char *path, char err[CMAP_ERR_MAX])
{
	struct cmap_parse p = { .m = m, .err = err };
	int rc;

	memset(m, 0, sizeof(*m));
	err[0] = 0;
	rc = ini_parse(path, on_ini, &p);
	if (rc < 0) {
		snprintf(err, CMAP_ERR_MAX, "cannot read %s", path);
		return -1;
	}
	return parse_with(m, rc, &p);
}

void cmap_single(struct cmap *m, const char *id, unsigned nshards,
		 unsigned npartitions)
{
	memset(m, 0, sizeof(*m));
	snprintf(m->id, sizeof(m->id), "%s", id ? id : "strata");
	m->epoch = 1;
	m->nshards = nshards;
	m->npartitions = npartitions ? npartitions : 1;
	m->nnodes = 1;
	m->node[1].id = 1;
	m->node[1].npartitions = m->npartitions;
	for (unsigned i = 0; i < m->npartitions; i++)
		m->owner[i] = 1;
}

unsigned cmap_fileid_owner(const struct cmap *m, uint64_t fileid)
{
	unsigned shard = ns_fileid_shard(fileid);

	if (shard >= m->nshards)
		return 0; /* a fileid of no shard: nobody's (STALE) */
	return cmap_partition_owner(m, cmap_shard_partition(m, shard));
}

unsigned cmap_entry_owner(const struct cmap *m, uint64_t parent,
			  const char *name, size_t namelen)
{
	unsigned shard = ns_hash_shard(m->nshards, parent, name, namelen);

	return cmap_partition_owner(m, cmap_shard_partition(m, shard));
}

const struct cmap_node *cmap_node(const struct cmap *m, unsigned id)
{
	if (id == 0 || id > CMAP_MAX_NODES || !m->node[id].id)
		return NULL;
	return &m->node[id];
}

unsigned cmap_owners(const struct cmap *m)
{
	unsigned n = 0;

	for (unsigned id = 1; id <= CMAP_MAX_NODES; id++)
		n += m->node[id].id && m->node[id].npartitions > 0;
	return n;
}

int cmap_owns_all(const struct cmap *m, unsigned id)
{
	const struct cmap_node *n = cmap_node(m, id);

	return n && n->npartitions == m->npartitions;
}
