/*
 * tests/unit/test_layout.c -- layout/: stripe geometry, dense offset math
 * and the pNFS file-layout encoders.
 *
 * The offset math is checked against two references written here, not
 * taken from layout/:
 *   - rfc_*: the equations of RFC 8881 section 13.4 (13.4.1 stripe unit
 *     number, 13.4.2 stripe index, 13.4.4 dense packing) transcribed
 *     literally, usable at any offset;
 *   - a walking model: go through the file one stripe unit at a time from
 *     offset 0, hand each unit to object (SUN + first) mod N and append it
 *     to that object.  Whatever the formulas say, this is what dense
 *     packing means; it is used for offsets and sizes up to a few rows.
 *
 * The encoders are checked byte for byte against XDR written out by hand
 * (big-endian words, opaque/string data padded to 4), and decoded again
 * with the rpcgen routines to be sure the client-side decoder agrees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include <cmocka.h>

#include "layout.h"
#include "nfs4_prot.h"

#define KiB 1024u
#define MiB (1024u * 1024u)

/* ------------------------------------------------------------------ */
/* References                                                          */
/* ------------------------------------------------------------------ */

/* RFC 8881 13.4.1 / 13.4.2 / 13.4.4, pattern offset 0. */
static uint32_t rfc_index(const struct layout_geom *g, uint64_t file_offset)
{
	uint64_t nfl_pattern_offset = 0;
	uint64_t relative_offset = file_offset - nfl_pattern_offset;
	uint64_t stripe_unit_number = relative_offset / g->stripe_unit;

	return (uint32_t)((stripe_unit_number + g->first_index) % g->stripe_count);
}

static uint64_t rfc_dense_offset(const struct layout_geom *g, uint64_t file_offset)
{
	uint64_t nfl_pattern_offset = 0;
	uint64_t relative_offset = file_offset - nfl_pattern_offset;
	uint64_t stripe_width = (uint64_t)g->stripe_unit * g->stripe_count;

	return (relative_offset / stripe_width) * g->stripe_unit +
	       relative_offset % g->stripe_unit;
}

/* ------------------------------------------------------------------ */
/* Geometry                                                            */
/* ------------------------------------------------------------------ */

