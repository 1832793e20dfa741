/*
 * tests/unit/test_rpc.c — ONC RPC v2 call-header parsing and reply
 * building (nfsd/rpc.c, RFC 5531).
 *
 * Messages are assembled word by word. Every parse runs on an exact-size
 * heap copy of the message so that the ASan build catches any read past
 * its end; truncated headers are tried at every length.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rpc.h"

/* ------------------------------------------------------------------ */
/* Message builder                                                     */
/* ------------------------------------------------------------------ */

struct msg {
	uint8_t b[2048];
	size_t len;
};

static void w32(struct msg *m, uint32_t v)
{
	uint32_t be = htonl(v);

	assert_true(m->len + 4 <= sizeof(m->b));
	memcpy(m->b + m->len, &be, 4);
	m->len += 4;
}

static void wbytes(struct msg *m, const void *p, size_t n)
{
	size_t pad = (4 - (n & 3)) & 3;

	assert_true(m->len + n + pad <= sizeof(m->b));
	memcpy(m->b + m->len, p, n);
	memset(m->b + m->len + n, 0, pad);
	m->len += n + pad;
}

static void wopaque(struct msg *m, const void *p, size_t n)
{
	w32(m, (uint32_t)n);
	wbytes(m, p, n);
}

static void call_head(struct msg *m, uint32_t xid, uint32_t rpcvers)
{
	m->len = 0;
	w32(m, xid);
	w32(m, RPC_CALL);
	w32(m, rpcvers);
	w32(m, 100003);
	w32(m, 4);
	w32(m, 1);
}

/* AUTH_SYS body: stamp, machinename, uid, gid, gids. */
static size_t authsys_body(uint8_t *out, const char *machine, size_t mlen,
			   uint32_t uid, uint32_t gid, const uint32_t *gids,
			   uint32_t ngids)
{
	struct msg b = { .len = 0 };

	w32(&b, 0x12345678);
	wopaque(&b, machine, mlen);
	w32(&b, uid);
	w32(&b, gid);
	w32(&b, ngids);
	for (uint32_t i = 0; i < ngids; i++)
		w32(&b, gids[i]);
	memcpy(out, b.b, b.len);
	return b.len;
}

static const uint32_t GIDS[3] = { 10, 20, 30 };
static const uint8_t ARGS[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };

/* A complete AUTH_SYS call with 8 bytes of arguments; *hdr_len gets the
 * header length (where the arguments start). */
static void sys_call(struct msg *m, size_t *hdr_len)
{
	uint8_t body[512];
	size_t blen = authsys_body(body, "client.example", 14, 1000, 100,
				   GIDS, 3);

	call_head(m, 0xabcdef01, 2);
	w32(m, RPC_AUTH_SYS);
	wopaque(m, body, blen);
	w32(m, RPC_AUTH_NONE);
	w32(m, 0);
	if (hdr_len)
		*hdr_len = m->len;
	wbytes(m, ARGS, sizeof(ARGS));
}

/* Parse an exact-size heap copy of the first LEN bytes of M. */
static enum rpc_parse_result parse(const struct msg *m, size_t len,
				   struct rpc_call *call, uint32_t *auth)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum rpc_parse_result r;

	assert_non_null(copy);
	memcpy(copy, m->b, len);
	*auth = 0xdead;
	r = rpc_parse_call(copy, len, call, auth);
	/* Arguments must point inside the copy. */
	if (r == RPC_PARSE_CALL) {
		assert_true(call->args >= copy);
		assert_true(call->args + call->args_len == copy + len);
	}
	free(copy);
	return r;
}

/* ------------------------------------------------------------------ */
/* Valid calls                                                         */
/* ------------------------------------------------------------------ */

