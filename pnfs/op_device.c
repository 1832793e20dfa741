/*
 * pnfs/op_device.c — GETDEVICEINFO (RFC 8881 §18.40) and GETDEVICELIST
 * (§18.41). One device names every data server, each at the address
 * clients are told (ds_endpoint.adv_*; apart from the bind address so a
 * DS behind NAT or port forwarding is reachable), netid "tcp"; a data
 * server that reported an RPC-over-RDMA listener (pnfs/ds_xprts.h,
 * decision 0029) has its "rdma" address first in its multipath list
 * (RFC 8881 §13.5: the client may use any address of the list; the Linux
 * client connects to the first that works and trunks only addresses of
 * that transport, so a client without RDMA falls through to TCP).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "ds_xprts.h"
#include "layout.h"
#include "ops.h"
#include "server.h"

#define DS_MAX_ADDRS 2 /* rdma, tcp */
#define UADDR_LEN 80

static const char *netid_of(const char *addr)
{
	return strchr(addr, ':') ? "tcp6" : "tcp";
}

/* DS I's addresses into A (RDMA first when it has it; its universal
 * addresses in U), how many in *N. 0 or -errno. */
static int ds_addrs(struct cluster *cl, unsigned i, struct layout_ds_addr *a,
		    char (*u)[UADDR_LEN], uint32_t *n)
{
	const struct ds_endpoint *d = cluster_ds(cl, i);
	struct ds_rdma_ep ep;
	int rc;

	*n = 0;
	if (cluster_ds_rdma(cl, i, &ep)) {
		/* A listener on every address: the host clients reach the
		 * data server at, with the RDMA port. */
		const char *host =
			ds_xprts_unspecified(ep.addr) ? d->adv_addr : ep.addr;

		rc = layout_uaddr(u[*n], UADDR_LEN, host, ep.port);
		if (rc < 0)
			return rc;
		a[*n].netid = strchr(host, ':') ? "rdma6" : "rdma";
		a[*n].uaddr = u[*n];
		(*n)++;
	}
	rc = layout_uaddr(u[*n], UADDR_LEN, d->adv_addr, d->adv_port);
	if (rc < 0)
		return rc;
	a[*n].netid = netid_of(d->adv_addr);
	a[*n].uaddr = u[*n];
	(*n)++;
	return 0;
}

/* Encode the device body; its length, or -errno. *BODY is malloc'ed. */
static int device_body(struct cluster *cl, uint8_t **body)
{
	unsigned n = cluster_nds(cl);
	struct layout_ds_addr (*addrs)[DS_MAX_ADDRS] =
		calloc(LAYOUT_MAX_DS, sizeof(*addrs));
	char (*uaddr)[DS_MAX_ADDRS][UADDR_LEN] =
		calloc(LAYOUT_MAX_DS, sizeof(*uaddr));
	const struct layout_ds_addr *ap[LAYOUT_MAX_DS];
	uint32_t naddr[LAYOUT_MAX_DS];
	size_t size;
	int rc = 0;

	if (!addrs || !uaddr)
		rc = -ENOMEM;
	for (unsigned i = 0; i < n && rc == 0; i++) {
		rc = ds_addrs(cl, i, addrs[i], uaddr[i], &naddr[i]);
		ap[i] = addrs[i];
	}
	if (rc == 0) {
		size = layout_ds_addr_size(n, ap, naddr);
		*body = malloc(size ? size : 1);
		rc = *body ? layout_encode_ds_addr(*body, size, n, ap, naddr)
			   : -ENOMEM;
		if (rc < 0) {
			free(*body);
			*body = NULL;
		}
	}
	free(uaddr);
	free(addrs);
	return rc;
}

/* The device notifications granted (§18.40.3, gdir_notification): the
 * requested ones of CHANGE and DELETE. A device id's contents never change
 * and an id is never deleted while the MDS runs (a data server that comes
 * back gets a new id, cluster.h), so there is never anything to notify; the
 * grant matters because the Linux client marks a device whose reply does
 * not grant what it asked for "nocache" and sends GETDEVICEINFO again for
 * every new layout. */
