/*
 * nfsd/stateid_fmt.h — the layout of a stateid's 12-byte "other" field
 * (the state layer makes and checks stateids: nfsd/state/state.h):
 *   bytes 0-1   the low 16 bits of the minting node's boot epoch (BE)
 *   byte 2      the minting node's id in the cluster map (1 alone)
 *   bytes 3-7   a 40-bit counter (BE)
 *   bytes 8-11  signature: HMAC (mac.h) over bytes 0-7 and the fileid
 * The node byte lets a front route an op that names a stateid but no
 * filehandle (TEST_STATEID, FREE_STATEID) to the node that holds it
 * (docs/decisions/0024). Pure; any thread.
 */
#ifndef STRATA_NFSD_STATEID_FMT_H
#define STRATA_NFSD_STATEID_FMT_H

#include <stdint.h>

#define STATEID_NODE_BYTE 2
#define STATEID_COUNTER_BYTES 5

static inline unsigned stateid_node(const uint8_t *other)
{
	return other[STATEID_NODE_BYTE];
}

#endif
