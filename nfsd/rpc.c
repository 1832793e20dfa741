/* nfsd/rpc.c — ONC RPC v2 header handling (RFC 5531). See rpc.h. */
#include "rpc.h"

#include <arpa/inet.h>
#include <string.h>

struct rd {
	const uint8_t *p;
	size_t left;
};

static int get32(struct rd *r, uint32_t *v)
{
	uint32_t be;

	if (r->left < 4)
		return -1;
	memcpy(&be, r->p, 4);
	*v = ntohl(be);
	r->p += 4;
	r->left -= 4;
	return 0;
}

static int skip_opaque(struct rd *r, uint32_t len)
{
	size_t padded = ((size_t)len + 3) & ~(size_t)3;

	if (padded > r->left)
		return -1;
	r->p += padded;
	r->left -= padded;
	return 0;
}

/* AUTH_SYS body (RFC 5531 Appendix A): stamp, machinename<255>, uid, gid,
 * gids<16>. */
static int parse_auth_sys(const uint8_t *body, uint32_t len,
			  struct rpc_cred *c)
{
	struct rd r = { body, len };
	uint32_t stamp, mlen;

	if (get32(&r, &stamp) || get32(&r, &mlen) || mlen > 255 ||
	    mlen > r.left)
		return -1;
	memcpy(c->machine, r.p, mlen);
	c->machine[mlen] = '\0';
	if (skip_opaque(&r, mlen) || get32(&r, &c->uid) || get32(&r, &c->gid) ||
	    get32(&r, &c->ngids) || c->ngids > RPC_MAX_GIDS)
		return -1;
	for (uint32_t i = 0; i < c->ngids; i++)
		if (get32(&r, &c->gids[i]))
			return -1;
	return r.left == 0 ? 0 : -1;
}

static enum rpc_parse_result parse_cred(struct rd *r, struct rpc_cred *c,
					uint32_t *auth_stat)
{
	uint32_t flavor, len, vflavor, vlen;
	const uint8_t *body;

	memset(c, 0, sizeof(*c));
	if (get32(r, &flavor) || get32(r, &len) || len > RPC_MAX_AUTH_BYTES ||
	    len > r->left)
		return RPC_PARSE_GARBAGE;
	body = r->p;
	if (skip_opaque(r, len))
		return RPC_PARSE_GARBAGE;
	if (get32(r, &vflavor) || get32(r, &vlen) ||
	    vlen > RPC_MAX_AUTH_BYTES || skip_opaque(r, vlen))
		return RPC_PARSE_GARBAGE;
	c->flavor = flavor;
	switch (flavor) {
	case RPC_AUTH_NONE:
		c->uid = c->gid = 65534;
		return RPC_PARSE_CALL;
	case RPC_AUTH_SYS:
		if (parse_auth_sys(body, len, c) < 0) {
			*auth_stat = RPC_AUTH_BADCRED;
			return RPC_PARSE_AUTH_ERROR;
		}
		return RPC_PARSE_CALL;
	default:
		/* RPCSEC_GSS is not served yet: the client falls back. */
		*auth_stat = RPC_AUTH_BADCRED;
		return RPC_PARSE_AUTH_ERROR;
	}
}

enum rpc_parse_result rpc_parse_call(const uint8_t *msg, size_t len,
				     struct rpc_call *out,
				     uint32_t *auth_stat)
{
	struct rd r = { msg, len };
	uint32_t mtype, rpcvers;
	enum rpc_parse_result res;

	memset(out, 0, sizeof(*out));
	if (get32(&r, &out->xid))
		return RPC_PARSE_DROP;
	if (get32(&r, &mtype))
		return RPC_PARSE_DROP;
	if (mtype == RPC_REPLY)
		return RPC_PARSE_REPLY;
	if (mtype != RPC_CALL)
		return RPC_PARSE_DROP;
	if (get32(&r, &rpcvers))
		return RPC_PARSE_GARBAGE;
	if (rpcvers != 2)
		return RPC_PARSE_RPC_MISMATCH;
	if (get32(&r, &out->prog) || get32(&r, &out->vers) ||
	    get32(&r, &out->proc))
		return RPC_PARSE_GARBAGE;
	res = parse_cred(&r, &out->cred, auth_stat);
	if (res != RPC_PARSE_CALL)
		return res;
	out->args = r.p;
	out->args_len = r.left;
	return RPC_PARSE_CALL;
}

static void put32(uint8_t *buf, size_t idx, uint32_t v)
{
	uint32_t be = htonl(v);
	memcpy(buf + idx * 4, &be, 4);
}

void rpc_reply_accepted(uint8_t *buf, uint32_t xid, uint32_t stat)
{
	put32(buf, 0, xid);
	put32(buf, 1, RPC_REPLY);
	put32(buf, 2, RPC_MSG_ACCEPTED);
	put32(buf, 3, RPC_AUTH_NONE);
	put32(buf, 4, 0);
	put32(buf, 5, stat);
}

size_t rpc_reply_rpc_mismatch(uint8_t *buf, uint32_t xid)
{
	put32(buf, 0, xid);
	put32(buf, 1, RPC_REPLY);
	put32(buf, 2, RPC_MSG_DENIED);
	put32(buf, 3, 0); /* RPC_MISMATCH */
	put32(buf, 4, 2);
	put32(buf, 5, 2);
	return 24;
}

size_t rpc_reply_auth_error(uint8_t *buf, uint32_t xid, uint32_t auth_stat)
{
	put32(buf, 0, xid);
	put32(buf, 1, RPC_REPLY);
	put32(buf, 2, RPC_MSG_DENIED);
	put32(buf, 3, 1); /* AUTH_ERROR */
	put32(buf, 4, auth_stat);
	return 20;
}

size_t rpc_reply_prog_mismatch(uint8_t *buf, uint32_t xid, uint32_t low,
			       uint32_t high)
{
	rpc_reply_accepted(buf, xid, ACCEPT_PROG_MISMATCH);
	put32(buf, 6, low);
	put32(buf, 7, high);
	return 32;
}