static uint32_t device_notify_granted(const GETDEVICEINFO4args *a)
{
	const uint32_t ours = (1u << NOTIFY_DEVICEID4_CHANGE) |
			      (1u << NOTIFY_DEVICEID4_DELETE);

	if (a->gdia_notify_types.bitmap4_len < 1)
		return 0;
	return a->gdia_notify_types.bitmap4_val[0] & ours;
}

nfsstat4 op_getdeviceinfo(struct compound *c, void *args, void *res)
{
	GETDEVICEINFO4args *a = args;
	GETDEVICEINFO4res *r = res;
	GETDEVICEINFO4resok *ok = &r->GETDEVICEINFO4res_u.gdir_resok4;
	uint8_t *body = NULL;
	uint32_t need, notify;
	int n;

	if (!c->srv->cluster)
		return NFS4ERR_NOTSUPP;
	if (a->gdia_layout_type != LAYOUT4_NFSV4_1_FILES)
		return NFS4ERR_UNKNOWN_LAYOUTTYPE;
	if (!cluster_deviceid_ours((const uint8_t *)a->gdia_device_id))
		return NFS4ERR_NOENT;
	n = device_body(c->srv->cluster, &body);
	if (n < 0)
		return NFS4ERR_SERVERFAULT;
	notify = device_notify_granted(a);
	/* §18.40.3: maxcount bounds the whole resok (type, opaque body,
	 * notification bitmap); 0 asks for validation only... but the
	 * Linux client always sends its buffer size. */
	need = 4 + 4 + (((uint32_t)n + 3) & ~3u) + 4 + (notify ? 4 : 0);
	if (a->gdia_maxcount < need) {
		free(body);
		r->GETDEVICEINFO4res_u.gdir_mincount = need;
		return NFS4ERR_TOOSMALL;
	}
	ok->gdir_device_addr.da_layout_type = LAYOUT4_NFSV4_1_FILES;
	ok->gdir_device_addr.da_addr_body.da_addr_body_len = (u_int)n;
	ok->gdir_device_addr.da_addr_body.da_addr_body_val = (char *)body;
	ok->gdir_notification.bitmap4_len = 0;
	ok->gdir_notification.bitmap4_val = NULL;
	/* (without memory for it: no grant, the client just asks again) */
	if (notify && (ok->gdir_notification.bitmap4_val =
			       malloc(sizeof(uint32_t))) != NULL) {
		ok->gdir_notification.bitmap4_val[0] = notify;
		ok->gdir_notification.bitmap4_len = 1;
	}
	return NFS4_OK;
}

nfsstat4 op_getdevicelist(struct compound *c, void *args, void *res)
{
	GETDEVICELIST4args *a = args;
	GETDEVICELIST4resok *ok =
		&((GETDEVICELIST4res *)res)->GETDEVICELIST4res_u.gdlr_resok4;
	deviceid4 *ids;

	if (!c->srv->cluster)
		return NFS4ERR_NOTSUPP;
	if (a->gdla_layout_type != LAYOUT4_NFSV4_1_FILES)
		return NFS4ERR_UNKNOWN_LAYOUTTYPE;
	if (a->gdla_maxdevices == 0)
		return NFS4ERR_INVAL;
	memset(ok, 0, sizeof(*ok));
	/* One device; cookie 0 starts, anything else is past the end. */
	if (a->gdla_cookie != 0) {
		ok->gdlr_cookie = 1;
		ok->gdlr_eof = TRUE;
		return NFS4_OK;
	}
	ids = calloc(1, sizeof(*ids));
	if (!ids)
		return NFS4ERR_RESOURCE;
	cluster_deviceid(c->srv->cluster, (uint8_t *)ids[0]);
	ok->gdlr_cookie = 1;
	ok->gdlr_deviceid_list.gdlr_deviceid_list_len = 1;
	ok->gdlr_deviceid_list.gdlr_deviceid_list_val = ids;
	ok->gdlr_eof = TRUE;
	return NFS4_OK;
}