static void test_geom_check(void **state)
{
	(void)state;
	const struct layout_geom ok[] = {
		{64 * KiB, 1, 0},
		{MiB, 256, 255},
		{192 * KiB, 3, 2},
		{0xFFFF0000u, 7, 6}, /* largest unit that fits nfl_util */
	};
	const struct layout_geom bad[] = {
		{0, 1, 0},                 /* unit 0 */
		{64 * KiB - 1, 1, 0},      /* not a multiple of 64 KiB */
		{64 * KiB + 64, 1, 0},     /* multiple of 64 only */
		{100000, 2, 0},            /* arbitrary */
		{32 * KiB, 2, 0},          /* below the minimum */
		{MiB, 0, 0},               /* N 0 */
		{MiB, 257, 0},             /* N > LAYOUT_MAX_DS */
		{MiB, 2, 2},               /* first == N */
		{MiB, 2, 7},               /* first > N */
		{MiB, 1, 1},               /* first == N, N 1 */
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_int_equal(layout_geom_check(&ok[i]), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(layout_geom_check(&bad[i]), -EINVAL);
	assert_int_equal(layout_geom_check(NULL), -EINVAL);
}

static void test_first_index(void **state)
{
	(void)state;
	enum { PER = 1000 };
	const uint32_t ns[] = {2, 3, 4, 7, 16, 256};

	assert_int_equal(layout_first_index(12345, 0), 0);
	for (uint64_t id = 0; id < 100; id++)
		assert_int_equal(layout_first_index(id, 1), 0);

	for (size_t t = 0; t < sizeof(ns) / sizeof(ns[0]); t++) {
		uint32_t n = ns[t];
		/* Sequential fileids of shard 0 and of shard 5 (shard in the
		 * top 4 bits, as metadata/ns.h builds them). */
		for (uint64_t shard = 0; shard <= 5; shard += 5) {
			uint32_t hits[256] = {0};
			for (uint64_t c = 1; c <= (uint64_t)PER * n; c++) {
				uint64_t id = shard << 60 | c;
				uint32_t j = layout_first_index(id, n);
				assert_true(j < n);
				assert_int_equal(j, layout_first_index(id, n));
				hits[j]++;
			}
			/* Every DS gets within 25 % of its share. */
			for (uint32_t j = 0; j < n; j++) {
				assert_true(hits[j] > PER * 3 / 4);
				assert_true(hits[j] < PER * 5 / 4);
			}
		}
	}
}

/* ------------------------------------------------------------------ */
/* Offset math                                                         */
/* ------------------------------------------------------------------ */

struct geom_case {
	uint32_t unit;
	uint32_t n;
};

static const struct geom_case geoms[] = {
	{64 * KiB, 1}, {64 * KiB, 2}, {64 * KiB, 3}, {64 * KiB, 7}, {64 * KiB, 256},
	{MiB, 1},      {MiB, 2},      {MiB, 3},      {MiB, 7},      {MiB, 256},
	{192 * KiB, 3}, /* a unit that is not a power of two */
};

/* First indices to try: all of them for small N. */
static uint32_t firsts_for(uint32_t n, uint32_t *out)
{
	if (n <= 8) {
		for (uint32_t f = 0; f < n; f++)
			out[f] = f;
		return n;
	}
	out[0] = 0;
	out[1] = 1;
	out[2] = n / 2 - 1;
	out[3] = n - 1;
	return 4;
}

/* Check one offset against the model's answer and the RFC equations. */
static void check_offset(const struct layout_geom *g, uint64_t off, uint32_t want_index,
			 uint64_t want_obj_off, uint32_t want_run)
{
	uint32_t index, run;
	uint64_t obj_off;

	layout_map(g, off, &index, &obj_off, &run);
	assert_int_equal(index, want_index);
	assert_int_equal(obj_off, want_obj_off);
	assert_int_equal(run, want_run);
	assert_int_equal(index, rfc_index(g, off));
	assert_int_equal(obj_off, rfc_dense_offset(g, off));
	assert_int_equal(layout_file_offset(g, index, obj_off), off);
}

/* Walk 3 rows + 2 units; probe each unit at its first, second, middle and
 * last byte. */
static void walk_offsets(const struct layout_geom *g)
{
	uint64_t fill[LAYOUT_MAX_DS] = {0}; /* bytes appended to each object */
	uint64_t unit = g->stripe_unit;
	uint64_t units = 3 * (uint64_t)g->stripe_count + 2;

	for (uint64_t s = 0; s < units; s++) {
		uint32_t j = (uint32_t)((s + g->first_index) % g->stripe_count);
		uint64_t start = s * unit;
		const uint64_t probes[] = {0, 1, unit / 2, unit - 1};

		for (size_t p = 0; p < sizeof(probes) / sizeof(probes[0]); p++) {
			uint64_t off = start + probes[p];
			check_offset(g, off, j, fill[j] + probes[p], (uint32_t)(unit - probes[p]));
		}
		fill[j] += unit;
	}
}

static void test_map_model(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof(geoms) / sizeof(geoms[0]); t++) {
		uint32_t firsts[LAYOUT_MAX_DS];
		uint32_t nf = firsts_for(geoms[t].n, firsts);

		for (uint32_t f = 0; f < nf; f++) {
			struct layout_geom g = {geoms[t].unit, geoms[t].n, firsts[f]};
			assert_int_equal(layout_geom_check(&g), 0);
			walk_offsets(&g);
		}
	}
}

/* Far offsets: RFC equations and the inverse only. */
static void test_map_far(void **state)
{
	(void)state;
	uint64_t x = 0x9e3779b97f4a7c15u;

	for (size_t t = 0; t < sizeof(geoms) / sizeof(geoms[0]); t++) {
		struct layout_geom g = {geoms[t].unit, geoms[t].n, geoms[t].n - 1};
		uint64_t unit = g.stripe_unit;
		const uint64_t fixed[] = {
			UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - unit, UINT64_MAX / 2,
			(uint64_t)1 << 63, ((uint64_t)1 << 63) - 1, (uint64_t)1 << 40,
			((uint64_t)1 << 40) - 1, (uint64_t)unit * g.stripe_count * 1000003,
		};

		for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]) + 2000; i++) {
			uint64_t off;
			if (i < sizeof(fixed) / sizeof(fixed[0])) {
				off = fixed[i];
			} else {
				x = x * 6364136223846793005u + 1442695040888963407u;
				off = x >> (i % 24); /* spread over magnitudes */
			}
			check_offset(&g, off, rfc_index(&g, off), rfc_dense_offset(&g, off),
				     (uint32_t)(unit - off % unit));
		}
	}
}

/* Every object offset maps back to a file offset that maps forward to it. */
static void test_file_offset_inverse(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof(geoms) / sizeof(geoms[0]); t++) {
		struct layout_geom g = {geoms[t].unit, geoms[t].n, geoms[t].n / 2};
		uint64_t unit = g.stripe_unit;

		for (uint32_t j = 0; j < g.stripe_count; j++) {
			const uint64_t objs[] = {0, 1, unit - 1, unit, unit + 1,
						 5 * unit + 17, 100 * unit - 1};
			for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
				uint64_t off = layout_file_offset(&g, j, objs[i]);
				uint32_t index, run;
				uint64_t obj_off;

				layout_map(&g, off, &index, &obj_off, &run);
				assert_int_equal(index, j);
				assert_int_equal(obj_off, objs[i]);
				assert_int_equal(run, unit - objs[i] % unit);
			}
		}
	}
}

