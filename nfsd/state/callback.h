/*
 * nfsd/state/callback.h — the NFSv4.1 callback client (RFC 8881 §20) over a
 * session's back channel, which is the fore channel's own connection
 * (§2.10.3.1).
 *
 * Each session uses back-channel slot 0 only: at most one CB_COMPOUND is in
 * flight per session (so never more than the client's ca_maxrequests: the
 * Linux client over RDMA has 16 back-channel slots); its xid routes the
 * reply. A call larger than the session's back-channel ca_maxrequestsize
 * is not sent (-EMSGSIZE). Calls are asynchronous: the caller never waits
 * for the client (a COMPOUND that needs a recall answers NFS4ERR_DELAY and
 * the client retries).
 *
 * Threads: cb_* senders need srv->state_lock. cb_on_reply() is installed as
 * the connection's on_reply hook and runs on that connection's receive
 * thread; it takes srv->state_lock itself.
 */
#ifndef STRATA_NFSD_CALLBACK_H
#define STRATA_NFSD_CALLBACK_H

#include <stddef.h>
#include <stdint.h>

#include "nfs4_prot.h"

struct strata_server;
struct nfs_session;
struct nfs_client;
struct xprt_conn;

/* The client's session with a usable back channel, or NULL. */
struct nfs_session *cb_session(struct nfs_client *clp);
/* Can CLP be called back: a session with a back channel here, or, for a
 * partition owner's stub of another node's client (docs/decisions/0024),
 * one at its front as the front last said. */
int cb_reachable(struct strata_server *srv, const struct nfs_client *clp);

/* Remember the callback credential from csa_sec_parms / BACKCHANNEL_CTL
 * (the first AUTH_NONE or AUTH_SYS entry). NFS4ERR_INVAL if none usable. */
nfsstat4 cb_set_sec(struct nfs_session *s, const callback_sec_parms4 *p,
		    unsigned n);

struct nfs_stid;
/* Send CB_RECALL for delegation DELEG to its client (its OPEN listed as
 * the referring call when that was on the session used). 0 sent (for a
 * stub: asked of its front, whose failure comes back later through
 * cb_remote_failed()), -EBUSY the slot is in use (try again later),
 * -EPIPE no back channel, -EMSGSIZE larger than its back channel takes. */
int cb_recall(struct strata_server *srv, const struct nfs_stid *deleg);

/* Send CB_LAYOUTRECALL (whole file, any iomode) for layout stateid
 * LAYOUT. Same returns as cb_recall(). The client's answer reaches
 * layout_recall_done() (nfsd/state/layout_state.h), on the owner's node. */
int cb_layoutrecall(struct strata_server *srv, const struct nfs_stid *layout);

/* A front: send the recall of ST (a copy of a partition owner's state:
 * other, seqid, fileid, generation, referring call) to its client CLP on
 * behalf of node OWNER (a layout recall's answer goes back to it). */
int cb_recall_for(struct strata_server *srv, struct nfs_client *clp,
		  unsigned owner, int layout, const struct nfs_stid *st);

/* An owner: its front could not send the recall of the state named
 * OTHER; it is tried again on the next conflict. */
void cb_remote_failed(struct strata_server *srv,
		      const uint8_t other[NFS4_OTHER_SIZE]);

/* xprt_conn on_reply hook (ctx = the server). */
void cb_on_reply(void *ctx, struct xprt_conn *c, uint8_t *msg, size_t len);

#endif
