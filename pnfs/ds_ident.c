/* pnfs/ds_ident.c — see ds_ident.h. */
#include "ds_ident.h"

#include <string.h>

static struct ds_decision verdict(enum ds_verdict v, int replaced,
				  const char *reason)
{
	struct ds_decision d = { v, replaced, reason };

	return d;
}

static int same(const uint8_t a[DS_ID_LEN], const uint8_t b[DS_ID_LEN])
{
	return memcmp(a, b, DS_ID_LEN) == 0;
}

/* The store has an identity. */
static struct ds_decision with_identity(const uint8_t cluster[DS_ID_LEN],
					uint32_t slot, int known,
					const uint8_t expected[DS_ID_LEN],
					const struct ds_identity *id)
{
	if (!same(id->cluster, cluster))
		return verdict(DS_VERDICT_QUARANTINE, 0,
			       "its data directory belongs to another cluster");
	if (id->slot != slot)
		return verdict(DS_VERDICT_QUARANTINE, 0,
			       "its data directory is another data server's "
			       "(directories or --data-server order swapped?)");
	if (!known)
		return verdict(DS_VERDICT_ADOPT, 0,
			       "the cluster had no record of this slot");
	if (same(id->ds, expected))
		return verdict(DS_VERDICT_SERVE, 0, "identity as expected");
	if (!ds_id_is_zero(id->replaces) && same(id->replaces, expected))
		return verdict(DS_VERDICT_ADOPT, 1,
			       "a replacement of the expected store");
	return verdict(DS_VERDICT_QUARANTINE, 0,
		       "its data directory is not the one this slot had");
}

struct ds_decision ds_ident_decide(const uint8_t cluster[DS_ID_LEN],
				   uint32_t slot, int known,
				   const uint8_t expected[DS_ID_LEN],
				   const struct ds_hello *h)
{
	if (h->has_identity)
		return with_identity(cluster, slot, known, expected, &h->id);
	if (!known)
		return verdict(DS_VERDICT_FORMAT, 0,
			       h->empty ? "a new data server"
				        : "a store from before identities");
	if (h->replace_ok)
		return verdict(DS_VERDICT_FORMAT, 1,
			       "replacing the slot's lost store (--replace)");
	return verdict(DS_VERDICT_QUARANTINE, 0,
		       "its data directory has no identity but this slot had "
		       "a store: wiped, or an unmounted disk's empty mount "
		       "point. Its stripes are refused. Restore the directory "
		       "and restart it, or restart it with --replace to "
		       "accept that its stripes are lost");
}
