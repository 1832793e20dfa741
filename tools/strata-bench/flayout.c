/*
 * tools/strata-bench/flayout.c -- files layouts, devices, data-server
 * sessions, stripe mapping.  See flayout.h.
 */
#include "flayout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GDI_MAXCOUNT 65536

struct ds_dev {
	struct ds_dev *next;
	char id[NFS4_DEVICEID4_SIZE];
	uint32_t nstripe;
	uint32_t *stripe_ds;      /* stripe index -> data server (ds[]) */
	uint32_t nds;
	struct nfs_sess **ds;     /* [nds], sessions owned by struct pnfs */
};

void pnfs_init(struct pnfs *p, struct nfs_sess *mds,
	       const struct sess_params *params)
{
	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	p->mds = mds;
	p->params = params;
}

static void dev_free(struct ds_dev *d)
{
	free(d->stripe_ds);
	free(d->ds);
	free(d);
}

void pnfs_destroy(struct pnfs *p, struct lane *l)
{
	while (p->devs) {
		struct ds_dev *d = p->devs;
		p->devs = d->next;
		dev_free(d);
	}
	for (uint32_t i = 0; i < p->nds; i++)
		sess_close(l, p->ds[i]);
	free(p->ds);
	p->ds = NULL;
	p->nds = p->cap = 0;
	pthread_mutex_destroy(&p->lock);
}

uint32_t pnfs_sessions(struct pnfs *p, struct nfs_sess **out, uint32_t max)
{
	pthread_mutex_lock(&p->lock);
	uint32_t n = p->nds < max ? p->nds : max;
	if (n > 0)
		memcpy(out, p->ds, n * sizeof(*out));
	pthread_mutex_unlock(&p->lock);
	return n;
}

/* ---- data-server sessions (p->lock held) -------------------------- */

/* RFC 5665 universal address "h.h.h.h.p1.p2" (or IPv6 "x:...:y.p1.p2"). */
static int parse_uaddr(const char *ua, char *host, size_t cap, uint16_t *port)
{
	const char *p2 = strrchr(ua, '.');
	if (!p2 || p2 == ua)
		return -1;
	const char *p1 = p2 - 1;
	while (p1 > ua && *p1 != '.')
		p1--;
	if (p1 == ua || (size_t)(p1 - ua) >= cap)
		return -1;
	unsigned hi, lo;
	char tail;
	if (sscanf(p1 + 1, "%u.%u%c", &hi, &lo, &tail) != 2 || hi > 255 ||
	    lo > 255)
		return -1;
	memcpy(host, ua, (size_t)(p1 - ua));
	host[p1 - ua] = 0;
	*port = (uint16_t)(hi * 256 + lo);
	return 0;
}

static struct nfs_sess *ds_session(struct lane *l, struct pnfs *p,
				   const char *host, uint16_t port)
{
	char name[112];
	struct nfs_sess *s;

	snprintf(name, sizeof(name), "DS %s:%u", host, port);
	for (uint32_t i = 0; i < p->nds; i++)
		if (strcmp(p->ds[i]->name, name) == 0)
			return p->ds[i];
	if (p->nds == p->cap) {
		uint32_t cap = p->cap ? p->cap * 2 : 8;
		struct nfs_sess **n = realloc(p->ds, cap * sizeof(*n));
		if (!n) {
			lane_fail(l, "out of memory");
			return NULL;
		}
		p->ds = n;
		p->cap = cap;
	}
	if (sess_open(l, p->params, SESS_DS, host, port, &s) < 0)
		return NULL;
	p->ds[p->nds++] = s;
	return s;
}

/* First tcp/tcp6 address of one multipath list: its session. */
static struct nfs_sess *ds_of_list(struct lane *l, struct pnfs *p,
				   const multipath_list4 *ml)
{
	for (u_int k = 0; k < ml->multipath_list4_len; k++) {
		const netaddr4 *na = &ml->multipath_list4_val[k];
		char host[80];
		uint16_t port;
		if (strcmp(na->na_r_netid, "tcp") != 0 &&
		    strcmp(na->na_r_netid, "tcp6") != 0)
			continue;
		if (parse_uaddr(na->na_r_addr, host, sizeof(host), &port) < 0) {
			lane_fail(l, "GETDEVICEINFO: bad universal address "
				  "'%s'", na->na_r_addr);
			return NULL;
		}
		return ds_session(l, p, host, port);
	}
	lane_fail(l, "GETDEVICEINFO: a data server has no tcp address");
	return NULL;
}

/* ---- devices (p->lock held) ---------------------------------------- */

