/*
 * tools/strata-bench/wl_large.c -- one large file, <tag>-large/data, of
 * --size bytes: sequential write and read in --io pieces, and 4 KiB random
 * writes and reads for --duration seconds.  Every lane works on the same
 * open file (one OPEN, one layout), as the page cache of one client would.
 */
#include "clock.h"
#include "wl.h"

static int open_large(struct run *r, struct lane *l, unsigned flags)
{
	char path[160];

	if (group_ready(r->b, l, G_LARGE) < 0)
		return -1;
	group_large_file(r->b, path, sizeof(path));
	return nf_open(l, r->b->cl, &r->b->grp[G_LARGE].dir, LARGE_NAME, path,
		       flags | NF_LAYOUT, &r->file) == 0 ? 0 : -1;
}

/* The readers' (and random writers') input: the whole file, written. */
static int need_input(struct run *r, struct lane *l)
{
	if (group_ready(r->b, l, G_LARGE) < 0)
		return -1;
	if (r->b->grp[G_LARGE].have_input)
		return 0;
	return wl_prepare(r->b, l, WL_SEQWRITE);
}

static uint64_t seq_items(const struct run *r)
{
	uint64_t io = r->b->o->client.io;
	return (r->b->o->size + io - 1) / io;
}

static void seq_range(const struct run *r, uint64_t i, uint64_t *off,
		      uint32_t *len)
{
	uint64_t io = r->b->o->client.io, size = r->b->o->size;
	*off = i * io;
	*len = (uint32_t)(size - *off < io ? size - *off : io);
}

static uint64_t rand_off(const struct run *r, struct lane *l)
{
	uint64_t blocks = r->b->o->size / RAND_IO;
	return (lane_rand(l) % blocks) * RAND_IO;
}

/* ---- sequential ------------------------------------------------------- */

static int seqwrite_setup(struct run *r, struct lane *l)
{
	r->nitems = seq_items(r);
	return open_large(r, l, NF_WRITE | NF_CREATE);
}

static int seqwrite_item(struct run *r, struct lane *l, uint64_t i)
{
	uint64_t off;
	uint32_t len;
	seq_range(r, i, &off, &len);
	if (nf_write(l, r->b->cl, &r->file, off, len) != 0)
		return -1;
	run_count_io(r, &r->file, len);
	return 0;
}

static int write_finish(struct run *r, struct lane *l)
{
	uint64_t size = r->b->o->size;
	if (nf_commit(l, r->b->cl, &r->file, 0, size) != 0 ||
	    nf_close(l, r->b->cl, &r->file, size) != 0)
		return -1;
	r->b->grp[G_LARGE].have_input = 1;
	return 0;
}

static int seqread_setup(struct run *r, struct lane *l)
{
	r->nitems = seq_items(r);
	if (need_input(r, l) < 0)
		return -1;
	return open_large(r, l, NF_READ);
}

static int seqread_item(struct run *r, struct lane *l, uint64_t i)
{
	uint64_t off;
	uint32_t len;
	seq_range(r, i, &off, &len);
	if (nf_read(l, r->b->cl, &r->file, off, len) != 0)
		return -1;
	run_count_io(r, &r->file, len);
	return 0;
}

static int read_finish(struct run *r, struct lane *l)
{
	return nf_close(l, r->b->cl, &r->file, 0) == 0 ? 0 : -1;
}

/* ---- random ------------------------------------------------------------ */

static int random_deadline(struct run *r, struct lane *l)
{
	if (r->b->o->size < RAND_IO)
		return lane_fail(l, "--size must be at least %u for random I/O",
				 RAND_IO);
	r->deadline_ns = mono_ns() + (uint64_t)(r->b->o->duration * 1e9);
	return 0;
}

static int randwrite_setup(struct run *r, struct lane *l)
{
	if (need_input(r, l) < 0 || open_large(r, l, NF_WRITE) < 0)
		return -1;
	return random_deadline(r, l);
}

static int randwrite_item(struct run *r, struct lane *l, uint64_t i)
{
	uint64_t off = rand_off(r, l);
	if (nf_write(l, r->b->cl, &r->file, off, RAND_IO) != 0)
		return -1;
	run_count_io(r, &r->file, RAND_IO);
	return 0;
}

static int randread_setup(struct run *r, struct lane *l)
{
	if (need_input(r, l) < 0 || open_large(r, l, NF_READ) < 0)
		return -1;
	return random_deadline(r, l);
}

static int randread_item(struct run *r, struct lane *l, uint64_t i)
{
	uint64_t off = rand_off(r, l);
	if (nf_read(l, r->b->cl, &r->file, off, RAND_IO) != 0)
		return -1;
	run_count_io(r, &r->file, RAND_IO);
	return 0;
}

const struct wl_ops WL_SEQWRITE_OPS = { "seqwrite", G_LARGE, 1,
	seqwrite_setup, seqwrite_item, write_finish };
const struct wl_ops WL_SEQREAD_OPS = { "seqread", G_LARGE, 1,
	seqread_setup, seqread_item, read_finish };
const struct wl_ops WL_RANDWRITE_OPS = { "randwrite", G_LARGE, 0,
	randwrite_setup, randwrite_item, write_finish };
const struct wl_ops WL_RANDREAD_OPS = { "randread", G_LARGE, 0,
	randread_setup, randread_item, read_finish };
