/*
 * layout/stripe.c -- stripe geometry, per-file rotation and the dense
 * offset math of RFC 8881 section 13.4 (see layout.h for the contract).
 *
 * Vocabulary: N = stripe_count, SUN = stripe unit number of a file offset
 * (off / unit), "position" k of object j = how many stripe units into a
 * stripe row (of N units) object j's unit sits: k = (j - first) mod N, so
 * SUN = row * N + k and j = (SUN + first) mod N.
 */
#include "layout.h"

#include <errno.h>

int layout_geom_check(const struct layout_geom *g)
{
	if (g == NULL)
		return -EINVAL;
	if (g->stripe_unit == 0 || g->stripe_unit % LAYOUT_MIN_UNIT != 0)
		return -EINVAL;
	if (g->stripe_count == 0 || g->stripe_count > LAYOUT_MAX_DS)
		return -EINVAL;
	if (g->first_index >= g->stripe_count)
		return -EINVAL;
	return 0;
}

/* splitmix64's finalizer: every input bit affects every output bit, so
 * fileids that differ only in their shard bits or low counter bits land on
 * unrelated stripe indices. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

uint32_t layout_first_index(uint64_t fileid, uint32_t stripe_count)
{
	if (stripe_count <= 1)
		return 0;
	return (uint32_t)(mix64(fileid) % stripe_count);
}

/* Bytes in one stripe row: N stripe units, one per object. */
static uint64_t row_width(const struct layout_geom *g)
{
	return (uint64_t)g->stripe_unit * g->stripe_count;
}

/* Position of object INDEX within a stripe row. */
static uint32_t obj_position(const struct layout_geom *g, uint32_t index)
{
	return (index + g->stripe_count - g->first_index) % g->stripe_count;
}

void layout_map(const struct layout_geom *g, uint64_t off, uint32_t *index, uint64_t *obj_off,
		uint32_t *run)
{
	uint64_t unit = g->stripe_unit;
	uint64_t sun = off / unit;
	uint64_t rem = off % unit;

	*index = (uint32_t)((sun + g->first_index) % g->stripe_count);
	*obj_off = (off / row_width(g)) * unit + rem;
	*run = (uint32_t)(unit - rem);
}

uint64_t layout_file_offset(const struct layout_geom *g, uint32_t index, uint64_t obj_off)
{
	uint64_t unit = g->stripe_unit;
	uint64_t row = obj_off / unit;
	uint64_t rem = obj_off % unit;
	uint64_t sun = row * g->stripe_count + obj_position(g, index);

	return sun * unit + rem;
}

uint64_t layout_obj_size(const struct layout_geom *g, uint32_t index, uint64_t size)
{
	uint64_t unit = g->stripe_unit;
	uint64_t full_rows = size / row_width(g);
	uint64_t tail = size % row_width(g);
	uint64_t start = (uint64_t)obj_position(g, index) * unit;
	uint64_t in_tail = 0;

	if (tail > start)
		in_tail = tail - start < unit ? tail - start : unit;
	return full_rows * unit + in_tail;
}

uint64_t layout_size_from_obj(const struct layout_geom *g, uint32_t index, uint64_t obj_size)
{
	if (obj_size == 0)
		return 0;
	return layout_file_offset(g, index, obj_size - 1) + 1;
}