/* Model: bytes each object holds for a SIZE-byte file. */
static void model_obj_sizes(const struct layout_geom *g, uint64_t size, uint64_t *bytes)
{
	uint64_t unit = g->stripe_unit;

	memset(bytes, 0, sizeof(uint64_t) * g->stripe_count);
	for (uint64_t s = 0; s * unit < size; s++) {
		uint32_t j = (uint32_t)((s + g->first_index) % g->stripe_count);
		uint64_t left = size - s * unit;
		bytes[j] += left < unit ? left : unit;
	}
}

static void check_size(const struct layout_geom *g, uint64_t size)
{
	uint64_t want[LAYOUT_MAX_DS];
	uint64_t sum = 0, max_end = 0;

	model_obj_sizes(g, size, want);
	for (uint32_t j = 0; j < g->stripe_count; j++) {
		uint64_t got = layout_obj_size(g, j, size);
		uint64_t end = layout_size_from_obj(g, j, got);

		assert_int_equal(got, want[j]);
		assert_true(end <= size);
		if (got == 0)
			assert_int_equal(end, 0);
		sum += got;
		max_end = end > max_end ? end : max_end;
	}
	assert_int_equal(sum, size);
	assert_int_equal(max_end, size);
}

static void test_obj_size_model(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof(geoms) / sizeof(geoms[0]); t++) {
		uint32_t firsts[LAYOUT_MAX_DS];
		uint32_t nf = firsts_for(geoms[t].n, firsts);

		for (uint32_t f = 0; f < nf; f++) {
			struct layout_geom g = {geoms[t].unit, geoms[t].n, firsts[f]};
			uint64_t unit = g.stripe_unit;
			uint64_t units = 2 * (uint64_t)g.stripe_count + 2;

			check_size(&g, 0);
			for (uint64_t b = 0; b <= units; b++) {
				if (b > 0)
					check_size(&g, b * unit - 1);
				check_size(&g, b * unit);
				check_size(&g, b * unit + 1);
				check_size(&g, b * unit + unit / 2);
			}
		}
	}
}

/* Huge sizes: sum and max properties (the model would walk too long). */
static void test_obj_size_far(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof(geoms) / sizeof(geoms[0]); t++) {
		struct layout_geom g = {geoms[t].unit, geoms[t].n, geoms[t].n - 1};
		const uint64_t sizes[] = {UINT64_MAX, UINT64_MAX - 1, (uint64_t)1 << 63,
					  ((uint64_t)1 << 40) + 12345};

		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			uint64_t sum = 0, max_end = 0;
			for (uint32_t j = 0; j < g.stripe_count; j++) {
				uint64_t got = layout_obj_size(&g, j, sizes[i]);
				uint64_t end = layout_size_from_obj(&g, j, got);
				sum += got;
				max_end = end > max_end ? end : max_end;
			}
			assert_int_equal(sum, sizes[i]);
			assert_int_equal(max_end, sizes[i]);
		}
	}
}

/* The last byte of an object is the byte layout_map put at obj_size-1. */
static void test_size_from_obj(void **state)
{
	(void)state;
	struct layout_geom g = {MiB, 3, 1};

	/* Objects in row order: position 0 is j=1, then j=2, then j=0. */
	assert_int_equal(layout_size_from_obj(&g, 1, 0), 0);
	assert_int_equal(layout_size_from_obj(&g, 1, 1), 1);
	assert_int_equal(layout_size_from_obj(&g, 1, MiB), MiB);
	assert_int_equal(layout_size_from_obj(&g, 2, 1), MiB + 1);
	assert_int_equal(layout_size_from_obj(&g, 0, MiB), 3 * (uint64_t)MiB);
	assert_int_equal(layout_size_from_obj(&g, 1, MiB + 1), 3 * (uint64_t)MiB + 1);
	assert_int_equal(layout_size_from_obj(&g, 0, 2 * (uint64_t)MiB), 6 * (uint64_t)MiB);
}

/* ------------------------------------------------------------------ */
/* Universal addresses                                                 */
/* ------------------------------------------------------------------ */

