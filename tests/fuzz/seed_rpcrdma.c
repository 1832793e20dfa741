/*
 * tests/fuzz/seed_rpcrdma.c — writes the seed corpus for fuzz_rpcrdma:
 * one limits byte (0: the default set) and a transport header as the
 * Linux client sends them (RFC 8166, RFC 8267 use), with a small RPC
 * message behind RDMA_MSG headers:
 *
 *   inline call; WRITE with a Read chunk of two segments; READ with a
 *   Write chunk; READDIR with a Reply chunk; a position-zero RDMA_NOMSG
 *   call; a backchannel reply; an RDMA_ERROR; a header of version 2.
 *
 *   fuzz_rpcrdma_seeds DIR     writes DIR/rdma-NN-name.bin
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpcrdma_encode.h"
#include "seed_file.h"

#define XID 0x5eed0001u

static const char *outdir;
static unsigned nseeds;

static void write_seed(const char *name, const uint8_t *b, size_t len)
{
	seed_file_write(outdir, "rdma", nseeds++, name, b, len);
}

static size_t put32(uint8_t *b, size_t at, uint32_t v)
{
	b[at] = (uint8_t)(v >> 24);
	b[at + 1] = (uint8_t)(v >> 16);
	b[at + 2] = (uint8_t)(v >> 8);
	b[at + 3] = (uint8_t)v;
	return at + 4;
}

/* Limits byte, header h, then an RPC message of rpc_len bytes (xid,
 * msg_type, zeros) unless rpc_len is 0. */
static void seed_hdr(const char *name, const struct rpcrdma_hdr *h,
		     uint32_t msg_type, size_t rpc_len)
{
	static uint8_t b[4096];
	size_t len;

	b[0] = 0;
	if (rpcrdma_encode_hdr(b + 1, sizeof(b) - 1 - rpc_len, h, &len) !=
	    RPCRDMA_OK) {
		fprintf(stderr, "seed %s: encode failed\n", name);
		exit(1);
	}
	len += 1;
	if (rpc_len) {
		memset(b + len, 0, rpc_len);
		put32(b, len, h->xid);
		put32(b, len + 4, msg_type);
		len += rpc_len;
	}
	write_seed(name, b, len);
}

static struct rpcrdma_hdr base(uint32_t proc)
{
	return (struct rpcrdma_hdr){.xid = XID + nseeds, .vers = 1,
				    .credits = 128, .proc = proc};
}

static void add_seg(struct rpcrdma_hdr *h, struct rpcrdma_chunk *c,
		    uint32_t len)
{
	if (c->nsegs == 0)
		c->first = h->nsegs;
	h->segs[h->nsegs] = (struct rpcrdma_segment){
		0x100 + h->nsegs, len, ((uint64_t)h->xid << 32) | 0x1000};
	h->nsegs++;
	c->nsegs++;
	c->len += len;
}

int main(int argc, char **argv)
{
	struct rpcrdma_hdr h;
	static uint8_t b[64];
	size_t len;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	h = base(RDMA_MSG);
	seed_hdr("inline-call", &h, 0, 120);
	h = base(RDMA_MSG);
	h.nread = 1;
	h.read[0].position = 96;
	add_seg(&h, &h.read[0], 4096);
	add_seg(&h, &h.read[0], 904);
	seed_hdr("write-read-chunk", &h, 0, 128);
	h = base(RDMA_MSG);
	h.nwrite = 1;
	add_seg(&h, &h.write[0], 65536);
	seed_hdr("read-write-chunk", &h, 0, 140);
	h = base(RDMA_MSG);
	h.has_reply = true;
	add_seg(&h, &h.reply, 4096);
	add_seg(&h, &h.reply, 4096);
	seed_hdr("readdir-reply-chunk", &h, 0, 132);
	h = base(RDMA_NOMSG);
	h.nread = 1;
	add_seg(&h, &h.read[0], 6000);
	seed_hdr("nomsg-position-zero", &h, 0, 0);
	h = base(RDMA_MSG);
	h.credits = 16;
	seed_hdr("backchannel-reply", &h, 1, 24);
	b[0] = 0;
	if (rpcrdma_encode_error(b + 1, sizeof(b) - 1, XID, 1, ERR_VERS,
				 &len) != RPCRDMA_OK)
		return 1;
	write_seed("rdma-error", b, len + 1);
	h = base(RDMA_MSG);
	h.vers = 2;
	seed_hdr("version-2", &h, 0, 40);
	return 0;
}
