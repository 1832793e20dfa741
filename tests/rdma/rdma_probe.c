/*
 * tests/rdma/rdma_probe.c — a bad RPC-over-RDMA client, for the VM test.
 *
 *   rdma_probe ADDR PORT
 *
 * Connects with RFC 8797 private data (4 KiB both ways) and checks, in
 * order, on one connection:
 *   1. a header with vers 2 gets RDMA_ERROR / ERR_VERS 1..1 with the
 *      call's xid (RFC 8166 §4.5.1, §5);
 *   2. a read list with a discriminator of 7 gets RDMA_ERROR / ERR_CHUNK
 *      (§4.5.2);
 *   3. an inline NFS NULL call then gets an RDMA_MSG reply with the same
 *      xid, no chunks, a non-zero credit grant, and an accepted RPC reply
 *      (the connection survived 1 and 2);
 *   4. an RDMA_NOMSG call whose position-zero Read chunk names an rkey we
 *      never registered: the server's RDMA Read fails and it disconnects
 *      this client (RDMA_CM_EVENT_DISCONNECTED within 30 s), sending no
 *      reply first.
 * Prints one line per check; exits 0 when all pass, 1 otherwise, 2 on
 * setup errors. The guest script checks that the NFS mount on the same
 * server kept its connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>

#include "rpcrdma.h"
#include "rpcrdma_cm.h"
#include "rpcrdma_encode.h"

#define BUF 4096
#define NRECV 8

struct probe {
	struct rdma_event_channel *ch;
	struct rdma_cm_id *id;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_mr *mr;
	uint8_t *buf; /* NRECV receive buffers, then one send buffer */
};

static int fails;

static void check(int ok, const char *what)
{
	printf("rdma_probe: %s: %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		fails++;
}

static uint32_t word(const uint8_t *p, size_t i)
{
	uint32_t v;

	memcpy(&v, p + 4 * i, 4);
	return ntohl(v);
}

static int wait_event(struct probe *p, enum rdma_cm_event_type want)
{
	struct rdma_cm_event *ev;
	int got;

	if (rdma_get_cm_event(p->ch, &ev))
		return -1;
	got = ev->event == want;
	if (!got)
		fprintf(stderr, "rdma_probe: event %s, wanted %s\n",
			rdma_event_str(ev->event), rdma_event_str(want));
	rdma_ack_cm_event(ev);
	return got ? 0 : -1;
}

static int post_recv(struct probe *p, int i)
{
	struct ibv_sge sge = { (uintptr_t)(p->buf + (size_t)i * BUF), BUF,
			       p->mr->lkey };
	struct ibv_recv_wr wr = { .wr_id = (uint64_t)i, .sg_list = &sge,
				  .num_sge = 1 };
	struct ibv_recv_wr *bad;

	return ibv_post_recv(p->id->qp, &wr, &bad);
}

static int setup(struct probe *p, const char *addr, const char *port)
{
	struct addrinfo *ai;
	struct ibv_qp_init_attr qa = { 0 };
	struct rdma_conn_param cp = { 0 };
	struct rpcrdma_cm_pd ours = { .present = true, .send_size = BUF,
				      .recv_size = BUF };
	uint8_t pd[RPCRDMA_CM_LEN];

	if (getaddrinfo(addr, port, NULL, &ai))
		return -1;
	p->ch = rdma_create_event_channel();
	if (!p->ch || rdma_create_id(p->ch, &p->id, NULL, RDMA_PS_TCP) ||
	    rdma_resolve_addr(p->id, NULL, ai->ai_addr, 5000) ||
	    wait_event(p, RDMA_CM_EVENT_ADDR_RESOLVED) ||
	    rdma_resolve_route(p->id, 5000) ||
	    wait_event(p, RDMA_CM_EVENT_ROUTE_RESOLVED))
		return -1;
	freeaddrinfo(ai);
	p->pd = ibv_alloc_pd(p->id->verbs);
	p->cq = ibv_create_cq(p->id->verbs, 64, NULL, NULL, 0);
	p->buf = calloc(NRECV + 1, BUF);
	if (!p->pd || !p->cq || !p->buf)
		return -1;
	p->mr = ibv_reg_mr(p->pd, p->buf, (NRECV + 1) * BUF,
			   IBV_ACCESS_LOCAL_WRITE);
	qa.send_cq = qa.recv_cq = p->cq;
	qa.qp_type = IBV_QPT_RC;
	qa.cap.max_send_wr = 16;
	qa.cap.max_recv_wr = NRECV;
	qa.cap.max_send_sge = qa.cap.max_recv_sge = 1;
	if (!p->mr || rdma_create_qp(p->id, p->pd, &qa))
		return -1;
	for (int i = 0; i < NRECV; i++)
		if (post_recv(p, i))
			return -1;
	cp.private_data = pd;
	cp.private_data_len = (uint8_t)rpcrdma_cm_encode(pd, sizeof(pd), &ours);
	cp.responder_resources = 16;
	cp.initiator_depth = 0;
	cp.retry_count = 6;
	cp.rnr_retry_count = 0;
	if (rdma_connect(p->id, &cp) ||
	    wait_event(p, RDMA_CM_EVENT_ESTABLISHED))
		return -1;
	return 0;
}

/* Sends len bytes of the send buffer. */
static int send_msg(struct probe *p, size_t len)
{
	struct ibv_sge sge = { (uintptr_t)(p->buf + NRECV * BUF),
			       (uint32_t)len, p->mr->lkey };
	struct ibv_send_wr wr = { .wr_id = 1000, .sg_list = &sge,
				  .num_sge = 1, .opcode = IBV_WR_SEND,
				  .send_flags = IBV_SEND_SIGNALED };
	struct ibv_send_wr *bad;

	return ibv_post_send(p->id->qp, &wr, &bad);
}

/* The next Receive within 10 s: its buffer and length, or NULL. */
static const uint8_t *next_recv(struct probe *p, size_t *len)
{
	time_t end = time(NULL) + 10;
	struct ibv_wc wc;

	while (time(NULL) < end) {
		int n = ibv_poll_cq(p->cq, 1, &wc);

		if (n < 0 || (n == 1 && wc.status != IBV_WC_SUCCESS))
			return NULL;
		if (n == 1 && wc.opcode == IBV_WC_RECV) {
			*len = wc.byte_len;
			post_recv(p, (int)wc.wr_id);
			return p->buf + wc.wr_id * BUF;
		}
	}
	return NULL;
}

static uint8_t *sbuf(struct probe *p)
{
	return p->buf + NRECV * BUF;
}

static void put_words(uint8_t *b, const uint32_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t v = htonl(w[i]);
		memcpy(b + 4 * i, &v, 4);
	}
}

