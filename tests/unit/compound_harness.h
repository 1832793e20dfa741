/*
 * tests/unit/compound_harness.h — an in-process Strata server for tests
 * that drive COMPOUNDs directly through compound_run(), without sockets.
 *
 * Used by test_compound.c and the libFuzzer target (tests/fuzz), so it
 * has no cmocka dependency: every helper reports failure by its return
 * value.
 *
 *   - ch_server_start() runs server_start() on 127.0.0.1 port 0 with a
 *     fresh mkdtemp() data directory; ch_server_stop() stops it and removes
 *     the directory.
 *   - ch_conn_new() makes a fake struct xprt_conn whose send() appends to a
 *     buffer and whose destroy() frees it (and bumps an optional counter).
 *   - struct ch_client is one NFSv4.1 client: a connection, an AUTH_SYS
 *     credential, its clientid and session, per-slot sequence ids, and the
 *     raw and decoded reply of the last COMPOUND it sent.
 *   - ch_op_*() build nfs_argop4 values. Strings and buffers they are given
 *     are referenced, not copied: keep them alive until the call is made.
 *
 * Threads: single-threaded; ch_run() takes srv->state_lock around
 * compound_run() exactly as server.c does.
 */
#ifndef STRATA_TEST_COMPOUND_HARNESS_H
#define STRATA_TEST_COMPOUND_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "compound.h"
#include "nfs4_prot.h"
#include "rpc.h"
#include "server_run.h"
#include "session.h"
#include "xprt.h"

#define CH_NFS4_PROGRAM 100003u
#define CH_MAX_OPS 32

/* ---- fake connection ------------------------------------------------ */

struct ch_conn {
	struct xprt_conn base;
	uint8_t *sent;     /* every message sent, concatenated */
	size_t sent_len, sent_cap;
	unsigned nsends;
	int *destroyed;    /* incremented by destroy(), may be NULL */
};

/* A new connection with one reference (the caller's). */
struct xprt_conn *ch_conn_new(int *destroyed_counter);
static inline struct ch_conn *ch_conn_of(struct xprt_conn *c)
{
	return (struct ch_conn *)c;
}

/* ---- server --------------------------------------------------------- */

/* Start a server in a fresh temp dir (*dir_out: malloc'ed path). MAX_IO 0
 * keeps the default. 0 or -errno. */
int ch_server_start(struct strata_server **out, char **dir_out,
		    unsigned nshards, uint32_t max_io);
/* Start a server of ROLE with configuration CFG in a fresh temp dir
 * (*dir_out: malloc'ed path): sets cfg->data_dir to DIR/srv, everything
 * else (listen address, port, cluster key, data servers) is the caller's.
 * 0 or -errno. */
int ch_server_start_cfg(struct strata_server **out, char **dir_out,
			struct strata_config *cfg, unsigned role);
/* Stop SRV, remove DIR and free it. */
void ch_server_stop(struct strata_server *srv, char *dir);
/* Remove a directory tree (best effort). */
void ch_rmrf(const char *dir);

/* AUTH_SYS credential for UID/GID. */
void ch_cred_sys(struct rpc_cred *cred, uint32_t uid, uint32_t gid);

/* Run COMPOUND arguments ARGS through compound_run() under the state lock
 * (after client_expire(), like server.c). Returns the reply length. */
size_t ch_run(struct strata_server *srv, struct xprt_conn *conn,
	      const struct rpc_cred *cred, const uint8_t *args,
	      size_t args_len, uint8_t *out, size_t cap, int *garbage);

/* Encode a COMPOUND4args. 0, or -1 if it does not fit. */
int ch_encode(uint32_t minor, const char *tag, nfs_argop4 *ops, unsigned n,
	      uint8_t *buf, size_t cap, size_t *len);

/* Build a whole RPC CALL message (AUTH_SYS uid 0) around ARGS. Returns its
 * length, 0 if it does not fit. */
size_t ch_rpc_wrap(uint32_t xid, uint32_t prog, uint32_t vers, uint32_t proc,
		   const uint8_t *args, size_t args_len, uint8_t *out,
		   size_t cap);

/* ---- a client ------------------------------------------------------- */

