/*
 * tiering/tier_key.c — canonical object keys and part sizing (tier_key.h).
 */
#include "tier_key.h"
#include "tier_backend.h"
#include "ns.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

unsigned tier_key_hash(uint64_t fileid)
{
	return (unsigned)(ns_fileid_mix(fileid) & 0xff);
}

int tier_key_format(char *buf, size_t len, const char *prefix,
		    const struct tier_key *k)
{
	int n;

	if (!tier_key_ok(prefix, 0))
		return -EINVAL;
	n = snprintf(buf, len, "%s/v1/%02x/%016llx-%08x-%016llx", prefix,
		     tier_key_hash(k->fileid), (unsigned long long)k->fileid,
		     (unsigned)k->gen, (unsigned long long)k->ver);
	if (n < 0 || (size_t)n >= len || n > TIER_KEY_MAX)
		return -ENAMETOOLONG;
	return n;
}

/* WIDTH lowercase hex digits at S into *V; 0 or -EINVAL. */
static int hex_field(const char *s, int width, uint64_t *v)
{
	*v = 0;
	for (int i = 0; i < width; i++) {
		char c = s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else
			return -EINVAL;
		*v = (*v << 4) | d;
	}
	return 0;
}

int tier_key_parse(const char *key, const char *prefix, struct tier_key *k)
{
	size_t pl = strlen(prefix);
	uint64_t hh, fileid, gen, ver;
	const char *s;

	/* "<prefix>/v1/" "hh/" "16-8-16" */
	if (strncmp(key, prefix, pl) != 0 || strncmp(key + pl, "/v1/", 4) != 0)
		return -EINVAL;
	s = key + pl + 4;
	if (strlen(s) != 2 + 1 + 16 + 1 + 8 + 1 + 16 || s[2] != '/' ||
	    s[19] != '-' || s[28] != '-')
		return -EINVAL;
	if (hex_field(s, 2, &hh) || hex_field(s + 3, 16, &fileid) ||
	    hex_field(s + 20, 8, &gen) || hex_field(s + 29, 16, &ver))
		return -EINVAL;
	if (hh != tier_key_hash(fileid))
		return -EINVAL;
	k->fileid = fileid;
	k->gen = (uint32_t)gen;
	k->ver = ver;
	return 0;
}

int tier_part_plan(uint64_t size, uint64_t threshold, uint64_t target,
		   struct tier_part_plan *p)
{
	uint64_t ps, n;

	memset(p, 0, sizeof(*p));
	if (target == 0)
		return -EINVAL;
	if (size > TIER_OBJECT_MAX)
		return -EFBIG;
	if (size <= threshold && size <= TIER_PART_MAX) {
		p->nparts = 1;
		p->part_size = size;
		p->last_size = size;
		return 0;
	}
	ps = target < TIER_PART_MIN ? TIER_PART_MIN : target;
	if (ps > TIER_PART_MAX)
		ps = TIER_PART_MAX;
	if ((size + ps - 1) / ps > TIER_PARTS_MAX) {
		uint64_t mib = 1ull << 20;
		ps = (size + TIER_PARTS_MAX - 1) / TIER_PARTS_MAX;
		ps = (ps + mib - 1) / mib * mib;
	}
	n = (size + ps - 1) / ps;
	if (n == 0)
		n = 1;
	p->multipart = n > 1;
	p->part_size = ps;
	p->nparts = (unsigned)n;
	p->last_size = size - (n - 1) * ps;
	if (!p->multipart) /* one part: just PUT it */
		p->part_size = size;
	return 0;
}