static void test_auth_sys_call(void **state)
{
	struct msg m;
	struct rpc_call call;
	uint32_t auth;
	size_t hdr;
	uint8_t *copy;

	(void)state;
	sys_call(&m, &hdr);
	copy = malloc(m.len);
	assert_non_null(copy);
	memcpy(copy, m.b, m.len);
	assert_int_equal(rpc_parse_call(copy, m.len, &call, &auth),
			 RPC_PARSE_CALL);
	assert_int_equal(call.xid, 0xabcdef01);
	assert_int_equal(call.prog, 100003);
	assert_int_equal(call.vers, 4);
	assert_int_equal(call.proc, 1);
	assert_int_equal(call.cred.flavor, RPC_AUTH_SYS);
	assert_int_equal(call.cred.uid, 1000);
	assert_int_equal(call.cred.gid, 100);
	assert_int_equal(call.cred.ngids, 3);
	assert_int_equal(call.cred.gids[0], 10);
	assert_int_equal(call.cred.gids[2], 30);
	assert_string_equal(call.cred.machine, "client.example");
	assert_ptr_equal(call.args, copy + hdr);
	assert_int_equal(call.args_len, sizeof(ARGS));
	assert_memory_equal(call.args, ARGS, sizeof(ARGS));
	free(copy);
}

static void test_auth_sys_limits(void **state)
{
	uint8_t body[512];
	uint32_t gids[RPC_MAX_GIDS];
	char machine[255];
	struct msg m;
	struct rpc_call call;
	uint32_t auth;
	size_t blen;

	(void)state;
	for (unsigned i = 0; i < RPC_MAX_GIDS; i++)
		gids[i] = 1000 + i;
	memset(machine, 'm', sizeof(machine));
	/* 255-byte machine name and 16 gids: the most RFC 5531 allows. */
	blen = authsys_body(body, machine, 255, 0, 0, gids, RPC_MAX_GIDS);
	assert_true(blen <= RPC_MAX_AUTH_BYTES);
	call_head(&m, 5, 2);
	w32(&m, RPC_AUTH_SYS);
	wopaque(&m, body, blen);
	w32(&m, RPC_AUTH_NONE);
	w32(&m, 0);
	assert_int_equal(parse(&m, m.len, &call, &auth), RPC_PARSE_CALL);
	assert_int_equal(strlen(call.cred.machine), 255);
	assert_int_equal(call.cred.ngids, RPC_MAX_GIDS);
	assert_int_equal(call.cred.gids[15], 1015);
	assert_int_equal(call.args_len, 0);

	/* Empty machine name, no gids. */
	blen = authsys_body(body, "", 0, 7, 8, NULL, 0);
	call_head(&m, 6, 2);
	w32(&m, RPC_AUTH_SYS);
	wopaque(&m, body, blen);
	w32(&m, RPC_AUTH_NONE);
	w32(&m, 0);
	assert_int_equal(parse(&m, m.len, &call, &auth), RPC_PARSE_CALL);
	assert_string_equal(call.cred.machine, "");
	assert_int_equal(call.cred.uid, 7);
}

static void test_auth_none_call(void **state)
{
	struct msg m;
	struct rpc_call call;
	uint32_t auth;

	(void)state;
	call_head(&m, 42, 2);
	w32(&m, RPC_AUTH_NONE);
	w32(&m, 0);
	w32(&m, RPC_AUTH_NONE);
	w32(&m, 0);
	assert_int_equal(parse(&m, m.len, &call, &auth), RPC_PARSE_CALL);
	assert_int_equal(call.xid, 42);
	assert_int_equal(call.cred.flavor, RPC_AUTH_NONE);
	assert_int_equal(call.cred.uid, 65534);
	assert_int_equal(call.cred.gid, 65534);
	assert_int_equal(call.cred.ngids, 0);
	assert_int_equal(call.args_len, 0);

	/* AUTH_NONE with a (meaningless) body and a verifier body. */
	call_head(&m, 43, 2);
	w32(&m, RPC_AUTH_NONE);
	wopaque(&m, "abcdef", 6);
	w32(&m, RPC_AUTH_NONE);
	wopaque(&m, "xy", 2);
	wbytes(&m, ARGS, 4);
	assert_int_equal(parse(&m, m.len, &call, &auth), RPC_PARSE_CALL);
	assert_int_equal(call.args_len, 4);
}

/* ------------------------------------------------------------------ */
/* Other message kinds and versions                                    */
/* ------------------------------------------------------------------ */

