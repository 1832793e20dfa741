/*
 * tiering/tier_key.h — the tier's object names and how a large object is
 * cut into parts (docs/decisions/0025-tier-backends.md).
 *
 * Canonical key of one data version of one file:
 *
 *     <prefix>/v1/<hh>/<fileid>-<gen>-<ver>
 *
 *   prefix  the configured prefix (tier_key_ok() segments), e.g. "strata"
 *   v1      the scheme's version
 *   hh      2 lowercase hex digits, a hash of the fileid: spreads keys
 *           over 256 sub-prefixes (S3 partitions its index by prefix)
 *   fileid  16 lowercase hex digits
 *   gen     8 lowercase hex digits, the inode's generation
 *   ver     16 lowercase hex digits, the data version (a new one for each
 *           offload of changed data: keys are never reused, objects
 *           never overwritten)
 *
 * Hex and '-' only below the prefix, so the SigV4 canonical path is the
 * key itself in every curl version. A key under <prefix>/v1/ that does not
 * parse back to the same text is not the tier's (tier_key_parse()).
 */
#ifndef STRATA_TIER_KEY_H
#define STRATA_TIER_KEY_H

#include <stddef.h>
#include <stdint.h>

struct tier_key {
	uint64_t fileid;
	uint32_t gen;
	uint64_t ver;
};

/* Write the canonical key into BUF (LEN bytes); its length, or -EINVAL for
 * a bad prefix, -ENAMETOOLONG when BUF is too small. */
int tier_key_format(char *buf, size_t len, const char *prefix,
		    const struct tier_key *k);
/* Parse KEY made under PREFIX; 0 and *K, or -EINVAL unless KEY is exactly
 * the canonical form (case, widths, the hash directory). */
int tier_key_parse(const char *key, const char *prefix, struct tier_key *k);
/* The <hh> directory of FILEID. */
unsigned tier_key_hash(uint64_t fileid);

/* S3's multipart limits. */
#define TIER_PART_MIN (5ull << 20)	/* every part but the last */
#define TIER_PART_MAX (5ull << 30)
#define TIER_PARTS_MAX 10000u
#define TIER_OBJECT_MAX (5ull << 40)

struct tier_part_plan {
	int multipart;	    /* 0: one PUT of the whole object */
	uint64_t part_size; /* every part but the last */
	unsigned nparts;    /* 1 for a single PUT */
	uint64_t last_size; /* the last part (== size for a single PUT) */
};

/* Plan the upload of SIZE bytes: a single PUT up to THRESHOLD, else parts
 * of TARGET bytes, raised to TIER_PART_MIN, and raised (to a whole MiB) so
 * that there are at most TIER_PARTS_MAX. 0, or -EFBIG beyond
 * TIER_OBJECT_MAX, -EINVAL for a zero TARGET. */
int tier_part_plan(uint64_t size, uint64_t threshold, uint64_t target,
		   struct tier_part_plan *p);

#endif
