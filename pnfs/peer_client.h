/*
 * pnfs/peer_client.h — calls from this metadata node to the other nodes of
 * its cluster (pnfs/peer_prot.x; docs/decisions/0024): one TCP connection
 * per peer node, authenticated with the control protocol's handshake
 * (cluster key), calls pipelined on it and matched by xid.
 *
 * Ownership: struct peers is made by peers_start() from the cluster map
 * and freed by peers_stop(); the server owns it (srv->peers).
 *
 * Threads: peer_call() may be called from any thread, with any lock held:
 * it encodes the call and queues it, never waiting for the network. Each
 * link has a thread of its own that connects (and reconnects), sends,
 * receives, and runs the completion callbacks, without any lock of the
 * caller's held. A call is answered exactly once: with the decoded
 * result, or with an error when the node cannot be reached, the
 * connection drops before the answer, it times out, or the links stop.
 */
#ifndef STRATA_PNFS_PEER_CLIENT_H
#define STRATA_PNFS_PEER_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <rpc/rpc.h>

struct cmap;
struct mac_key;
struct peers;

/* ERR 0: RES is the decoded result (RES_SIZE bytes, the callback's to
 * xdr_free() and free()); else -errno and RES is NULL: -EHOSTDOWN (no
 * connection could be made), -EPIPE (lost before the answer), -ETIMEDOUT,
 * -ESHUTDOWN (stopping), -EPROTO (an answer that does not decode). */
typedef void (*peer_done_fn)(void *ctx, int err, void *res);

/* Told, on a link thread, the boot epoch NODE answered PEER_HELLO with
 * (asked on every new connection; a link that was ever connected is
 * reconnected within a second of losing its node, so a restarted node is
 * seen even when nothing is sent to it), and EPOCH 0 when the connection
 * to NODE was lost (epochs start at 1). */
typedef void (*peer_epoch_fn)(void *ctx, unsigned node, uint32_t epoch);

/* Links to every node of M but SELF. 0 or -errno. */
int peers_start(struct peers **out, const struct cmap *m, unsigned self,
		const struct mac_key *key, uint32_t epoch, size_t max_msg,
		peer_epoch_fn on_epoch, void *ctx);
/* Fails what is queued or in flight (-ESHUTDOWN), joins the threads. */
void peers_stop(struct peers *p);

/* Queue PROC of the peer program to NODE. 0, or -errno (no such node,
 * no memory, ARGS do not encode): then DONE is not called. */
int peer_call(struct peers *p, unsigned node, uint32_t proc, xdrproc_t xargs,
	      void *args, xdrproc_t xres, size_t res_size, peer_done_fn done,
	      void *ctx);

/* Calls sent to NODE so far (tests, strata-stat). */
uint64_t peer_calls_sent(const struct peers *p, unsigned node);

#endif
