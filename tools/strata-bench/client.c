/*
 * tools/strata-bench/client.c -- client setup, export lookup, lease
 * renewal.  See client.h.
 */
#include "client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

#define MSG_SLACK 16384u   /* room for everything but a payload */
#define MAX_PATH_COMPONENTS (CPD_MAX_OPS - 4)

static void make_owner(struct client *c)
{
	char host[64] = "localhost";
	uint64_t t = (uint64_t)time(NULL) * 1000000007ull ^ mono_ns();

	gethostname(host, sizeof(host) - 1);
	snprintf(c->owner, sizeof(c->owner), "strata-bench/%s/%d/%llx", host,
		 (int)getpid(), (unsigned long long)t);
	memcpy(c->params.verifier, &t, sizeof(c->params.verifier));
	c->params.owner = c->owner;
	c->params.owner_len = (uint32_t)strlen(c->owner);
}

static int lanes_init(struct client *c, size_t msg_cap, size_t io)
{
	c->lanes = calloc(c->nlanes + 1, sizeof(*c->lanes));
	if (!c->lanes)
		return -1;
	for (uint32_t i = 0; i <= c->nlanes; i++)
		if (lane_init(&c->lanes[i], i, msg_cap, io) < 0)
			return -1;
	return 0;
}

/* PUTROOTFH, LOOKUP per component of PATH, GETFH, GETATTR(fs). */
static int find_export(struct client *c, struct lane *l, const char *path)
{
	char comp[MAX_PATH_COMPONENTS][256];
	unsigned n = 0;
	const char *p = path;

	while (*p) {
		while (*p == '/')
			p++;
		size_t len = strcspn(p, "/");
		if (len == 0)
			break;
		if (n == MAX_PATH_COMPONENTS || len >= sizeof(comp[0]))
			return lane_fail(l, "--export %s: too deep or too long",
					 path);
		memcpy(comp[n], p, len);
		comp[n++][len] = 0;
		p += len;
	}
	cpd_start(&l->cpd);
	cpd_putrootfh(&l->cpd);
	for (unsigned i = 0; i < n; i++)
		cpd_lookup(&l->cpd, comp[i]);
	int gf = cpd_getfh(&l->cpd);
	int ga = cpd_getattr(&l->cpd, ATTRS_FS);
	if (sess_call(l, c->mds, "export lookup") != 0)
		return -1;
	if (fh_copy(&c->root, &l->res.res[gf].nfs_resop4_u.opgetfh.GETFH4res_u
					 .resok4.object) < 0 ||
	    attrs_decode(&l->res.res[ga].nfs_resop4_u.opgetattr.GETATTR4res_u
				  .resok4.obj_attributes, &c->fs) < 0)
		return lane_fail(l, "export lookup: bad GETFH/GETATTR reply");
	return 0;
}

static int check_io(struct client *c, struct lane *l, uint32_t io)
{
	if (c->fs.maxwrite && io > c->fs.maxwrite)
		return lane_fail(l, "--io %u exceeds the server's maxwrite %llu",
				 io, (unsigned long long)c->fs.maxwrite);
	if (c->fs.maxread && io > c->fs.maxread)
		return lane_fail(l, "--io %u exceeds the server's maxread %llu",
				 io, (unsigned long long)c->fs.maxread);
	return 0;
}

/* ---- renewer ------------------------------------------------------- */

#define RENEW_MAX_SESS 64

static void renew_idle(struct client *c, struct lane *l, uint64_t idle_ns)
{
	struct nfs_sess *s[RENEW_MAX_SESS + 1];
	uint32_t n = pnfs_sessions(&c->pnfs, s + 1, RENEW_MAX_SESS);
	uint64_t now = mono_ns();

	s[0] = c->mds;
	for (uint32_t i = 0; i <= n; i++) {
		if (now - atomic_load(&s[i]->last_ns) < idle_ns)
			continue;
		if (sess_renew(l, s[i]) != 0)
			fprintf(stderr, "strata-bench: warning: %s\n", l->err);
	}
}