static void test_uaddr(void **state)
{
	(void)state;
	char buf[64];

	assert_int_equal(layout_uaddr(buf, sizeof(buf), "10.0.2.101", 2049), 0);
	assert_string_equal(buf, "10.0.2.101.8.1");
	assert_int_equal(layout_uaddr(buf, sizeof(buf), "10.0.2.101", 20490), 0);
	assert_string_equal(buf, "10.0.2.101.80.10");
	assert_int_equal(layout_uaddr(buf, sizeof(buf), "::1", 2049), 0);
	assert_string_equal(buf, "::1.8.1");
	assert_int_equal(layout_uaddr(buf, sizeof(buf), "0.0.0.0", 0), 0);
	assert_string_equal(buf, "0.0.0.0.0.0");
	assert_int_equal(layout_uaddr(buf, sizeof(buf), "255.255.255.255", 65535), 0);
	assert_string_equal(buf, "255.255.255.255.255.255");
	assert_int_equal(layout_uaddr(buf, sizeof(buf), "2001:DB8:0:0:0:0:0:1", 20049), 0);
	assert_string_equal(buf, "2001:db8::1.78.81"); /* canonical form */

	/* Exactly large enough, then one byte short. */
	assert_int_equal(layout_uaddr(buf, sizeof("10.0.2.101.8.1"), "10.0.2.101", 2049), 0);
	assert_string_equal(buf, "10.0.2.101.8.1");
	assert_int_equal(layout_uaddr(buf, sizeof("10.0.2.101.8.1") - 1, "10.0.2.101", 2049),
			 -EINVAL);
	assert_int_equal(layout_uaddr(buf, 0, "10.0.2.101", 2049), -EINVAL);

	const char *bad[] = {"", "10.0.2", "10.0.2.256", "10.0.2.101.1", "host.example",
			     "localhost", "fe80::1%eth0", ":::1", "10.0.2.101 ", "[::1]"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(layout_uaddr(buf, sizeof(buf), bad[i], 2049), -EINVAL);
	assert_int_equal(layout_uaddr(buf, sizeof(buf), NULL, 2049), -EINVAL);
	assert_int_equal(layout_uaddr(NULL, sizeof(buf), "10.0.2.101", 2049), -EINVAL);
}

/* ------------------------------------------------------------------ */
/* nfsv4_1_file_layout4                                                */
/* ------------------------------------------------------------------ */

static const uint8_t devid[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
				  0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};

/* Encode into an exactly sized heap buffer (so ASan sees any overrun). */
static int encode_fl_exact(size_t cap, const struct layout_geom *g, const uint8_t *const *fhs,
			   const uint32_t *lens, uint32_t nfh, uint8_t *copy)
{
	uint8_t *buf = malloc(cap ? cap : 1);
	int n;

	assert_non_null(buf);
	n = layout_encode_file_layout(buf, cap, devid, g, fhs, lens, nfh);
	if (n > 0 && copy != NULL)
		memcpy(copy, buf, (size_t)n);
	free(buf);
	return n;
}

static void test_file_layout_two(void **state)
{
	(void)state;
	static const uint8_t fh0[5] = {'a', 'b', 'c', 'd', 'e'};
	static const uint8_t fh1[8] = {0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04};
	const uint8_t *fhs[2] = {fh0, fh1};
	const uint32_t lens[2] = {5, 8};
	struct layout_geom g = {MiB, 2, 1};
	static const uint8_t want[] = {
		/* nfl_deviceid */
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
		0x00, 0x10, 0x00, 0x01, /* nfl_util: 1 MiB | DENSE */
		0x00, 0x00, 0x00, 0x01, /* nfl_first_stripe_index */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* nfl_pattern_offset */
		0x00, 0x00, 0x00, 0x02, /* nfl_fh_list count */
		0x00, 0x00, 0x00, 0x05, 'a', 'b', 'c', 'd', 'e', 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x08, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04,
	};
	uint8_t got[sizeof(want)];
	nfsv4_1_file_layout4 dec;
	XDR x;

	assert_int_equal(sizeof(want), 60);
	assert_int_equal(encode_fl_exact(sizeof(want), &g, fhs, lens, 2, got), sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
	assert_int_equal(encode_fl_exact(sizeof(want) - 1, &g, fhs, lens, 2, NULL), -ENOSPC);
	assert_int_equal(encode_fl_exact(0, &g, fhs, lens, 2, NULL), -ENOSPC);

	/* The rpcgen decoder (what a client does) reads it back. */
	memset(&dec, 0, sizeof(dec));
	xdrmem_create(&x, (char *)got, sizeof(got), XDR_DECODE);
	assert_true(xdr_nfsv4_1_file_layout4(&x, &dec));
	assert_int_equal(xdr_getpos(&x), sizeof(got));
	xdr_destroy(&x);
	assert_memory_equal(dec.nfl_deviceid, devid, 16);
	assert_int_equal(dec.nfl_util & NFL4_UFLG_STRIPE_UNIT_SIZE_MASK, MiB);
	assert_int_equal(dec.nfl_util & NFL4_UFLG_MASK, NFL4_UFLG_DENSE);
	assert_int_equal(dec.nfl_first_stripe_index, 1);
	assert_int_equal(dec.nfl_pattern_offset, 0);
	assert_int_equal(dec.nfl_fh_list.nfl_fh_list_len, 2);
	assert_int_equal(dec.nfl_fh_list.nfl_fh_list_val[1].nfs_fh4_len, 8);
	assert_memory_equal(dec.nfl_fh_list.nfl_fh_list_val[1].nfs_fh4_val, fh1, 8);
	xdr_free((xdrproc_t)xdr_nfsv4_1_file_layout4, (char *)&dec);
}

static void test_file_layout_one_maxfh(void **state)
{
	(void)state;
	uint8_t fh[128];
	const uint8_t *fhs[1] = {fh};
	const uint32_t lens[1] = {128};
	struct layout_geom g = {64 * KiB, 1, 0};
	static const uint8_t head[] = {
		0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
		0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
		0x00, 0x01, 0x00, 0x01, /* nfl_util: 64 KiB | DENSE */
		0x00, 0x00, 0x00, 0x00, /* nfl_first_stripe_index */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* nfl_pattern_offset */
		0x00, 0x00, 0x00, 0x01, /* one fh */
		0x00, 0x00, 0x00, 0x80, /* of 128 bytes, no padding */
	};
	uint8_t want[sizeof(head) + 128], got[sizeof(want)];

	for (size_t i = 0; i < sizeof(fh); i++)
		fh[i] = (uint8_t)(0xff - i);
	memcpy(want, head, sizeof(head));
	memcpy(want + sizeof(head), fh, sizeof(fh));

	assert_int_equal(encode_fl_exact(sizeof(want), &g, fhs, lens, 1, got), sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
	assert_int_equal(encode_fl_exact(sizeof(want) - 1, &g, fhs, lens, 1, NULL), -ENOSPC);
}

static void test_file_layout_wide(void **state)
{
	(void)state;
	static uint8_t fh[LAYOUT_MAX_DS][32];
	const uint8_t *fhs[LAYOUT_MAX_DS];
	uint32_t lens[LAYOUT_MAX_DS];
	struct layout_geom g = {MiB, LAYOUT_MAX_DS, 200};
	static uint8_t buf[16 + 4 + 4 + 8 + 4 + LAYOUT_MAX_DS * (4 + 32)];
	nfsv4_1_file_layout4 dec;
	XDR x;

	for (uint32_t i = 0; i < LAYOUT_MAX_DS; i++) {
		memset(fh[i], (int)i, sizeof(fh[i]));
		fhs[i] = fh[i];
		lens[i] = 32;
	}
	assert_int_equal(layout_encode_file_layout(buf, sizeof(buf), devid, &g, fhs, lens,
						   LAYOUT_MAX_DS),
			 sizeof(buf));
	memset(&dec, 0, sizeof(dec));
	xdrmem_create(&x, (char *)buf, sizeof(buf), XDR_DECODE);
	assert_true(xdr_nfsv4_1_file_layout4(&x, &dec));
	xdr_destroy(&x);
	assert_int_equal(dec.nfl_first_stripe_index, 200);
	assert_int_equal(dec.nfl_fh_list.nfl_fh_list_len, LAYOUT_MAX_DS);
	for (uint32_t i = 0; i < LAYOUT_MAX_DS; i++)
		assert_memory_equal(dec.nfl_fh_list.nfl_fh_list_val[i].nfs_fh4_val, fh[i], 32);
	xdr_free((xdrproc_t)xdr_nfsv4_1_file_layout4, (char *)&dec);
}

static void test_file_layout_invalid(void **state)
{
	(void)state;
	static const uint8_t fh0[4] = {1, 2, 3, 4};
	const uint8_t *fhs[2] = {fh0, fh0};
	const uint8_t *fhs_null[2] = {fh0, NULL};
	uint32_t lens[2] = {4, 4};
	const uint32_t lens_big[2] = {4, 129};
	const uint32_t lens_zero[2] = {4, 0};
	struct layout_geom g = {MiB, 2, 0};
	struct layout_geom bad_g = {MiB, 2, 2};
	uint8_t buf[256];

	assert_true(layout_encode_file_layout(buf, sizeof(buf), devid, &g, fhs, lens, 2) > 0);
	/* Dense: one fh per stripe index, no more, no fewer. */
	assert_int_equal(layout_encode_file_layout(buf, sizeof(buf), devid, &g, fhs, lens, 1),
			 -EINVAL);
	assert_int_equal(layout_encode_file_layout(buf, sizeof(buf), devid, &g, fhs, lens, 0),
			 -EINVAL);
	assert_int_equal(layout_encode_file_layout(buf, sizeof(buf), devid, &g, fhs, lens, 3),
			 -EINVAL);
	assert_int_equal(layout_encode_file_layout(buf, sizeof(buf), devid, &g, fhs, lens_big, 2),
			 -EINVAL);
	assert_int_equal(layout_encode_file_layout(buf, sizeof(buf), devid, &g, fhs, lens_zero, 2),
			 -EINVAL);
	assert_int_equal(layout_encode_file_layout(buf, sizeof(buf), devid, &g, fhs_null, lens, 2),
			 -EINVAL);
	assert_int_equal(layout_encode_file_layout(buf, sizeof(buf), devid, &bad_g, fhs, lens, 2),
			 -EINVAL);
	assert_int_equal(layout_encode_file_layout(buf, sizeof(buf), devid, NULL, fhs, lens, 2),
			 -EINVAL);
	assert_int_equal(layout_encode_file_layout(buf, sizeof(buf), NULL, &g, fhs, lens, 2),
			 -EINVAL);
	assert_int_equal(layout_encode_file_layout(NULL, sizeof(buf), devid, &g, fhs, lens, 2),
			 -EINVAL);
	assert_int_equal(layout_encode_file_layout(buf, sizeof(buf), devid, &g, NULL, lens, 2),
			 -EINVAL);
	assert_int_equal(layout_encode_file_layout(buf, sizeof(buf), devid, &g, fhs, NULL, 2),
			 -EINVAL);
}

/* ------------------------------------------------------------------ */
/* nfsv4_1_file_layout_ds_addr4                                        */
/* ------------------------------------------------------------------ */

static int encode_ds_exact(size_t cap, uint32_t nds, const struct layout_ds_addr *const *addrs,
			   const uint32_t *naddr, uint8_t *copy)
{
	uint8_t *buf = malloc(cap ? cap : 1);
	int n;

	assert_non_null(buf);
	n = layout_encode_ds_addr(buf, cap, nds, addrs, naddr);
	if (n > 0 && copy != NULL)
		memcpy(copy, buf, (size_t)n);
	free(buf);
	return n;
}

static void test_ds_addr_two_tcp(void **state)
{
	(void)state;
	const struct layout_ds_addr ds0[] = {{"tcp", "10.0.2.101.8.1"}};
	const struct layout_ds_addr ds1[] = {{"tcp", "10.0.2.102.8.1"}};
	const struct layout_ds_addr *const addrs[] = {ds0, ds1};
	const uint32_t naddr[] = {1, 1};
	static const uint8_t want[] = {
		0x00, 0x00, 0x00, 0x02, /* nflda_stripe_indices count */
		0x00, 0x00, 0x00, 0x00, /* [0] = 0 */
		0x00, 0x00, 0x00, 0x01, /* [1] = 1 */
		0x00, 0x00, 0x00, 0x02, /* nflda_multipath_ds_list count */
		/* DS 0 */
		0x00, 0x00, 0x00, 0x01, /* one netaddr4 */
		0x00, 0x00, 0x00, 0x03, 't', 'c', 'p', 0x00,
		0x00, 0x00, 0x00, 0x0e, '1', '0', '.', '0', '.', '2', '.', '1', '0', '1', '.',
		'8', '.', '1', 0x00, 0x00,
		/* DS 1 */
		0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x03, 't', 'c', 'p', 0x00,
		0x00, 0x00, 0x00, 0x0e, '1', '0', '.', '0', '.', '2', '.', '1', '0', '2', '.',
		'8', '.', '1', 0x00, 0x00,
	};
	uint8_t got[sizeof(want)];
	nfsv4_1_file_layout_ds_addr4 dec;
	XDR x;

	assert_int_equal(sizeof(want), 80);
	assert_int_equal(layout_ds_addr_size(2, addrs, naddr), sizeof(want));
	assert_int_equal(encode_ds_exact(sizeof(want), 2, addrs, naddr, got), sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
	assert_int_equal(encode_ds_exact(sizeof(want) - 1, 2, addrs, naddr, NULL), -ENOSPC);

	/* What a client's rpcgen decoder sees. */
	memset(&dec, 0, sizeof(dec));
	xdrmem_create(&x, (char *)got, sizeof(got), XDR_DECODE);
	assert_true(xdr_nfsv4_1_file_layout_ds_addr4(&x, &dec));
	assert_int_equal(xdr_getpos(&x), sizeof(got));
	xdr_destroy(&x);
	assert_int_equal(dec.nflda_stripe_indices.nflda_stripe_indices_len, 2);
	assert_int_equal(dec.nflda_stripe_indices.nflda_stripe_indices_val[1], 1);
	assert_int_equal(dec.nflda_multipath_ds_list.nflda_multipath_ds_list_len, 2);
	multipath_list4 *m1 = &dec.nflda_multipath_ds_list.nflda_multipath_ds_list_val[1];
	assert_int_equal(m1->multipath_list4_len, 1);
	assert_string_equal(m1->multipath_list4_val[0].na_r_netid, "tcp");
	assert_string_equal(m1->multipath_list4_val[0].na_r_addr, "10.0.2.102.8.1");
	xdr_free((xdrproc_t)xdr_nfsv4_1_file_layout_ds_addr4, (char *)&dec);
}

static void test_ds_addr_rdma_then_tcp(void **state)
{
	(void)state;
	const struct layout_ds_addr ds0[] = {{"rdma", "10.0.3.101.78.81"},
					     {"tcp", "10.0.2.101.8.1"}};
	const struct layout_ds_addr *const addrs[] = {ds0};
	const uint32_t naddr[] = {2};
	static const uint8_t want[] = {
		0x00, 0x00, 0x00, 0x01, /* one stripe index */
		0x00, 0x00, 0x00, 0x00, /* = 0 */
		0x00, 0x00, 0x00, 0x01, /* one DS */
		0x00, 0x00, 0x00, 0x02, /* with two addresses, rdma first */
		0x00, 0x00, 0x00, 0x04, 'r', 'd', 'm', 'a',
		0x00, 0x00, 0x00, 0x10, '1', '0', '.', '0', '.', '3', '.', '1', '0', '1', '.',
		'7', '8', '.', '8', '1',
		0x00, 0x00, 0x00, 0x03, 't', 'c', 'p', 0x00,
		0x00, 0x00, 0x00, 0x0e, '1', '0', '.', '0', '.', '2', '.', '1', '0', '1', '.',
		'8', '.', '1', 0x00, 0x00,
	};
	uint8_t got[sizeof(want)];

	assert_int_equal(sizeof(want), 72);
	assert_int_equal(layout_ds_addr_size(1, addrs, naddr), sizeof(want));
	assert_int_equal(encode_ds_exact(sizeof(want), 1, addrs, naddr, got), sizeof(want));
	assert_memory_equal(got, want, sizeof(want));
	assert_int_equal(encode_ds_exact(sizeof(want) - 1, 1, addrs, naddr, NULL), -ENOSPC);
}

static void test_ds_addr_max(void **state)
{
	(void)state;
	static char uaddr[LAYOUT_MAX_DS][32];
	static struct layout_ds_addr one[LAYOUT_MAX_DS][2];
	const struct layout_ds_addr *addrs[LAYOUT_MAX_DS];
	uint32_t naddr[LAYOUT_MAX_DS];
	nfsv4_1_file_layout_ds_addr4 dec;
	size_t size;
	uint8_t *buf;
	XDR x;

	for (uint32_t i = 0; i < LAYOUT_MAX_DS; i++) {
		char ip[32];
		snprintf(ip, sizeof(ip), "10.1.%u.%u", i / 100, i % 100);
		assert_int_equal(layout_uaddr(uaddr[i], sizeof(uaddr[i]), ip, 2049), 0);
		one[i][0] = (struct layout_ds_addr){"tcp", uaddr[i]};
		one[i][1] = (struct layout_ds_addr){"tcp6", "::1.8.1"};
		addrs[i] = one[i];
		naddr[i] = 1 + i % 2;
	}
	size = layout_ds_addr_size(LAYOUT_MAX_DS, addrs, naddr);
	assert_true(size > 0);
	buf = malloc(size);
	assert_non_null(buf);
	assert_int_equal(layout_encode_ds_addr(buf, size, LAYOUT_MAX_DS, addrs, naddr), size);
	assert_int_equal(layout_encode_ds_addr(buf, size - 1, LAYOUT_MAX_DS, addrs, naddr),
			 -ENOSPC);
	assert_int_equal(layout_encode_ds_addr(buf, size, LAYOUT_MAX_DS, addrs, naddr), size);

	memset(&dec, 0, sizeof(dec));
	xdrmem_create(&x, (char *)buf, (u_int)size, XDR_DECODE);
	assert_true(xdr_nfsv4_1_file_layout_ds_addr4(&x, &dec));
	assert_int_equal(xdr_getpos(&x), size);
	xdr_destroy(&x);
	assert_int_equal(dec.nflda_stripe_indices.nflda_stripe_indices_len, LAYOUT_MAX_DS);
	assert_int_equal(dec.nflda_multipath_ds_list.nflda_multipath_ds_list_len, LAYOUT_MAX_DS);
	for (uint32_t i = 0; i < LAYOUT_MAX_DS; i++) {
		multipath_list4 *m = &dec.nflda_multipath_ds_list.nflda_multipath_ds_list_val[i];
		assert_int_equal(dec.nflda_stripe_indices.nflda_stripe_indices_val[i], i);
		assert_int_equal(m->multipath_list4_len, naddr[i]);
		assert_string_equal(m->multipath_list4_val[0].na_r_addr, uaddr[i]);
	}
	xdr_free((xdrproc_t)xdr_nfsv4_1_file_layout_ds_addr4, (char *)&dec);
	free(buf);
}

static void test_ds_addr_invalid(void **state)
{
	(void)state;
	const struct layout_ds_addr ok[] = {{"tcp", "10.0.2.101.8.1"}};
	const struct layout_ds_addr no_netid[] = {{NULL, "10.0.2.101.8.1"}};
	const struct layout_ds_addr no_uaddr[] = {{"tcp", NULL}};
	const struct layout_ds_addr *const addrs[] = {ok, ok};
	const struct layout_ds_addr *const addrs_null[] = {ok, NULL};
	const struct layout_ds_addr *const addrs_nonetid[] = {ok, no_netid};
	const struct layout_ds_addr *const addrs_nouaddr[] = {no_uaddr, ok};
	const uint32_t naddr[] = {1, 1};
	const uint32_t naddr_zero[] = {1, 0};
	static const struct layout_ds_addr *many[LAYOUT_MAX_DS + 1];
	static uint32_t nmany[LAYOUT_MAX_DS + 1];
	uint8_t buf[512];

	for (size_t i = 0; i <= LAYOUT_MAX_DS; i++) {
		many[i] = ok;
		nmany[i] = 1;
	}
	assert_true(layout_encode_ds_addr(buf, sizeof(buf), 2, addrs, naddr) > 0);

	assert_int_equal(layout_encode_ds_addr(buf, sizeof(buf), 0, addrs, naddr), -EINVAL);
	assert_int_equal(layout_encode_ds_addr(buf, sizeof(buf), LAYOUT_MAX_DS + 1, many, nmany),
			 -EINVAL);
	assert_int_equal(layout_encode_ds_addr(buf, sizeof(buf), 2, addrs, naddr_zero), -EINVAL);
	assert_int_equal(layout_encode_ds_addr(buf, sizeof(buf), 2, addrs_null, naddr), -EINVAL);
	assert_int_equal(layout_encode_ds_addr(buf, sizeof(buf), 2, addrs_nonetid, naddr),
			 -EINVAL);
	assert_int_equal(layout_encode_ds_addr(buf, sizeof(buf), 2, addrs_nouaddr, naddr),
			 -EINVAL);
	assert_int_equal(layout_encode_ds_addr(buf, sizeof(buf), 2, NULL, naddr), -EINVAL);
	assert_int_equal(layout_encode_ds_addr(buf, sizeof(buf), 2, addrs, NULL), -EINVAL);
	assert_int_equal(layout_encode_ds_addr(NULL, sizeof(buf), 2, addrs, naddr), -EINVAL);

	/* 256 DSs fit a u8 index; the size function agrees on validity. */
	assert_true(layout_ds_addr_size(LAYOUT_MAX_DS, many, nmany) > 0);
	assert_int_equal(layout_ds_addr_size(LAYOUT_MAX_DS + 1, many, nmany), 0);
	assert_int_equal(layout_ds_addr_size(0, addrs, naddr), 0);
	assert_int_equal(layout_ds_addr_size(2, addrs, naddr_zero), 0);
	assert_int_equal(layout_ds_addr_size(2, addrs_nonetid, naddr), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_geom_check),
		cmocka_unit_test(test_first_index),
		cmocka_unit_test(test_map_model),
		cmocka_unit_test(test_map_far),
		cmocka_unit_test(test_file_offset_inverse),
		cmocka_unit_test(test_obj_size_model),
		cmocka_unit_test(test_obj_size_far),
		cmocka_unit_test(test_size_from_obj),
		cmocka_unit_test(test_uaddr),
		cmocka_unit_test(test_file_layout_two),
		cmocka_unit_test(test_file_layout_one_maxfh),
		cmocka_unit_test(test_file_layout_wide),
		cmocka_unit_test(test_file_layout_invalid),
		cmocka_unit_test(test_ds_addr_two_tcp),
		cmocka_unit_test(test_ds_addr_rdma_then_tcp),
		cmocka_unit_test(test_ds_addr_max),
		cmocka_unit_test(test_ds_addr_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
