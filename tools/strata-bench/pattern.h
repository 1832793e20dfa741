/*
 * tools/strata-bench/pattern.h -- the deterministic data every write
 * workload writes and every read checks.
 *
 * The byte at file offset O of a file with key K is byte (O mod 8),
 * little-endian, of the 64-bit word  K ^ ((O & ~7) * 0x9E3779B97F4A7C15):
 * it depends only on (file, offset), so rewriting a range writes the same
 * bytes, a range read from another offset or another file does not match,
 * and neither do zeros (a hole).  Pure functions, any thread.
 */
#ifndef STRATA_BENCH_PATTERN_H
#define STRATA_BENCH_PATTERN_H

#include <stddef.h>
#include <stdint.h>

/* Key of the file at PATH (relative to the export): FNV-1a, never 0. */
uint64_t pattern_key(const char *path);

void pattern_fill(uint64_t key, uint64_t off, void *buf, size_t len);

/* 0 if BUF holds the pattern for [OFF, OFF+LEN); else -1 with the file
 * offset of the first wrong byte in *BAD and the expected/found bytes. */
int pattern_check(uint64_t key, uint64_t off, const void *buf, size_t len,
		  uint64_t *bad, uint8_t *want, uint8_t *got);

#endif