static int dev_fill(struct lane *l, struct pnfs *p, struct ds_dev *d,
		    const nfsv4_1_file_layout_ds_addr4 *a)
{
	d->nstripe = a->nflda_stripe_indices.nflda_stripe_indices_len;
	d->nds = a->nflda_multipath_ds_list.nflda_multipath_ds_list_len;
	if (d->nstripe == 0 || d->nds == 0)
		return lane_fail(l, "GETDEVICEINFO: empty device");
	d->stripe_ds = calloc(d->nstripe, sizeof(uint32_t));
	d->ds = calloc(d->nds, sizeof(*d->ds));
	if (!d->stripe_ds || !d->ds)
		return lane_fail(l, "out of memory");
	for (uint32_t j = 0; j < d->nstripe; j++) {
		d->stripe_ds[j] = a->nflda_stripe_indices.nflda_stripe_indices_val[j];
		if (d->stripe_ds[j] >= d->nds)
			return lane_fail(l, "GETDEVICEINFO: stripe index %u "
					 "names data server %u of %u", j,
					 d->stripe_ds[j], d->nds);
	}
	for (uint32_t k = 0; k < d->nds; k++) {
		d->ds[k] = ds_of_list(
			l, p, &a->nflda_multipath_ds_list.nflda_multipath_ds_list_val[k]);
		if (!d->ds[k])
			return -1;
	}
	return 0;
}

/* GETDEVICEINFO; on success the decoded body is in *A (caller frees). */
static int getdeviceinfo(struct lane *l, struct pnfs *p, const char *id,
			 nfsv4_1_file_layout_ds_addr4 *a)
{
	uint32_t maxcount = GDI_MAXCOUNT;
	int rc;

	for (int tries = 0;; tries++) {
		cpd_start(&l->cpd);
		cpd_getdeviceinfo(&l->cpd, id, maxcount);
		rc = sess_call(l, p->mds, "GETDEVICEINFO");
		if (rc == NFS4ERR_TOOSMALL && tries == 0) {
			maxcount = l->res.res[1].nfs_resop4_u.opgetdeviceinfo
					   .GETDEVICEINFO4res_u.gdir_mincount;
			continue;
		}
		if (rc != 0)
			return -1;
		break;
	}
	device_addr4 *da = &l->res.res[1].nfs_resop4_u.opgetdeviceinfo
				    .GETDEVICEINFO4res_u.gdir_resok4.gdir_device_addr;
	if (da->da_layout_type != LAYOUT4_NFSV4_1_FILES)
		return lane_fail(l, "GETDEVICEINFO: layout type %d", da->da_layout_type);
	XDR x;
	memset(a, 0, sizeof(*a));
	xdrmem_create(&x, da->da_addr_body.da_addr_body_val,
		      da->da_addr_body.da_addr_body_len, XDR_DECODE);
	int ok = xdr_nfsv4_1_file_layout_ds_addr4(&x, a);
	xdr_destroy(&x);
	if (!ok) {
		xdr_free((xdrproc_t)xdr_nfsv4_1_file_layout_ds_addr4, (char *)a);
		return lane_fail(l, "GETDEVICEINFO: undecodable "
				 "nfsv4_1_file_layout_ds_addr4");
	}
	return 0;
}

static const struct ds_dev *dev_get(struct lane *l, struct pnfs *p,
				    const char *id)
{
	struct ds_dev *d;
	nfsv4_1_file_layout_ds_addr4 a;

	pthread_mutex_lock(&p->lock);
	for (d = p->devs; d; d = d->next)
		if (memcmp(d->id, id, NFS4_DEVICEID4_SIZE) == 0)
			goto out;
	if (getdeviceinfo(l, p, id, &a) < 0)
		goto out; /* d == NULL */
	d = calloc(1, sizeof(*d));
	if (!d) {
		lane_fail(l, "out of memory");
	} else {
		memcpy(d->id, id, NFS4_DEVICEID4_SIZE);
		if (dev_fill(l, p, d, &a) < 0) {
			dev_free(d);
			d = NULL;
		} else {
			d->next = p->devs;
			p->devs = d;
		}
	}
	xdr_free((xdrproc_t)xdr_nfsv4_1_file_layout_ds_addr4, (char *)&a);
out:
	pthread_mutex_unlock(&p->lock);
	return d;
}

/* ---- layouts ------------------------------------------------------- */

static int body_decode(struct lane *l, const layout4 *ly, struct flayout *lo,
		       char *devid)
{
	nfsv4_1_file_layout4 b;
	XDR x;
	int ok;

	memset(&b, 0, sizeof(b));
	xdrmem_create(&x, ly->lo_content.loc_body.loc_body_val,
		      ly->lo_content.loc_body.loc_body_len, XDR_DECODE);
	ok = xdr_nfsv4_1_file_layout4(&x, &b);
	xdr_destroy(&x);
	if (!ok) {
		xdr_free((xdrproc_t)xdr_nfsv4_1_file_layout4, (char *)&b);
		return lane_fail(l, "LAYOUTGET: undecodable nfsv4_1_file_layout4");
	}
	memcpy(devid, b.nfl_deviceid, NFS4_DEVICEID4_SIZE);
	lo->unit = b.nfl_util & ~(uint32_t)0x3f;
	lo->dense = (b.nfl_util & NFL4_UFLG_DENSE) != 0;
	lo->commit_mds = (b.nfl_util & NFL4_UFLG_COMMIT_THRU_MDS) != 0;
	lo->first = b.nfl_first_stripe_index;
	lo->pattern_off = b.nfl_pattern_offset;
	lo->nfh = b.nfl_fh_list.nfl_fh_list_len;
	lo->fhs = calloc(lo->nfh ? lo->nfh : 1, sizeof(struct fh));
	ok = lo->fhs != NULL;
	for (uint32_t k = 0; ok && k < lo->nfh; k++)
		ok = fh_copy(&lo->fhs[k], &b.nfl_fh_list.nfl_fh_list_val[k]) == 0;
	xdr_free((xdrproc_t)xdr_nfsv4_1_file_layout4, (char *)&b);
	if (!ok)
		return lane_fail(l, "LAYOUTGET: bad filehandle list");
	if (lo->unit == 0)
		return lane_fail(l, "LAYOUTGET: stripe unit 0");
	return 0;
}

