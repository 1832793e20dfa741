/*
 * nfsd/session.h — NFSv4.1 client records, sessions and slot tables
 * (RFC 8881 §2.4, §2.10); one slot and its state machine: nfsd/slot.h.
 *
 * Ownership: a struct nfs_client is owned by srv->clients (a list); it owns
 * its sessions; a session owns its slots and their cached replies. Client
 * records are destroyed by DESTROY_CLIENTID, by a replacing EXCHANGE_ID
 * confirmed through CREATE_SESSION, or by lease expiry.
 *
 * Threads: every function here must be called with srv->state_lock held.
 */
#ifndef STRATA_NFSD_SESSION_H
#define STRATA_NFSD_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "nfs4_prot.h"
#include "rpc.h"
#include "slot.h"

struct strata_server;
struct xprt_conn;

#define SESSION_MAX_SLOTS 64
#define SESSION_MAX_CONNS 16

struct nfs_session {
	uint8_t id[NFS4_SESSIONID_SIZE];
	struct nfs_client *client;
	struct nfs_session *next; /* in client->sessions */
	channel_attrs4 fore;      /* as negotiated (ca_rdma_ird unused) */
	channel_attrs4 back;
	uint32_t cb_program;
	uint32_t flags;           /* CREATE_SESSION4_FLAG_* granted */
	struct nfs_slot slots[SESSION_MAX_SLOTS];
	struct xprt_conn *conns[SESSION_MAX_CONNS]; /* bound, referenced */
	unsigned nconns;
	struct xprt_conn *back_conn; /* backchannel connection, referenced */
	/* Back channel slot 0 and credential (callback.c). */
	uint32_t cb_seqid;      /* last CB_SEQUENCE sequence id sent */
	uint32_t cb_xid;        /* xid of the call in flight, 0 if none */
	time_t cb_sent;         /* when it was sent */
	int cb_layout;          /* it is a CB_LAYOUTRECALL of cb_other */
	uint8_t cb_other[NFS4_OTHER_SIZE];
	unsigned cb_owner;      /* the node whose recall it is (0: ours) */
	uint32_t cb_flavor;     /* AUTH_NONE or AUTH_SYS */
	uint8_t cb_cred[RPC_MAX_AUTH_BYTES]; /* encoded AUTH_SYS body */
	uint32_t cb_cred_len;
};

struct nfs_client {
	uint64_t clientid;
	struct nfs_client *next;  /* in srv->clients */
	uint8_t verifier[NFS4_VERIFIER_SIZE];
	uint8_t *owner;           /* co_ownerid, owned */
	size_t owner_len;
	uint32_t principal_flavor; /* who created it (RFC 8881 §18.35.4) */
	uint32_t principal_uid;
	char principal_machine[256];
	int confirmed;
	uint32_t seqid;           /* eir_sequenceid / csa_sequence */
	/* CREATE_SESSION replay cache (RFC 8881 §18.36.4). */
	int cs_cached;
	CREATE_SESSION4res cs_reply;
	time_t last_renew;
	int expired;              /* lease ran out; state kept (courtesy) */
	int reclaim_complete;
	struct nfs_session *sessions;
	uint32_t flags;           /* EXCHGID4_FLAG_* granted */
	struct nfs_stid *stids;   /* every stateid the client holds */
	unsigned revoked;         /* revoked delegations not yet freed */
	unsigned nlayouts;        /* STID_LAYOUT stateids held (state.c) */
	struct nfs_stid *lo_first, *lo_last; /* them, oldest first */
	struct strata_server *srv;
	/* In a cluster (docs/decisions/0024). FRONT 0: the client's session
	 * is here. Else this is a partition owner's stub of a client of
	 * node FRONT, made by its first sub-compound: it holds the
	 * client's state on this node's files, never expires here (its
	 * front renews it) and goes when the front says the client is gone.
	 * FWD_NODES: on its front, the nodes its sub-compounds went to (a
	 * set of cmap_node_bit(), pnfs/cmap.h, as the other node sets). */
	unsigned front;
	uint64_t fwd_nodes;
	int cb_via_front;         /* a stub: its front has a back channel */
	uint64_t state_nodes;     /* a front: owners that said the client
				     holds state there (cmap_node_bit()) */
	uint64_t reclaim_nodes;   /* a front: of those, the ones that
				     restarted since and await its reclaim
				     (SEQ4_STATUS_RESTART_RECLAIM_NEEDED) */
	/* Its RECLAIM_COMPLETE succeeded at another node (the root's
	 * owner) since it was last told to reclaim: known to its front,
	 * sent to owners with each sub-compound. With partitions over
	 * several nodes, an owner that is not the root's lets it make new
	 * state on this, not on RECLAIM_COMPLETE (op_open.c). */
	int rc_done;
};