static void *renewer_main(void *arg)
{
	struct client *c = arg;
	struct lane *l = &c->lanes[c->nlanes];
	uint32_t lease = c->fs.lease ? c->fs.lease : 90;
	unsigned period = lease / 4 ? lease / 4 : 1;

	pthread_mutex_lock(&c->mu);
	while (!c->stop) {
		struct timespec dl;
		clock_gettime(CLOCK_MONOTONIC, &dl);
		dl.tv_sec += period;
		pthread_cond_timedwait(&c->cv, &c->mu, &dl);
		if (c->stop)
			break;
		pthread_mutex_unlock(&c->mu);
		renew_idle(c, l, (uint64_t)period * 1000000000ull);
		pthread_mutex_lock(&c->mu);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

static int start_renewer(struct client *c)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&c->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&c->renewer, NULL, renewer_main, c) != 0)
		return -1;
	c->renewer_started = 1;
	return 0;
}

/* ---- open / close ---------------------------------------------------- */

int client_open(struct client *c, const struct client_opts *o, char *err,
		size_t errlen)
{
	size_t msg = (size_t)o->io + MSG_SLACK;
	struct lane *l0;

	memset(c, 0, sizeof(*c));
	c->nlanes = o->conns * o->qd;
	c->params.nconns = o->conns;
	c->params.slots = o->slots;
	c->params.ncallers = c->nlanes + 1;
	c->params.max_msg = (uint32_t)msg;
	c->params.need_msg = o->io + 1024;
	c->params.timeout_ms = o->timeout_ms;
	c->params.no_pnfs = o->no_pnfs;
	make_owner(c);
	pnfs_init(&c->pnfs, NULL, &c->params);
	if (lanes_init(c, msg + 1024, o->io) < 0) {
		snprintf(err, errlen, "out of memory for %u lanes", c->nlanes);
		return -1;
	}
	l0 = &c->lanes[0];
	if (sess_open(l0, &c->params, SESS_MDS, o->host, o->port, &c->mds) < 0 ||
	    find_export(c, l0, o->export_path) < 0 || check_io(c, l0, o->io) < 0) {
		snprintf(err, errlen, "%s", l0->err);
		return -1;
	}
	c->pnfs.mds = c->mds;
	c->use_pnfs = !o->no_pnfs &&
		      (c->mds->eir_flags & EXCHGID4_FLAG_USE_PNFS_MDS) &&
		      c->fs.files_layout;
	for (uint32_t i = 0; i <= c->nlanes; i++) {
		struct open_owner *oo = &c->lanes[i].owner;
		oo->clientid = c->mds->clientid;
		oo->len = (uint32_t)snprintf(oo->name, sizeof(oo->name),
					     "strata-bench lane %u", i);
	}
	if (start_renewer(c) < 0) {
		snprintf(err, errlen, "cannot start the lease renewer");
		return -1;
	}
	return 0;
}

void client_close(struct client *c)
{
	if (c->renewer_started) {
		pthread_mutex_lock(&c->mu);
		c->stop = 1;
		pthread_cond_signal(&c->cv);
		pthread_mutex_unlock(&c->mu);
		pthread_join(c->renewer, NULL);
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->mu);
		c->renewer_started = 0;
	}
	if (c->lanes) {
		pnfs_destroy(&c->pnfs, &c->lanes[0]);
		sess_close(&c->lanes[0], c->mds);
		c->mds = NULL;
		for (uint32_t i = 0; i <= c->nlanes; i++)
			lane_destroy(&c->lanes[i]);
		free(c->lanes);
		c->lanes = NULL;
	}
}

int client_pnfs(struct client *c)
{
	return c->use_pnfs && !atomic_load(&c->pnfs.unavailable);
}
