/* nfsd/ops/op_secinfo.c — SECINFO (RFC 8881 §18.29), SECINFO_NO_NAME
 * (§18.45). Both consume the current filehandle (§2.6.3.1.1.8). */
#include <stdlib.h>

#include "ops.h"
#include "rpc.h"
#include "server.h"

static nfsstat4 flavors(SECINFO4resok *ok)
{
	ok->SECINFO4resok_val = calloc(1, sizeof(secinfo4));
	if (!ok->SECINFO4resok_val)
		return NFS4ERR_RESOURCE;
	ok->SECINFO4resok_len = 1;
	ok->SECINFO4resok_val[0].flavor = RPC_AUTH_SYS;
	return NFS4_OK;
}

nfsstat4 op_secinfo(struct compound *c, void *args, void *res)
{
	SECINFO4args *a = args;
	uint64_t fileid;
	nfsstat4 st = need_dir(c);
	int rc;

	if (st == NFS4_OK)
		st = check_component(&a->name, 1);
	if (st != NFS4_OK)
		return st;
	rc = ns_lookup(c->srv->ns, c->cur.fileid, a->name.utf8string_val,
		       a->name.utf8string_len, &fileid);
	if (rc < 0)
		return nfs_errno(rc);
	st = flavors(&((SECINFO4res *)res)->SECINFO4res_u.resok4);
	if (st == NFS4_OK)
		c->cur.fileid = 0;
	return st;
}

nfsstat4 op_secinfo_no_name(struct compound *c, void *args, void *res)
{
	secinfo_style4 *style = args;
	nfsstat4 st;

	if (*style != SECINFO_STYLE4_CURRENT_FH &&
	    *style != SECINFO_STYLE4_PARENT)
		return NFS4ERR_INVAL;
	if (*style == SECINFO_STYLE4_PARENT) {
		if (c->cur.type != NS_DIR)
			return NFS4ERR_NOTDIR;
		if (c->cur.fileid == NS_ROOT_FILEID)
			return NFS4ERR_NOENT;
	}
	st = flavors(&((SECINFO4res *)res)->SECINFO4res_u.resok4);
	if (st == NFS4_OK)
		c->cur.fileid = 0;
	return st;
}
