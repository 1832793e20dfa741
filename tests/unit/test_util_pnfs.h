/*
 * tests/unit/test_util_pnfs.h — an in-process pNFS cluster for the cmocka
 * tests (test_pnfs.c, test_data_loss.c): two data servers
 * (server_start(ROLE_DS), really listening on 127.0.0.1) and a metadata
 * server (ROLE_MDS, nds = 2) that reaches them over TCP with the control
 * protocol, all sharing one cluster key in a temp file; one client session
 * on each data server; and the COMPOUND helpers those tests share.
 * Include after <cmocka.h>. Single-threaded, like the harness.
 */
#ifndef STRATA_TEST_UTIL_PNFS_H
#define STRATA_TEST_UTIL_PNFS_H

#include <stdint.h>

#include "compound_harness.h"
#include "config.h"
#include "mac.h"
#include "server_run.h"
#include "test_util_ch.h"

#define NDS 2
#define UNIT 65536u        /* stripe unit of the test cluster */
#define FH_MAXCOUNT 4096u

extern struct strata_server *g_ds[NDS];
extern struct strata_server *g_mds;
extern struct ch_client *g_dscl[NDS];
extern struct mac_key g_key;
extern char g_keypath[1200];
extern const stateid4 anon_sid; /* all zeros */
/* max_layouts_per_client of the MDS tp_cluster_setup() starts. */
extern unsigned tp_max_layouts;
/* What test_pnfs*.c set it to: layouts per client before closed ones
 * are recalled. */
#define TP_TRIM_MAX 8

/* cmocka group setup/teardown: the key, the two DSs, the MDS, the DS
 * client sessions. */
int tp_cluster_setup(void **state);
int tp_cluster_teardown(void **state);
/* Stop data server J and start it again on the same port and data
 * directory (emptied first when WIPE), with --replace when REPLACE; its
 * client session g_dscl[J] is made anew, and the MDS connects to it at
 * its next call. 0 or -errno. */
int tp_ds_restart(unsigned j, int wipe, int replace);
/* A configuration with the cluster key, listening on 127.0.0.1:0. */
void base_config(struct strata_config *cfg);

#define NOPS(...) (sizeof((nfs_argop4[]){ __VA_ARGS__ }) / sizeof(nfs_argop4))
/* Run the ops (minor version 1); evaluates to the COMPOUND status. */
#define CALL(cl, ...)                                                        \
	call_ops((cl), (nfs_argop4[]){ __VA_ARGS__ }, NOPS(__VA_ARGS__))
int call_ops(struct ch_client *cl, nfs_argop4 *ops, unsigned n);

struct ch_client *new_client_on(struct strata_server *srv, const char *owner,
				int back_chan);
/* A client of the MDS with a session (no back channel). */
struct ch_client *new_client(const char *owner);
uint64_t fileid_of(const struct fh *fh);
/* OPEN NAME in the root as OWNER (both access, deny none); returns the
 * OPEN status and fills *sid and *fh on success. */
int open_file(struct ch_client *cl, const char *owner, const char *name,
	      int create, stateid4 *sid, struct fh *fh);

/* A decoded LAYOUTGET result. */
struct layout_info {
	stateid4 sid;
	int return_on_close;
	uint64_t offset, length;
	layoutiomode4 iomode;
	layouttype4 type;
	uint8_t devid[NFS4_DEVICEID4_SIZE];
	uint32_t util, first;
	uint64_t pattern_offset;
	unsigned nfh;
	uint32_t fh_len[NDS];
	char fhb[NDS][NFS4_FHSIZE];
	nfs_fh4 fh[NDS]; /* point into fhb */
};

void decode_layout(struct ch_client *cl, unsigned i, struct layout_info *li);
/* LAYOUTGET (whole file, IOMODE) on FH with SID; its status, and *LI
 * filled on success. */
int layoutget(struct ch_client *cl, const struct fh *fh, const stateid4 *sid,
	      layoutiomode4 iomode, struct layout_info *li);
/* A new file NAME opened by CL as OWNER with an RW layout. */
void open_with_layout(struct ch_client *cl, const char *owner,
		      const char *name, stateid4 *open_sid, struct fh *fh,
		      struct layout_info *li);
/* CLOSE of FH with open stateid SID: the COMPOUND's status. */
int close_file(struct ch_client *cl, const struct fh *fh, const stateid4 *sid);
/* LAYOUTRETURN of the whole file FH: the COMPOUND's status. */
int return_layout(struct ch_client *cl, const struct fh *fh,
		  const stateid4 *sid);
/* WRITE / READ on data server J (READ compares with WANT, LEN bytes
 * expected back, on success). */
int ds_write(unsigned j, const nfs_fh4 *fh, const stateid4 *sid,
	     uint64_t off, const void *data, uint32_t len, stable_how4 how,
	     WRITE4resok *out);
int ds_read_cmp(unsigned j, const nfs_fh4 *fh, const stateid4 *sid,
		uint64_t off, const void *want, uint32_t len);
void fill_pattern(uint8_t *p, size_t n, unsigned seed);
/* How many data servers hold their stripe object of FILEID. */
int objects_on_ds(uint64_t fileid);

#endif