static void test_reply_message(void **state)
{
	struct msg m = { .len = 0 };
	struct rpc_call call;
	uint32_t auth;

	(void)state;
	w32(&m, 0x01020304);
	w32(&m, RPC_REPLY);
	w32(&m, RPC_MSG_ACCEPTED);
	w32(&m, RPC_AUTH_NONE);
	w32(&m, 0);
	w32(&m, 0);
	assert_int_equal(parse(&m, m.len, &call, &auth), RPC_PARSE_REPLY);
	assert_int_equal(call.xid, 0x01020304);
	/* A bare REPLY header (xid, type) is still a reply. */
	assert_int_equal(parse(&m, 8, &call, &auth), RPC_PARSE_REPLY);
	/* A message type that is neither: dropped. */
	m.len = 0;
	w32(&m, 9);
	w32(&m, 2);
	w32(&m, 2);
	assert_int_equal(parse(&m, m.len, &call, &auth), RPC_PARSE_DROP);
}

static void test_rpc_version_mismatch(void **state)
{
	struct msg m;
	struct rpc_call call;
	uint32_t auth;

	(void)state;
	for (uint32_t v = 0; v < 5; v++) {
		if (v == 2)
			continue;
		call_head(&m, 77, v);
		w32(&m, RPC_AUTH_NONE);
		w32(&m, 0);
		w32(&m, RPC_AUTH_NONE);
		w32(&m, 0);
		assert_int_equal(parse(&m, m.len, &call, &auth),
				 RPC_PARSE_RPC_MISMATCH);
		assert_int_equal(call.xid, 77);
		/* Only xid, type and version are needed to say so. */
		assert_int_equal(parse(&m, 12, &call, &auth),
				 RPC_PARSE_RPC_MISMATCH);
	}
}

/* ------------------------------------------------------------------ */
/* Bad credentials                                                     */
/* ------------------------------------------------------------------ */

static void test_oversized_cred(void **state)
{
	uint8_t big[RPC_MAX_AUTH_BYTES + 8];
	struct msg m;
	struct rpc_call call;
	uint32_t auth;

	(void)state;
	memset(big, 0, sizeof(big));
	/* Credential body over 400 bytes (RFC 5531 §8.2 opaque_auth<400>). */
	call_head(&m, 1, 2);
	w32(&m, RPC_AUTH_SYS);
	wopaque(&m, big, RPC_MAX_AUTH_BYTES + 4);
	w32(&m, RPC_AUTH_NONE);
	w32(&m, 0);
	assert_int_equal(parse(&m, m.len, &call, &auth), RPC_PARSE_GARBAGE);
	assert_int_equal(call.xid, 1);

	/* Exactly 400 is allowed by the framing (the AUTH_SYS body inside
	 * is then nonsense: a credential error, not garbage). */
	call_head(&m, 2, 2);
	w32(&m, RPC_AUTH_SYS);
	wopaque(&m, big, RPC_MAX_AUTH_BYTES);
	w32(&m, RPC_AUTH_NONE);
	w32(&m, 0);
	assert_int_equal(parse(&m, m.len, &call, &auth),
			 RPC_PARSE_AUTH_ERROR);
	assert_int_equal(auth, RPC_AUTH_BADCRED);

	/* Oversized verifier. */
	call_head(&m, 3, 2);
	w32(&m, RPC_AUTH_NONE);
	w32(&m, 0);
	w32(&m, RPC_AUTH_NONE);
	wopaque(&m, big, RPC_MAX_AUTH_BYTES + 4);
	assert_int_equal(parse(&m, m.len, &call, &auth), RPC_PARSE_GARBAGE);

	/* Credential length larger than the message. */
	call_head(&m, 4, 2);
	w32(&m, RPC_AUTH_SYS);
	w32(&m, 200);
	w32(&m, 0);
	assert_int_equal(parse(&m, m.len, &call, &auth), RPC_PARSE_GARBAGE);

	/* A huge length must not wrap the padding arithmetic. */
	call_head(&m, 5, 2);
	w32(&m, RPC_AUTH_NONE);
	w32(&m, 0);
	w32(&m, RPC_AUTH_NONE);
	w32(&m, 0xfffffffd);
	assert_int_equal(parse(&m, m.len, &call, &auth), RPC_PARSE_GARBAGE);
}

static void auth_sys_with_body(struct msg *m, const uint8_t *body,
			       size_t blen)
{
	call_head(m, 9, 2);
	w32(m, RPC_AUTH_SYS);
	wopaque(m, body, blen);
	w32(m, RPC_AUTH_NONE);
	w32(m, 0);
}

