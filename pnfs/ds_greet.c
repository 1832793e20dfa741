/* pnfs/ds_greet.c — see ds_greet.h. */
#include "ds_greet.h"

#include <errno.h>
#include <string.h>

#include "ctl_client.h"
#include "ctl_identity.h"
#include "ctl_prot.h"
#include "ds_ident.h"
#include "ds_registry.h"

#define GREET_TIMEOUT_MS 10000

static int hello(struct ctl_conn *conn, struct ds_hello *h)
{
	ctl_hello_res r;
	int rc;

	memset(&r, 0, sizeof(r));
	rc = ctl_call(conn, CTL_HELLO, NULL, NULL,
		      (xdrproc_t)xdr_ctl_hello_res, &r, GREET_TIMEOUT_MS);
	if (rc < 0)
		return rc;
	if (r.status)
		return -r.status;
	memset(h, 0, sizeof(*h));
	h->has_identity = r.has_identity;
	ctl_identity_from_wire(&h->id, &r.id);
	h->replace_ok = r.replace_ok;
	h->empty = r.empty;
	return 0;
}

static int tell(struct ctl_conn *conn, ctl_verdict_kind kind,
		const struct ds_identity *id, const char *reason)
{
	ctl_verdict_args a;
	int st = 0;
	int rc;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	ctl_identity_to_wire(&a.id, id);
	a.reason = (char *)reason;
	rc = ctl_call(conn, CTL_VERDICT, (xdrproc_t)xdr_ctl_verdict_args, &a,
		      (xdrproc_t)xdr_int, &st, GREET_TIMEOUT_MS);
	return rc < 0 ? rc : -st;
}

/* The identity a FORMAT verdict writes: a new id for SLOT, naming the one
 * it replaces (zero for a new slot). */
static int new_identity(struct ds_registry *reg, uint32_t slot, int known,
			const uint8_t expected[DS_ID_LEN],
			struct ds_identity *id)
{
	memset(id, 0, sizeof(*id));
	ds_registry_cluster(reg, id->cluster);
	id->slot = slot;
	if (known)
		memcpy(id->replaces, expected, DS_ID_LEN);
	return ds_id_random(id->ds);
}

int ds_greet(struct ctl_conn *conn, struct ds_registry *reg, uint32_t slot,
	     const char **why, int *replaced)
{
	uint8_t cluster[DS_ID_LEN], expected[DS_ID_LEN] = { 0 };
	struct ds_identity id;
	struct ds_hello h;
	struct ds_decision d;
	int known = ds_registry_get(reg, slot, expected);
	int rc;

	if (known < 0)
		return known;
	rc = hello(conn, &h);
	if (rc < 0)
		return rc;
	ds_registry_cluster(reg, cluster);
	d = ds_ident_decide(cluster, slot, known, expected, &h);
	*why = d.reason;
	*replaced = d.replaced;
	switch (d.verdict) {
	case DS_VERDICT_QUARANTINE:
		/* Quarantined whether or not the data server heard it: the
		 * caller drops the connection either way. */
		(void)tell(conn, CTL_VERDICT_QUARANTINE, &h.id, d.reason);
		return -ENODEV;
	case DS_VERDICT_FORMAT:
		/* The store first, the registry second (ds_ident.h). */
		rc = new_identity(reg, slot, known, expected, &id);
		if (rc == 0)
			rc = tell(conn, CTL_VERDICT_FORMAT, &id, d.reason);
		return rc < 0 ? rc : ds_registry_set(reg, slot, id.ds);
	case DS_VERDICT_ADOPT:
		rc = ds_registry_set(reg, slot, h.id.ds);
		return rc < 0 ? rc
			      : tell(conn, CTL_VERDICT_SERVE, &h.id, d.reason);
	case DS_VERDICT_SERVE:
		break;
	}
	return tell(conn, CTL_VERDICT_SERVE, &h.id, d.reason);
}
