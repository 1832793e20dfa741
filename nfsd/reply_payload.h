/*
 * nfsd/reply_payload.h — where the READ data sits in an NFSv4.1 COMPOUND
 * reply, for a transport that moves it out of the inline reply
 * (RPC-over-RDMA Write chunks, RFC 8267 §5). It is the xprt_payload_fn
 * hook (nfsd/xprt.h) the server registers with the RDMA listener.
 *
 * The reply is read as it is sent, with no record of how it was built, so
 * a reply replayed from a session slot or the reply cache (RPC bytes only,
 * never transport framing) is found the same way as a fresh one.
 *
 * Contract: MSG is a whole RPC REPLY (RFC 5531). Only an accepted,
 * successful reply carrying a COMPOUND4res is walked; each READ4resok's
 * data (RFC 8881 §18.22) is listed in order, other results are stepped
 * over with their rpcgen decoders. Anything malformed or unknown ends the
 * walk: what was found before it is returned (the rest stays inline).
 * Pure; any thread; allocates only inside the rpcgen decoders.
 */
#ifndef STRATA_NFSD_REPLY_PAYLOAD_H
#define STRATA_NFSD_REPLY_PAYLOAD_H

#include "xprt.h"

unsigned reply_payload_find(const uint8_t *msg, size_t len,
			    struct xprt_payload *out, unsigned cap);

#endif
