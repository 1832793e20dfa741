/*
 * datastore/identity.h — the identity written into a data server's store
 * directory (docs/decisions/0019): which cluster the store belongs to,
 * which data-server slot it serves, its own id, and the id of the store it
 * replaced. A store without this file is new, or was wiped (or is the
 * empty mount point of a disk that is not mounted); the metadata server
 * tells which (pnfs/ds_ident.h).
 *
 * The file is DIR/identity, an INI text (read with inih) that an operator
 * can look at; it is written once, durably (temporary file, fsync, rename,
 * fsync of the directory), when the metadata server assigns the identity.
 *
 * Pure functions on a directory path; any thread; nothing is cached.
 */
#ifndef STRATA_DATASTORE_IDENTITY_H
#define STRATA_DATASTORE_IDENTITY_H

#include <stdint.h>

#define DS_ID_LEN 16
#define DS_IDENTITY_FILE "identity"

struct ds_identity {
	uint8_t cluster[DS_ID_LEN];
	uint32_t slot;
	uint8_t ds[DS_ID_LEN];
	uint8_t replaces[DS_ID_LEN]; /* all zero: replaced nothing */
};

/* 0 and *OUT, -ENOENT when DIR has no identity, -EINVAL when the file is
 * there but malformed, or -errno. */
int ds_identity_read(const char *dir, struct ds_identity *out);
/* Write ID durably into DIR (replacing any). 0 or -errno. */
int ds_identity_write(const char *dir, const struct ds_identity *id);

/* 32 lower-case hex digits + NUL into OUT; and back (0 or -EINVAL). */
void ds_id_hex(const uint8_t id[DS_ID_LEN], char out[2 * DS_ID_LEN + 1]);
int ds_id_parse(const char *hex, uint8_t id[DS_ID_LEN]);
/* 1 when all DS_ID_LEN bytes are zero. */
int ds_id_is_zero(const uint8_t id[DS_ID_LEN]);
/* Fresh random id (getrandom). 0 or -EIO. */
int ds_id_random(uint8_t id[DS_ID_LEN]);

#endif
