/*
 * tests/unit/test_util_pnfs.c — see test_util_pnfs.h.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_util_pnfs.h"
#include "cluster.h"
#include "fh.h"

unsigned tp_max_layouts = 16384;

static char *g_keydir;
char g_keypath[1200];
struct mac_key g_key;
struct strata_server *g_ds[NDS];
static char *g_dsdir[NDS];
struct strata_server *g_mds;
static char *g_mdsdir;
struct ch_client *g_dscl[NDS]; /* one session per data server */

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

int call_ops(struct ch_client *cl, nfs_argop4 *ops, unsigned n)
{
	int st = ch_call(cl, 1, ops, n);

	if (st < 0)
		fail_msg("COMPOUND could not be run or decoded (garbage=%d)",
			 cl->garbage);
	return st;
}

struct ch_client *new_client_on(struct strata_server *srv, const char *owner,
				int back_chan)
{
	struct ch_client *cl = calloc(1, sizeof(*cl));
	int rc;

	assert_non_null(cl);
	assert_int_equal(ch_client_init(cl, srv, NULL), 0);
	if (owner) {
		rc = back_chan ? ch_setup_back_chan(cl, owner)
			       : ch_setup(cl, owner);
		if (rc != 0)
			fail_msg("EXCHANGE_ID/CREATE_SESSION for %s failed",
				 owner);
	}
	return cl;
}

struct ch_client *new_client(const char *owner)
{
	return new_client_on(g_mds, owner, 0);
}

uint64_t fileid_of(const struct fh *fh)
{
	return tu_fileid(fh);
}

/* OPEN NAME in the root as OWNER (both access, deny none); returns the
 * OPEN status and fills *sid and *fh on success. */
int open_file(struct ch_client *cl, const char *owner, const char *name,
	      int create, stateid4 *sid, struct fh *fh)
{
	CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putrootfh(),
	     ch_op_open(cl, owner, name, create, OPEN4_SHARE_ACCESS_BOTH,
			OPEN4_SHARE_DENY_NONE),
	     ch_op_getfh());
	if (ch_status(cl, 2) == NFS4_OK) {
		if (sid)
			*sid = ch_res(cl, 2)
				       ->nfs_resop4_u.opopen.OPEN4res_u.resok4
				       .stateid;
		if (fh)
			tu_save_fh(cl, 3, fh);
	}
	return ch_status(cl, 2);
}

const stateid4 anon_sid; /* all zeros */

/* Decode the loc_body of the single layout in LAYOUTGET result I. */
void decode_layout(struct ch_client *cl, unsigned i, struct layout_info *li)
{
	LAYOUTGET4resok *ok =
		&ch_res(cl, i)
			 ->nfs_resop4_u.oplayoutget.LAYOUTGET4res_u.logr_resok4;
	nfsv4_1_file_layout4 fl;
	layout4 *lo;
	XDR x;

	memset(li, 0, sizeof(*li));
	li->sid = ok->logr_stateid;
	li->return_on_close = ok->logr_return_on_close;
	assert_int_equal(ok->logr_layout.logr_layout_len, 1);
	lo = &ok->logr_layout.logr_layout_val[0];
	li->offset = lo->lo_offset;
	li->length = lo->lo_length;
	li->iomode = lo->lo_iomode;
	li->type = lo->lo_content.loc_type;
	assert_int_equal(li->type, LAYOUT4_NFSV4_1_FILES);
	memset(&fl, 0, sizeof(fl));
	xdrmem_create(&x, lo->lo_content.loc_body.loc_body_val,
		      lo->lo_content.loc_body.loc_body_len, XDR_DECODE);
	assert_true(xdr_nfsv4_1_file_layout4(&x, &fl));
	/* The body is exactly one nfsv4_1_file_layout4. */
	assert_int_equal(xdr_getpos(&x), lo->lo_content.loc_body.loc_body_len);
	xdr_destroy(&x);
	memcpy(li->devid, fl.nfl_deviceid, NFS4_DEVICEID4_SIZE);
	li->util = fl.nfl_util;
	li->first = fl.nfl_first_stripe_index;
	li->pattern_offset = fl.nfl_pattern_offset;
	li->nfh = fl.nfl_fh_list.nfl_fh_list_len;
	for (unsigned j = 0; j < li->nfh && j < NDS; j++) {
		nfs_fh4 *f = &fl.nfl_fh_list.nfl_fh_list_val[j];
		assert_true(f->nfs_fh4_len <= NFS4_FHSIZE);
		li->fh_len[j] = f->nfs_fh4_len;
		memcpy(li->fhb[j], f->nfs_fh4_val, f->nfs_fh4_len);
		li->fh[j].nfs_fh4_len = f->nfs_fh4_len;
		li->fh[j].nfs_fh4_val = li->fhb[j];
	}
	xdr_free((xdrproc_t)xdr_nfsv4_1_file_layout4, (char *)&fl);
}