struct ch_client {
	struct strata_server *srv;
	struct xprt_conn *conn;   /* referenced */
	struct rpc_cred cred;
	clientid4 clientid;
	sequenceid4 cs_seq;       /* next csa_sequence */
	sessionid4 sessionid;
	int have_session;
	uint32_t slot_seq[SESSION_MAX_SLOTS]; /* last seqid used per slot */
	uint8_t *reply;           /* raw COMPOUND4res of the last call */
	size_t reply_len, reply_cap;
	int garbage;              /* last call: GARBAGE_ARGS */
	COMPOUND4res res;         /* decoded last reply */
	int have_res;
	uint8_t req[256 * 1024];  /* encoding buffer */
	size_t req_len;
};

/* Set up CL on SRV with its own connection (or CONN, referenced, if not
 * NULL) and AUTH_SYS uid 0. 0 or -1. */
int ch_client_init(struct ch_client *cl, struct strata_server *srv,
		   struct xprt_conn *conn);
void ch_client_fini(struct ch_client *cl);

/* Encode OPS (minor version MINOR), run them, decode the reply into
 * cl->res. Returns the COMPOUND status (>= 0), or -1 on a harness failure
 * (encode/decode error, GARBAGE_ARGS). */
int ch_call(struct ch_client *cl, uint32_t minor, nfs_argop4 *ops,
	    unsigned n);
/* Same with already-encoded arguments. */
int ch_call_raw(struct ch_client *cl, const uint8_t *args, size_t len);

/* Number of results in the last reply, and the status of result I
 * (-1 if there is none). */
unsigned ch_nres(const struct ch_client *cl);
int ch_status(const struct ch_client *cl, unsigned i);
/* Result I, or NULL. */
nfs_resop4 *ch_res(struct ch_client *cl, unsigned i);

/* EXCHANGE_ID (alone) for OWNER with verifier VERF (8 bytes); sets
 * cl->clientid and cl->cs_seq. Returns the op status or -1. */
int ch_exchange_id(struct ch_client *cl, const char *owner,
		   const char *verf);
/* CREATE_SESSION (alone) with csa_sequence cl->cs_seq and MAXREQS fore
 * slots; on success sets cl->sessionid and bumps cl->cs_seq. */
int ch_create_session(struct ch_client *cl, uint32_t maxreqs);
/* Both, with 8 slots, then RECLAIM_COMPLETE on slot 7. 0 on success. */
int ch_setup(struct ch_client *cl, const char *owner);
/* CREATE_SESSION like ch_create_session() with csa_flags FLAGS (e.g.
 * CREATE_SESSION4_FLAG_CONN_BACK_CHAN: cl->conn becomes the back
 * channel, and callbacks land in its sent buffer). */
int ch_create_session_flags(struct ch_client *cl, uint32_t maxreqs,
			    uint32_t flags);
/* ch_setup() with a session whose back channel is cl->conn. */
int ch_setup_back_chan(struct ch_client *cl, const char *owner);

/* ---- op builders ---------------------------------------------------- */

nfs_argop4 ch_op_sequence(const struct ch_client *cl, uint32_t slot,
			  uint32_t seqid, int cachethis);
/* SEQUENCE with the slot's next seqid (and remember it). */
nfs_argop4 ch_op_seq(struct ch_client *cl, uint32_t slot, int cachethis);
/* CREATE_SESSION args as ch_create_session() sends them. */
nfs_argop4 ch_op_create_session(const struct ch_client *cl,
				uint32_t maxreqs);
nfs_argop4 ch_op_putrootfh(void);
nfs_argop4 ch_op_putfh(const nfs_fh4 *fh);
nfs_argop4 ch_op_getfh(void);
nfs_argop4 ch_op_savefh(void);
nfs_argop4 ch_op_restorefh(void);
nfs_argop4 ch_op_lookup(const char *name, size_t len);
nfs_argop4 ch_op_lookupp(void);
nfs_argop4 ch_op_access(uint32_t bits);
nfs_argop4 ch_op_create_dir(const char *name);
nfs_argop4 ch_op_remove(const char *name);
nfs_argop4 ch_op_rename(const char *from, const char *to);
nfs_argop4 ch_op_link(const char *name);
/* GETATTR/READDIR take a bitmap of NWORDS words at WORDS (referenced). */
nfs_argop4 ch_op_getattr(uint32_t *words, unsigned nwords);
nfs_argop4 ch_op_readdir(uint64_t cookie, uint32_t maxcount,
			 uint32_t *words, unsigned nwords);
