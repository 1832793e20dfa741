/*
 * nfsd/exec.h — the metadata server's COMPOUND executor: group commit of
 * namespace changes (docs/decisions/0013-group-commit.md).
 *
 * On the MDS, a connection's receive thread does not run its COMPOUNDs: it
 * queues them here (exec_submit) and goes back to reading. One executor
 * thread repeatedly takes srv->state_lock, opens a namespace batch
 * (ns_batch_begin, metadata/ns.h), runs every COMPOUND waiting in the queue
 * (at most EXEC_BATCH_MAX) in arrival order, ends the batch — one LMDB
 * commit per shard written, however many COMPOUNDs wrote — releases the lock
 * and only then sends their replies. So no reply is seen before the changes
 * it reports are durable (ns.h), and under load many COMPOUNDs share one
 * flush; with one request in flight a batch is one COMPOUND, as before.
 * Execution stays serial (the state lock's contract, server.h, unchanged).
 *
 * Before the commit the executor also creates the stripe objects of files
 * whose first layout the batch handed out (exec_defer_place), one call per
 * data server for the whole batch, and records each file as placed (or
 * unsure, when its objects could not all be made) in the batch: no client
 * uses a layout before its objects exist, a LAYOUTGET does not wait for
 * the data servers one file at a time, and a committed "placed" means the
 * objects exist (docs/decisions/0019). The state lock is held meanwhile.
 *
 * A failed batch commit leaves replies that claim changes the disk does not
 * hold: the executor then logs and aborts the process (crash-consistent by
 * design: clients retry after the restart, ns_open() replays intents).
 *
 * Ownership: struct exec is owned by the server (srv->exec), created by
 * exec_start() and released by exec_stop(), which the server calls after
 * its transports have stopped (no more submits); queued requests that never
 * ran are dropped unanswered. A queued request holds a reference on its
 * connection and owns its message buffer.
 *
 * Threads: exec_submit() from any receive thread; it blocks while
 * EXEC_QUEUE_MAX requests are waiting (back pressure on the connection).
 * Everything else happens on the executor thread.
 */
#ifndef STRATA_NFSD_EXEC_H
#define STRATA_NFSD_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "rpc.h"

#define EXEC_BATCH_MAX 64
#define EXEC_QUEUE_MAX 1024

struct exec;
struct strata_server;
struct xprt_conn;

/* 0 or -errno. */
int exec_start(struct exec **out, struct strata_server *srv);
/* Queue the COMPOUND CALL, parsed from MSG; the executor owns MSG from
 * now on and takes its own reference on CONN. */
void exec_submit(struct exec *e, struct xprt_conn *conn, uint8_t *msg,
		 const struct rpc_call *call);
void exec_stop(struct exec *e);

/* Any thread: look at the replies held for directory deltas now (an
 * owner answered some: pnfs/peer_delta.h). E may be NULL. */
void exec_wake(struct exec *e);

/* From an operation of the batch being run, on the executor thread: create
 * FILEID's stripe objects and record the outcome (placed or unsure) at the
 * end of the batch, before its commit and its replies. 0; -EINVAL anywhere
 * else (not the executor thread, or no batch open: the caller creates them
 * itself); -ENOMEM. */
int exec_defer_place(struct exec *e, uint64_t fileid);

#endif
