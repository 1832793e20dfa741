/*
 * tools/strata-bench/pattern.c -- data pattern.  See pattern.h.
 */
#include "pattern.h"

#include <string.h>

#define GOLDEN 0x9E3779B97F4A7C15ull

uint64_t pattern_key(const char *path)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ull;
	}
	return h ? h : 1;
}

static uint64_t word_at(uint64_t key, uint64_t aligned_off)
{
	return key ^ (aligned_off * GOLDEN);
}

static uint8_t byte_at(uint64_t key, uint64_t off)
{
	return (uint8_t)(word_at(key, off & ~7ull) >> (8 * (off & 7)));
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void pattern_fill(uint64_t key, uint64_t off, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0 && (off & 7)) {
		*p++ = byte_at(key, off++);
		len--;
	}
	for (; len >= 8; len -= 8, off += 8, p += 8)
		put_le64(p, word_at(key, off));
	while (len > 0) {
		*p++ = byte_at(key, off++);
		len--;
	}
}

int pattern_check(uint64_t key, uint64_t off, const void *buf, size_t len,
		  uint64_t *bad, uint8_t *want, uint8_t *got)
{
	const uint8_t *p = buf;
	size_t i = 0;

	/* Word-wise fast path over the aligned middle. */
	while (i < len && ((off + i) & 7)) {
		if (p[i] != byte_at(key, off + i))
			goto mismatch;
		i++;
	}
	for (; i + 8 <= len; i += 8) {
		uint8_t w[8];
		put_le64(w, word_at(key, off + i));
		if (memcmp(w, p + i, 8) != 0)
			break;
	}
	for (; i < len; i++)
		if (p[i] != byte_at(key, off + i))
			goto mismatch;
	return 0;
mismatch:
	*bad = off + i;
	*want = byte_at(key, off + i);
	*got = p[i];
	return -1;
}