/* LAYOUTGET (whole file, IOMODE) on FH with SID; its status, and *LI
 * filled on success. */
int layoutget(struct ch_client *cl, const struct fh *fh, const stateid4 *sid,
	      layoutiomode4 iomode, struct layout_info *li)
{
	CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh->fh),
	     ch_op_layoutget(iomode, 0, NFS4_UINT64_MAX, sid, FH_MAXCOUNT));
	if (ch_status(cl, 2) == NFS4_OK && li)
		decode_layout(cl, 2, li);
	return ch_status(cl, 2);
}

/* A new file NAME opened by CL as OWNER with an RW layout. */
void open_with_layout(struct ch_client *cl, const char *owner, const char *name,
		      stateid4 *open_sid, struct fh *fh, struct layout_info *li)
{
	assert_int_equal(open_file(cl, owner, name, 1, open_sid, fh), NFS4_OK);
	assert_int_equal(layoutget(cl, fh, open_sid, LAYOUTIOMODE4_RW, li),
			 NFS4_OK);
	assert_int_equal(li->nfh, NDS);
}

/* CLOSE of FH with open stateid SID: the COMPOUND's status. */
int close_file(struct ch_client *cl, const struct fh *fh, const stateid4 *sid)
{
	return CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh->fh),
		    ch_op_close(sid));
}

/* LAYOUTRETURN of the whole file FH, any iomode, layout stateid SID: the
 * COMPOUND's status (the reply is result 2). */
int return_layout(struct ch_client *cl, const struct fh *fh,
		  const stateid4 *sid)
{
	return CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(&fh->fh),
		    ch_op_layoutreturn_file(LAYOUTIOMODE4_ANY, 0,
					    NFS4_UINT64_MAX, sid));
}

int ds_write(unsigned j, const nfs_fh4 *fh, const stateid4 *sid, uint64_t off,
	     const void *data, uint32_t len, stable_how4 how, WRITE4resok *out)
{
	struct ch_client *cl = g_dscl[j];
	int st = CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(fh),
		      ch_op_write(sid, off, data, len, how));

	if (st == NFS4_OK && out)
		*out = ch_res(cl, 2)->nfs_resop4_u.opwrite.WRITE4res_u.resok4;
	return st;
}

/* READ on DS J; on success the data are compared with WANT (LEN bytes
 * expected back). */
int ds_read_cmp(unsigned j, const nfs_fh4 *fh, const stateid4 *sid,
		uint64_t off, const void *want, uint32_t len)
{
	struct ch_client *cl = g_dscl[j];
	int st = CALL(cl, ch_op_seq(cl, 0, 0), ch_op_putfh(fh),
		      ch_op_read(sid, off, len));

	if (st == NFS4_OK) {
		READ4resok *ok =
			&ch_res(cl, 2)->nfs_resop4_u.opread.READ4res_u.resok4;
		assert_int_equal(ok->data.len, len);
		assert_memory_equal(ok->data.base, want, len);
	}
	return st;
}

void fill_pattern(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)((i * 131u + seed * 7u + (i >> 9)) & 0xff);
}

/* ------------------------------------------------------------------ */
/* Setup: a cluster key, two data servers, one metadata server          */
/* ------------------------------------------------------------------ */

