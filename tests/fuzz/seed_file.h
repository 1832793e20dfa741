/*
 * tests/fuzz/seed_file.h — how the seed writers (seed_writer.c,
 * seed_rpcrdma.c) store one seed: DIR/PREFIX-NN-NAME.bin; exits 1 with
 * the reason if the file cannot be written.
 */
#ifndef STRATA_FUZZ_SEED_FILE_H
#define STRATA_FUZZ_SEED_FILE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void seed_file_write(const char *dir, const char *prefix,
				   unsigned n, const char *name,
				   const uint8_t *b, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s-%02u-%s.bin", dir, prefix, n,
		 name);
	f = fopen(path, "wb");
	if (!f || fwrite(b, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
}

#endif