static void test_bad_auth_sys(void **state)
{
	uint8_t body[600];
	uint32_t gids[RPC_MAX_GIDS + 1] = { 0 };
	char machine[256];
	struct msg m;
	struct rpc_call call;
	uint32_t auth;
	size_t blen;

	(void)state;
	memset(machine, 'x', sizeof(machine));
	/* Machine name of 256 bytes (limit 255). */
	blen = authsys_body(body, machine, 256, 0, 0, NULL, 0);
	auth_sys_with_body(&m, body, blen);
	assert_int_equal(parse(&m, m.len, &call, &auth),
			 RPC_PARSE_AUTH_ERROR);
	assert_int_equal(auth, RPC_AUTH_BADCRED);
	assert_int_equal(call.xid, 9);

	/* 17 gids (limit 16). */
	blen = authsys_body(body, "h", 1, 0, 0, gids, RPC_MAX_GIDS + 1);
	auth_sys_with_body(&m, body, blen);
	assert_int_equal(parse(&m, m.len, &call, &auth),
			 RPC_PARSE_AUTH_ERROR);
	assert_int_equal(auth, RPC_AUTH_BADCRED);

	/* Trailing bytes after the gids. */
	blen = authsys_body(body, "h", 1, 0, 0, gids, 2);
	memset(body + blen, 0, 4);
	auth_sys_with_body(&m, body, blen + 4);
	assert_int_equal(parse(&m, m.len, &call, &auth),
			 RPC_PARSE_AUTH_ERROR);

	/* Every truncation of a valid AUTH_SYS body (the credential length
	 * says so, the message is complete): a credential error. */
	blen = authsys_body(body, "host", 4, 1, 2, gids, 3);
	for (size_t cut = 0; cut < blen; cut += 4) {
		auth_sys_with_body(&m, body, cut);
		assert_int_equal(parse(&m, m.len, &call, &auth),
				 RPC_PARSE_AUTH_ERROR);
		assert_int_equal(auth, RPC_AUTH_BADCRED);
	}

	/* Machine-name length that overruns the body. */
	{
		struct msg b = { .len = 0 };
		w32(&b, 0);
		w32(&b, 200); /* name length */
		w32(&b, 0);
		auth_sys_with_body(&m, b.b, b.len);
		assert_int_equal(parse(&m, m.len, &call, &auth),
				 RPC_PARSE_AUTH_ERROR);
	}
}

static void test_unknown_flavor(void **state)
{
	static const uint32_t flavors[] = { 2 /* AUTH_SHORT */, 3,
					    RPC_AUTH_GSS, 390003, 0xffffffff };
	struct msg m;
	struct rpc_call call;
	uint32_t auth;

	(void)state;
	for (unsigned i = 0; i < sizeof(flavors) / sizeof(flavors[0]); i++) {
		call_head(&m, 100 + i, 2);
		w32(&m, flavors[i]);
		wopaque(&m, "abcd", 4);
		w32(&m, RPC_AUTH_NONE);
		w32(&m, 0);
		assert_int_equal(parse(&m, m.len, &call, &auth),
				 RPC_PARSE_AUTH_ERROR);
		assert_int_equal(auth, RPC_AUTH_BADCRED);
		assert_int_equal(call.xid, 100 + i);
	}
}

/* ------------------------------------------------------------------ */
/* Truncation at every length                                          */
/* ------------------------------------------------------------------ */

static void test_truncated_everywhere(void **state)
{
	struct msg m;
	struct rpc_call call;
	uint32_t auth;
	size_t hdr;

	(void)state;
	sys_call(&m, &hdr);
	for (size_t len = 0; len <= m.len; len++) {
		enum rpc_parse_result r = parse(&m, len, &call, &auth);

		if (len < 8) {
			/* Not even xid and type: nothing to answer. */
			assert_int_equal(r, RPC_PARSE_DROP);
		} else if (len < hdr) {
			/* A call whose header is cut: GARBAGE_ARGS (the xid
			 * is known, so the client gets an answer). */
			if (r != RPC_PARSE_GARBAGE)
				fail_msg("length %zu: result %d", len, r);
			assert_int_equal(call.xid, 0xabcdef01);
		} else {
			assert_int_equal(r, RPC_PARSE_CALL);
			assert_int_equal(call.args_len, len - hdr);
		}
	}

	/* Same for AUTH_NONE. */
	call_head(&m, 3, 2);
	w32(&m, RPC_AUTH_NONE);
	w32(&m, 0);
	w32(&m, RPC_AUTH_NONE);
	w32(&m, 0);
	for (size_t len = 0; len < m.len; len++) {
		enum rpc_parse_result r = parse(&m, len, &call, &auth);
		assert_int_equal(r, len < 8 ? RPC_PARSE_DROP
					    : RPC_PARSE_GARBAGE);
	}
	assert_int_equal(parse(&m, m.len, &call, &auth), RPC_PARSE_CALL);
}