/* ---- clients -------------------------------------------------------- */
/*
 * A client id: the node that made it (16 bits, 0 for a server without a
 * cluster map), the low 16 bits of that node's boot epoch, and a counter
 * of the boot (32 bits). Ids never repeat across a node's restarts (a stale
 * one gets NFS4ERR_STALE_CLIENTID) nor across the nodes of a cluster, whose
 * sessions ids start with it: the Linux client never takes one node's
 * client for another's (docs/decisions/0024).
 */
static inline uint64_t client_id_make(unsigned node, uint32_t boot_epoch,
				      uint32_t counter)
{
	return (uint64_t)(node & 0xffffu) << 48 |
	       (uint64_t)(boot_epoch & 0xffffu) << 32 | counter;
}

static inline unsigned client_id_node(uint64_t clientid)
{
	return (unsigned)(clientid >> 48);
}

struct nfs_client *client_find(struct strata_server *srv, uint64_t clientid);
struct nfs_client *client_find_owner(struct strata_server *srv,
				     const void *owner, size_t len,
				     int confirmed);
struct nfs_client *client_new(struct strata_server *srv, const void *owner,
			      size_t len, const verifier4 verf,
			      const struct rpc_cred *cred);
/* A partition owner's stub of client CLIENTID of node FRONT (found, or
 * made confirmed with this owner and principal). NULL: no memory. */
struct nfs_client *client_stub(struct strata_server *srv, uint64_t clientid,
			       const void *owner, size_t len,
			       const verifier4 verf,
			       const struct rpc_cred *principal,
			       unsigned front);
/* DELTA more (or fewer) of CLP's delegations are revoked and not yet
 * freed; a stub's front is told (srv->revoked_remote). */
void client_revoked_add(struct strata_server *srv, struct nfs_client *clp,
			int delta);
/* Unlink and free the client with all its sessions and state. */
void client_destroy(struct strata_server *srv, struct nfs_client *clp);
int client_has_state(const struct nfs_client *clp);
int client_same_principal(const struct nfs_client *clp,
			  const struct rpc_cred *cred);
void client_renew(struct strata_server *srv, struct nfs_client *clp);
/* Mark clients whose lease ran out; reap ones with no state. */
void client_expire(struct strata_server *srv);
/* Courteous server: state of expired clients is kept until another
 * client needs the file. An expired client holding state on FILEID
 * loses all of it when another client opens or locks that file. */
void client_release_expired_on(struct strata_server *srv, uint64_t fileid);

/* ---- sessions ------------------------------------------------------- */
struct nfs_session *session_find(struct strata_server *srv,
				 const sessionid4 id);
struct nfs_session *session_new(struct strata_server *srv,
				struct nfs_client *clp);
void session_destroy(struct strata_server *srv, struct nfs_session *s);
/* Bind CONN to S (fore and/or back channel). 0 or -ENOSPC. */
int session_bind_conn(struct nfs_session *s, struct xprt_conn *conn,
		      int back);
int session_has_conn(const struct nfs_session *s,
		     const struct xprt_conn *conn);

#endif