/* Checks that need the device (RFC 8881 §13.3, §13.4). */
static int check_geometry(struct lane *l, const struct flayout *lo)
{
	const struct ds_dev *d = lo->dev;
	if (lo->first >= d->nstripe)
		return lane_fail(l, "LAYOUTGET: first stripe index %u >= %u",
				 lo->first, d->nstripe);
	if (lo->dense && lo->nfh != d->nstripe)
		return lane_fail(l, "LAYOUTGET: dense layout with %u "
				 "filehandles for %u stripe indices", lo->nfh,
				 d->nstripe);
	if (!lo->dense && lo->nfh != 1 && lo->nfh != d->nds)
		return lane_fail(l, "LAYOUTGET: sparse layout with %u "
				 "filehandles for %u data servers", lo->nfh,
				 d->nds);
	if (lo->pattern_off != 0)
		return lane_fail(l, "LAYOUTGET: pattern offset %llu is not "
				 "supported", (unsigned long long)lo->pattern_off);
	return 0;
}

int flayout_decode(struct lane *l, struct pnfs *p, unsigned i,
		   struct flayout *lo)
{
	const LAYOUTGET4resok *ok = &l->res.res[i].nfs_resop4_u.oplayoutget
					     .LAYOUTGET4res_u.logr_resok4;
	char devid[NFS4_DEVICEID4_SIZE];
	const layout4 *ly = NULL;

	memset(lo, 0, sizeof(*lo));
	for (u_int k = 0; k < ok->logr_layout.logr_layout_len; k++)
		if (ok->logr_layout.logr_layout_val[k].lo_content.loc_type ==
		    LAYOUT4_NFSV4_1_FILES) {
			ly = &ok->logr_layout.logr_layout_val[k];
			break;
		}
	if (!ly)
		return lane_fail(l, "LAYOUTGET: no LAYOUT4_NFSV4_1_FILES layout");
	if (ly->lo_offset != 0 || ly->lo_length != NFS4_UINT64_MAX)
		return lane_fail(l, "LAYOUTGET: layout covers [%llu, +%llu), "
				 "not the whole file",
				 (unsigned long long)ly->lo_offset,
				 (unsigned long long)ly->lo_length);
	lo->sid = ok->logr_stateid;
	if (body_decode(l, ly, lo, devid) < 0) {
		flayout_free(lo);
		return -1;
	}
	/* l->res is reused from here on. */
	lo->dev = dev_get(l, p, devid);
	if (!lo->dev || check_geometry(l, lo) < 0) {
		flayout_free(lo);
		return -1;
	}
	return 0;
}

void flayout_free(struct flayout *lo)
{
	free(lo->fhs);
	lo->fhs = NULL;
	lo->nfh = 0;
	lo->dev = NULL;
}

/* ---- mapping -------------------------------------------------------- */

void flayout_target(const struct flayout *lo, uint32_t j, struct stripe_io *out)
{
	uint32_t k = lo->dev->stripe_ds[j];
	out->j = j;
	out->ds = lo->dev->ds[k];
	if (lo->dense)
		out->fh = &lo->fhs[j];
	else
		out->fh = &lo->fhs[lo->nfh == 1 ? 0 : k];
}

void flayout_map(const struct flayout *lo, uint64_t off, uint64_t len,
		 struct stripe_io *out)
{
	uint64_t su = off / lo->unit, within = off % lo->unit;
	uint32_t n = lo->dev->nstripe;
	uint32_t j = (uint32_t)((su + lo->first) % n);
	uint64_t run = lo->unit - within;

	flayout_target(lo, j, out);
	out->obj_off = lo->dense ? (su / n) * lo->unit + within : off;
	out->len = (uint32_t)(len < run ? len : run);
}

uint32_t flayout_touched(const struct flayout *lo, uint64_t off, uint64_t len,
			 uint32_t *j, uint32_t max)
{
	uint32_t n = lo->dev->nstripe, cnt = 0;
	if (len == 0)
		return 0;
	uint64_t su0 = off / lo->unit, su1 = (off + len - 1) / lo->unit;
	for (uint64_t su = su0; su <= su1 && su - su0 < n && cnt < max; su++)
		j[cnt++] = (uint32_t)((su + lo->first) % n);
	return cnt;
}