/* OPEN by name (CLAIM_NULL); CREATE true: OPEN4_CREATE/UNCHECKED4 with no
 * attributes. OWNER is the open-owner string. */
nfs_argop4 ch_op_open(const struct ch_client *cl, const char *owner,
		      const char *name, int create, uint32_t access,
		      uint32_t deny);
nfs_argop4 ch_op_close(const stateid4 *sid);
nfs_argop4 ch_op_write(const stateid4 *sid, uint64_t off, const void *data,
		       uint32_t len, stable_how4 stable);
nfs_argop4 ch_op_read(const stateid4 *sid, uint64_t off, uint32_t count);
nfs_argop4 ch_op_commit(uint64_t off, uint32_t count);
/* LOCK with a new lock owner LOCK_OWNER made from OPEN_SID. */
nfs_argop4 ch_op_lock_new(const struct ch_client *cl, nfs_lock_type4 type,
			  uint64_t off, uint64_t len, const stateid4 *open_sid,
			  const char *lock_owner);
nfs_argop4 ch_op_lock_exist(nfs_lock_type4 type, uint64_t off, uint64_t len,
			    const stateid4 *lock_sid);
nfs_argop4 ch_op_lockt(const struct ch_client *cl, nfs_lock_type4 type,
		       uint64_t off, uint64_t len, const char *lock_owner);
nfs_argop4 ch_op_locku(nfs_lock_type4 type, uint64_t off, uint64_t len,
		       const stateid4 *lock_sid);
nfs_argop4 ch_op_destroy_session(const sessionid4 id);
nfs_argop4 ch_op_destroy_clientid(clientid4 id);
nfs_argop4 ch_op_reclaim_complete(void);
/* SETATTR of the size alone; WORD (one bitmap word) and VAL (8 bytes) are
 * the caller's storage for the fattr4. */
/* SETATTR of the mode (WORD: 2 words, VAL: 4 bytes, caller's). */
nfs_argop4 ch_op_setattr_mode(const stateid4 *sid, uint32_t mode,
			      uint32_t word[2], char *val);
nfs_argop4 ch_op_setattr_size(const stateid4 *sid, uint64_t size,
			      uint32_t *word, char *val);
/* pNFS, LAYOUT4_NFSV4_1_FILES. */
nfs_argop4 ch_op_layoutget(layoutiomode4 iomode, uint64_t off, uint64_t len,
			   const stateid4 *sid, uint32_t maxcount);
/* LAYOUTCOMMIT of [OFF, OFF+LEN) with last_write_offset LAST when
 * HAVE_LAST, no time, an empty layoutupdate. */
nfs_argop4 ch_op_layoutcommit(uint64_t off, uint64_t len, const stateid4 *sid,
			      int have_last, uint64_t last);
nfs_argop4 ch_op_layoutreturn_file(layoutiomode4 iomode, uint64_t off,
				   uint64_t len, const stateid4 *sid);
/* DEVID: NFS4_DEVICEID4_SIZE bytes; no notifications asked for. */
nfs_argop4 ch_op_getdeviceinfo(const void *devid, uint32_t maxcount);
nfs_argop4 ch_op_getdevicelist(uint32_t maxdevices, uint64_t cookie);
/* A raw opcode with no arguments (for unknown / argument-less ops). */
nfs_argop4 ch_op_raw(uint32_t opnum);

/* ---- reply helpers -------------------------------------------------- */

/* The value of attribute BIT from an fattr4 that holds exactly that one
 * attribute (a GETATTR that asked for only it). 0 or -1. */
int ch_attr_u32(const fattr4 *a, unsigned bit, uint32_t *out);
int ch_attr_u64(const fattr4 *a, unsigned bit, uint64_t *out);

#endif