/* Sends the 7 header words M; the answer must be RDMA_ERROR / ERR with
 * M's xid and a non-zero grant (for ERR_VERS: versions 1 to 1). */
static void expect_error(struct probe *p, const uint32_t *m, uint32_t err,
			 const char *what)
{
	size_t need = err == ERR_VERS ? RPCRDMA_ERR_VERS_LEN
				      : RPCRDMA_ERR_CHUNK_LEN;
	const uint8_t *r;
	size_t len = 0;

	put_words(sbuf(p), m, 7);
	r = send_msg(p, 7 * 4) ? NULL : next_recv(p, &len);
	check(r && len >= need && word(r, 0) == m[0] && word(r, 2) > 0 &&
		      word(r, 3) == RDMA_ERROR && word(r, 4) == err &&
		      (err != ERR_VERS || (word(r, 5) == 1 && word(r, 6) == 1)),
	      what);
}

static void check_null(struct probe *p)
{
	/* RDMA_MSG, no chunks, then an NFSv4 NULL call with AUTH_NONE. */
	const uint32_t m[] = { 0x1003, 1, 32, RDMA_MSG, 0, 0, 0,
			       0x1003, 0, 2, 100003, 4, 0, 0, 0, 0, 0 };
	const uint8_t *r;
	size_t len = 0;

	put_words(sbuf(p), m, sizeof(m) / 4);
	r = send_msg(p, sizeof(m)) ? NULL : next_recv(p, &len);
	check(r && len >= 28 + 24 && word(r, 0) == 0x1003 && word(r, 1) == 1 &&
		      word(r, 2) > 0 && word(r, 3) == RDMA_MSG &&
		      word(r, 4) == 0 && word(r, 5) == 0 && word(r, 6) == 0 &&
		      word(r, 7) == 0x1003 && word(r, 8) == 1 &&
		      word(r, 9) == 0 && word(r, 12) == 0,
	      "NULL call answered inline after the errors, credits > 0");
	if (r)
		printf("rdma_probe: grant %u credits\n", word(r, 2));
}

static void check_bad_rkey(struct probe *p)
{
	/* RDMA_NOMSG, position-zero Read chunk of 64 bytes, rkey unknown. */
	const uint32_t m[] = { 0x1004, 1, 32, RDMA_NOMSG,
			       1, 0, 0xdead0bad, 64, 0, 0x1000, 0,
			       0, 0 };
	struct rdma_cm_event *ev = NULL;
	int disc = 0;

	put_words(sbuf(p), m, sizeof(m) / 4);
	alarm(30); /* no event at all: killed, the check fails */
	if (send_msg(p, sizeof(m)) == 0 && rdma_get_cm_event(p->ch, &ev) == 0) {
		disc = ev->event == RDMA_CM_EVENT_DISCONNECTED;
		rdma_ack_cm_event(ev);
	}
	check(disc, "a Read chunk with a bad rkey disconnects this client");
}

int main(int argc, char **argv)
{
	struct probe p = { 0 };

	if (argc != 3) {
		fprintf(stderr, "usage: rdma_probe ADDR PORT\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (setup(&p, argv[1], argv[2]) < 0) {
		fprintf(stderr, "rdma_probe: cannot connect: %s\n",
			strerror(errno));
		return 2;
	}
	expect_error(&p, (const uint32_t[]){ 0x1001, 2, 32, RDMA_MSG, 0, 0, 0 },
		     ERR_VERS, "vers 2 answered RDMA_ERROR/ERR_VERS 1..1");
	expect_error(&p, (const uint32_t[]){ 0x1002, 1, 32, RDMA_MSG, 7, 0, 0 },
		     ERR_CHUNK,
		     "bad list discriminator answered RDMA_ERROR/ERR_CHUNK");
	check_null(&p);
	check_bad_rkey(&p);
	return fails ? 1 : 0;
}