/* Every single-word corruption of the header is answered without a read
 * out of bounds (ASan) and leaves a consistent result. */
static void test_corrupt_words(void **state)
{
	static const uint32_t vals[] = { 0, 1, 2, 3, 4, 255, 256, 400, 401,
					 0x7fffffff, 0xfffffffc, 0xffffffff };
	struct msg m, c;
	struct rpc_call call;
	uint32_t auth;
	size_t hdr;

	(void)state;
	sys_call(&m, &hdr);
	for (size_t w = 0; w < hdr / 4; w++) {
		for (unsigned v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
			enum rpc_parse_result r;
			uint32_t be = htonl(vals[v]);

			c = m;
			memcpy(c.b + 4 * w, &be, 4);
			r = parse(&c, c.len, &call, &auth);
			assert_true(r <= RPC_PARSE_GARBAGE);
			if (r == RPC_PARSE_AUTH_ERROR)
				assert_int_equal(auth, RPC_AUTH_BADCRED);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Reply builders                                                      */
/* ------------------------------------------------------------------ */

static uint32_t r32(const uint8_t *b, unsigned i)
{
	uint32_t be;

	memcpy(&be, b + 4 * i, 4);
	return ntohl(be);
}

static void test_reply_builders(void **state)
{
	uint8_t b[64];
	size_t n;

	(void)state;
	memset(b, 0xaa, sizeof(b));
	rpc_reply_accepted(b, 0x11223344, ACCEPT_GARBAGE_ARGS);
	assert_int_equal(r32(b, 0), 0x11223344);
	assert_int_equal(r32(b, 1), RPC_REPLY);
	assert_int_equal(r32(b, 2), RPC_MSG_ACCEPTED);
	assert_int_equal(r32(b, 3), RPC_AUTH_NONE);
	assert_int_equal(r32(b, 4), 0);
	assert_int_equal(r32(b, 5), ACCEPT_GARBAGE_ARGS);
	assert_int_equal(b[RPC_REPLY_HDR_LEN], 0xaa); /* nothing beyond */

	n = rpc_reply_rpc_mismatch(b, 5);
	assert_int_equal(n, 24);
	assert_int_equal(r32(b, 0), 5);
	assert_int_equal(r32(b, 2), RPC_MSG_DENIED);
	assert_int_equal(r32(b, 3), 0); /* RPC_MISMATCH */
	assert_int_equal(r32(b, 4), 2);
	assert_int_equal(r32(b, 5), 2);

	n = rpc_reply_auth_error(b, 6, RPC_AUTH_TOOWEAK);
	assert_int_equal(n, 20);
	assert_int_equal(r32(b, 2), RPC_MSG_DENIED);
	assert_int_equal(r32(b, 3), 1); /* AUTH_ERROR */
	assert_int_equal(r32(b, 4), RPC_AUTH_TOOWEAK);

	n = rpc_reply_prog_mismatch(b, 7, 4, 4);
	assert_int_equal(n, 32);
	assert_int_equal(r32(b, 2), RPC_MSG_ACCEPTED);
	assert_int_equal(r32(b, 5), ACCEPT_PROG_MISMATCH);
	assert_int_equal(r32(b, 6), 4);
	assert_int_equal(r32(b, 7), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth_sys_call),
		cmocka_unit_test(test_auth_sys_limits),
		cmocka_unit_test(test_auth_none_call),
		cmocka_unit_test(test_reply_message),
		cmocka_unit_test(test_rpc_version_mismatch),
		cmocka_unit_test(test_oversized_cred),
		cmocka_unit_test(test_bad_auth_sys),
		cmocka_unit_test(test_unknown_flavor),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_corrupt_words),
		cmocka_unit_test(test_reply_builders),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
