/* nfsd/slot.c — a session slot's state machine. Contract in slot.h. */
#include "slot.h"

#include <stdlib.h>
#include <string.h>

enum slot_verdict session_slot_classify(const struct nfs_slot *slot,
					uint32_t seqid)
{
	if (seqid == slot->seqid + 1)
		return SLOT_NEW; /* wraps from 0xffffffff to 0 */
	if (seqid == slot->seqid && slot->used)
		return SLOT_REPLAY;
	return SLOT_MISORDERED;
}

void session_slot_done(struct nfs_session *s, struct nfs_slot *slot,
		       const uint8_t *reply, size_t len, int cached)
{
	(void)s;
	slot->in_use = 0;
	free(slot->reply);
	slot->reply = NULL;
	slot->reply_len = 0;
	slot->cached = 0;
	if (!cached)
		return;
	slot->reply = malloc(len ? len : 1);
	if (!slot->reply)
		return;
	memcpy(slot->reply, reply, len);
	slot->reply_len = len;
	slot->cached = 1;
}