int write_key(void)
{
	const char *tmp = getenv("TMPDIR");
	char tmpl[1024];
	uint8_t key[32];
	FILE *f;

	snprintf(tmpl, sizeof(tmpl), "%s/strata-pnfs-key-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl))
		return -1;
	g_keydir = strdup(tmpl);
	snprintf(g_keypath, sizeof(g_keypath), "%s/cluster.key", tmpl);
	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key))
		return -1;
	f = fopen(g_keypath, "wb");
	if (!f)
		return -1;
	if (fwrite(key, 1, sizeof(key), f) != sizeof(key)) {
		fclose(f);
		return -1;
	}
	if (fclose(f) != 0)
		return -1;
	return mac_key_load(&g_key, g_keypath);
}

void base_config(struct strata_config *cfg)
{
	config_defaults(cfg);
	snprintf(cfg->listen_addr, sizeof(cfg->listen_addr), "127.0.0.1");
	cfg->port = 0;
	snprintf(cfg->cluster_key, sizeof(cfg->cluster_key), "%s", g_keypath);
}

int tp_cluster_setup(void **state)
{
	struct strata_config cfg;

	(void)state;
	if (write_key() < 0)
		return -1;
	for (unsigned i = 0; i < NDS; i++) {
		base_config(&cfg);
		if (ch_server_start_cfg(&g_ds[i], &g_dsdir[i], &cfg, ROLE_DS) <
		    0)
			return -1;
	}
	base_config(&cfg);
	cfg.nds = NDS;
	for (unsigned i = 0; i < NDS; i++) {
		struct ds_endpoint *d = &cfg.ds[i];
		snprintf(d->addr, sizeof(d->addr), "127.0.0.1");
		d->port = g_ds[i]->cfg.port;
		snprintf(d->adv_addr, sizeof(d->adv_addr), "127.0.0.1");
		d->adv_port = g_ds[i]->cfg.port;
	}
	cfg.stripe_unit = UNIT;
	cfg.max_layouts = tp_max_layouts;
	cfg.lease_time = 10;
	cfg.grace_set = 1;
	cfg.grace_time = 0;
	if (ch_server_start_cfg(&g_mds, &g_mdsdir, &cfg, ROLE_MDS) < 0)
		return -1;
	for (unsigned i = 0; i < NDS; i++) {
		char owner[32];
		g_dscl[i] = calloc(1, sizeof(*g_dscl[i]));
		if (!g_dscl[i] || ch_client_init(g_dscl[i], g_ds[i], NULL) < 0)
			return -1;
		snprintf(owner, sizeof(owner), "ds-client-%u", i);
		if (ch_setup(g_dscl[i], owner) != 0)
			return -1;
	}
	return 0;
}

int tp_cluster_teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < NDS; i++)
		if (g_dscl[i]) {
			tu_free_client(g_dscl[i]);
			g_dscl[i] = NULL;
		}
	/* The MDS first: it holds control connections to the DSs. */
	ch_server_stop(g_mds, g_mdsdir);
	g_mds = NULL;
	g_mdsdir = NULL;
	for (unsigned i = 0; i < NDS; i++) {
		ch_server_stop(g_ds[i], g_dsdir[i]);
		g_ds[i] = NULL;
		g_dsdir[i] = NULL;
	}
	ch_rmrf(g_keydir);
	free(g_keydir);
	g_keydir = NULL;
	return 0;
}

int objects_on_ds(uint64_t fileid)
{
	int n = 0;

	for (unsigned j = 0; j < NDS; j++)
		n += ds_store_size(g_ds[j]->store, fileid, j, 0) >= 0;
	return n;
}

int tp_ds_restart(unsigned j, int wipe, int replace)
{
	struct strata_config cfg = g_ds[j]->cfg;
	char owner[32];

	tu_free_client(g_dscl[j]);
	g_dscl[j] = NULL;
	server_stop(g_ds[j]);
	g_ds[j] = NULL;
	if (wipe)
		ch_rmrf(cfg.data_dir);
	cfg.ds_replace = replace;
	if (server_start(&g_ds[j], &cfg, ROLE_DS) < 0)
		return -1;
	g_dscl[j] = calloc(1, sizeof(*g_dscl[j]));
	if (!g_dscl[j] || ch_client_init(g_dscl[j], g_ds[j], NULL) < 0)
		return -1;
	snprintf(owner, sizeof(owner), "ds-client-%u", j);
	if (ch_setup(g_dscl[j], owner) != 0)
		return -1;
	cluster_retry_now(g_mds->cluster, j);
	return 0;
}
