/*
 * metadata/ns_tier_rec.h — private to metadata/: the keys and values of the
 * object tier's records in the per-shard database "tier" (formats in
 * ns_tier.c), shared by ns_tier.c (the steps) and ns_tier_read.c (the
 * lists). Pure functions.
 */
#ifndef STRATA_METADATA_NS_TIER_REC_H
#define STRATA_METADATA_NS_TIER_REC_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "ns_tier.h"

#define NS_TIER_KEY_MAX 21

/* KIND ('J' job, 'O' object) || fileid: the key's length. */
size_t ns_tier_key_file(uint8_t *k, char kind, uint64_t fileid);
/* 'D' || fileid || gen || ver; 'R' || fileid || data_gen. */
size_t ns_tier_key_del(uint8_t *k, const struct ns_tier_obj *o);
size_t ns_tier_key_rel(uint8_t *k, const struct ns_tier_rel *r);
/* Decoders: 0, or -EIO for a record of another length or format. */
int ns_tier_key_del_decode(const MDB_val *k, struct ns_tier_obj *o);
int ns_tier_job_decode(uint64_t fileid, const MDB_val *val,
		       struct ns_tier_job *j);
int ns_tier_obj_decode(uint64_t fileid, const MDB_val *val,
		       struct ns_tier_obj *o);

#endif
