/*
 * tests/fuzz/fuzz_compound.c — libFuzzer target: arbitrary bytes as one
 * RPC message (no record marker), handled the way server.c's
 * server_deliver() handles a message from the TCP transport:
 * rpc_parse_call(), and for NFSv4 COMPOUND calls (prog 100003, vers 4,
 * proc 1) compound_run() under srv->state_lock against an in-process
 * server (started once, in a temp dir) with a fake connection.
 *
 * Oracles: the sanitizers (ASan/UBSan, libFuzzer's malloc and RSS
 * limits), plus: a COMPOUND reply that is not garbage must decode with
 * xdr_COMPOUND4res and consume exactly the bytes produced, and must not
 * exceed the buffer.
 *
 * State kept between inputs (see fuzz_common.h): everything, except that
 * the pinned fuzz session is re-created if an input destroyed it and its
 * slot table is reset before each input; and, to bound memory, all other
 * clients are dropped once there are more than MAX_CLIENTS.
 *
 * FUZZ_VERBOSE=1 prints every COMPOUND's op results (opnum=status), e.g.
 * to check that the seeds get past SEQUENCE:
 *   FUZZ_VERBOSE=1 fuzz_compound -runs=0 CORPUS_DIR
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compound_harness.h"
#include "fuzz_common.h"
#include "log.h"

#define MAX_CLIENTS 256
#define FUZZ_MAX_IO (64 * 1024)

static struct strata_server *srv;
static char *srv_dir;
static struct xprt_conn *conn;
static struct ch_client *boot; /* makes the pinned session */
static int verbose;              /* FUZZ_VERBOSE=1: print each result */

static void cleanup(void)
{
	if (boot) {
		ch_client_fini(boot);
		free(boot);
	}
	if (conn)
		xprt_conn_put(conn);
	ch_server_stop(srv, srv_dir);
}

static struct nfs_session *pinned(void)
{
	return session_find(srv, FUZZ_SESSIONID);
}

/* (Re)create the pinned session: EXCHANGE_ID, CREATE_SESSION,
 * RECLAIM_COMPLETE, then give the session the well-known id. */
static void make_pinned(void)
{
	struct nfs_session *s;

	if (ch_exchange_id(boot, FUZZ_OWNER, FUZZ_VERIFIER) != NFS4_OK ||
	    ch_create_session(boot, SESSION_MAX_SLOTS) != NFS4_OK) {
		fprintf(stderr, "fuzz: cannot create the pinned session\n");
		abort();
	}
	{
		nfs_argop4 ops[2] = { ch_op_seq(boot, 0, 0),
				      ch_op_reclaim_complete() };
		int st = ch_call(boot, 1, ops, 2);
		if (st != NFS4_OK && st != NFS4ERR_COMPLETE_ALREADY) {
			fprintf(stderr, "fuzz: RECLAIM_COMPLETE: %d\n", st);
			abort();
		}
	}
	pthread_mutex_lock(&srv->state_lock);
	s = session_find(srv, boot->sessionid);
	if (!s)
		abort();
	memcpy(s->id, FUZZ_SESSIONID, NFS4_SESSIONID_SIZE);
	pthread_mutex_unlock(&srv->state_lock);
}

static void reset_pinned(void)
{
	struct nfs_session *s;

	pthread_mutex_lock(&srv->state_lock);
	s = pinned();
	pthread_mutex_unlock(&srv->state_lock);
	if (!s)
		make_pinned();
	pthread_mutex_lock(&srv->state_lock);
	s = pinned();
	for (unsigned i = 0; s && i < SESSION_MAX_SLOTS; i++) {
		free(s->slots[i].reply);
		memset(&s->slots[i], 0, sizeof(s->slots[i]));
	}
	pthread_mutex_unlock(&srv->state_lock);
}

static void bound_clients(void)
{
	unsigned n = 0;

	pthread_mutex_lock(&srv->state_lock);
	for (struct nfs_client *c = srv->clients; c; c = c->next)
		n++;
	if (n > MAX_CLIENTS) {
		struct nfs_session *keep = pinned();
		struct nfs_client *c = srv->clients, *next;
		for (; c; c = next) {
			next = c->next;
			if (!keep || c != keep->client)
				client_destroy(srv, c);
		}
	}
	pthread_mutex_unlock(&srv->state_lock);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	strata_log_level = LOG_ERR;
	verbose = getenv("FUZZ_VERBOSE") && *getenv("FUZZ_VERBOSE") == '1';
	if (ch_server_start(&srv, &srv_dir, 2, FUZZ_MAX_IO) < 0) {
		fprintf(stderr, "fuzz: server_start failed\n");
		abort();
	}
	conn = ch_conn_new(NULL);
	boot = calloc(1, sizeof(*boot));
	if (!conn || !boot || ch_client_init(boot, srv, conn) < 0)
		abort();
	atexit(cleanup);
	make_pinned();
	return 0;
}

static void check_reply(const uint8_t *out, size_t len, size_t cap)
{
	COMPOUND4res res;
	XDR x;

	if (len > cap)
		abort();
	memset(&res, 0, sizeof(res));
	xdrmem_create(&x, (char *)out, (u_int)len, XDR_DECODE);
	if (!xdr_COMPOUND4res(&x, &res) || xdr_getpos(&x) != len) {
		fprintf(stderr, "fuzz: server produced an undecodable "
				"COMPOUND4res (%zu bytes, decoded %u):", len,
			xdr_getpos(&x));
		for (size_t i = 0; i < len; i++)
			fprintf(stderr, "%s%02x", i % 32 ? (i % 4 ? "" : " ")
							 : "\n  ",
				out[i]);
		fprintf(stderr, "\n");
		abort();
	}
	if (verbose) {
		fprintf(stderr, "fuzz: COMPOUND status %d:", (int)res.status);
		for (u_int i = 0; i < res.resarray.resarray_len; i++) {
			nfs_resop4 *r = &res.resarray.resarray_val[i];
			fprintf(stderr, " %u=%d", (unsigned)r->resop,
				(int)*(nfsstat4 *)&r->nfs_resop4_u);
		}
		fprintf(stderr, "\n");
	}
	xdr_free((xdrproc_t)xdr_COMPOUND4res, (char *)&res);
	xdr_destroy(&x);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, like the transport's message buffer, so that
	 * reads past the end are caught. */
	uint8_t *msg = malloc(size ? size : 1);
	struct rpc_call call;
	uint32_t auth = 0;

	if (!msg)
		return 0;
	memcpy(msg, data, size);
	if (rpc_parse_call(msg, size, &call, &auth) == RPC_PARSE_CALL &&
	    call.prog == FUZZ_NFS_PROGRAM && call.vers == FUZZ_NFS_VERSION &&
	    call.proc == FUZZ_NFS_COMPOUND) {
		size_t cap = srv->cfg.max_msg, len;
		uint8_t *out = malloc(cap);
		int garbage = 0;

		if (out) {
			reset_pinned();
			pthread_mutex_lock(&srv->state_lock);
			client_expire(srv);
			len = compound_run(srv, conn, &call, out, cap,
					   &garbage);
			pthread_mutex_unlock(&srv->state_lock);
			if (!garbage)
				check_reply(out, len, cap);
			free(out);
			bound_clients();
		}
	}
	free(msg);
	return 0;
}
