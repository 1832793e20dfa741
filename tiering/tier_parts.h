/*
 * tiering/tier_parts.h — which parts of a recall in progress are back on
 * the data servers, in memory only (issue 16 "recall by parts",
 * docs/decisions/0035-recall-by-parts.md).
 *
 * A recall (tier_recall(), tier_job.h) copies the object into a new data
 * generation part by part (a part is the engine's chunk: one ranged GET,
 * one write). While it runs, the recall is published here under its
 * fileid with its generation, the object's size and a bitmap of the
 * parts written; a READ through the metadata server of a range whose
 * parts are in is served from that generation (tier_recall_read(),
 * tier_recall.h), and a READ of a part not in yet asks for it, which
 * moves it to the front of the recall's fetch order. Nothing here is
 * durable: after a crash the recall's job is given up (tier_recover())
 * and its partial copy freed like any other; the file stays OFFLOADED
 * and a new recall starts over. Nothing but this map ever makes a
 * partial copy readable, and only while its recall runs: the recall
 * takes itself out (waiting for readers that hold a reference) before it
 * gives up its job, and after its commit (the copy is then the file's).
 *
 * The fetch order: parts asked for by readers first, oldest ask first
 * (at most TIER_PARTS_ASKED of them remembered: a reader asks again on
 * every retry), then on from the part after the last one fetched,
 * wrapping round to the start, so a reader's part is followed by the
 * parts after it (it reads on) and nothing is fetched twice.
 *
 * Memory: one record per recall running (at most the worker pool's
 * thread count), each nparts / 8 bytes of bitmap: 32 KiB for 1 TiB in
 * 4 MiB parts.
 *
 * Threads: one mutex per table (struct tier_parts) protects every record
 * in it; it is held only for lookups and bit flips, never across I/O, so
 * the COMPOUND executor (tier_parts_want() / tier_parts_put()) never
 * waits on the object store or the data servers behind it. The recall's
 * own calls (begin, next, in, end) come from the tier thread running it;
 * end waits on the table's condition variable for readers to let go (a
 * reader holds a record across one data-server read).
 * Ownership: the table is the tier worker's (created at its start, freed
 * after its threads and the executor are gone); a record is the
 * table's, from begin to end.
 */
#ifndef STRATA_TIER_PARTS_H
#define STRATA_TIER_PARTS_H

#include <stddef.h>
#include <stdint.h>

#define TIER_PARTS_ASKED 64 /* parts asked for remembered per recall */

struct tier_parts;
struct tier_parts_rec;

/* Counts since the table was made (tier_parts_counts). */
struct tier_parts_counts {
	uint64_t reads_served; /* reads answered from recalled parts */
	uint64_t reads_waited; /* reads told to wait for their part */
	uint64_t parts_asked;  /* parts moved to the front by a reader */
};

int tier_parts_new(struct tier_parts **out);
/* No record may be left (every recall ended). NULL is a no-op. */
void tier_parts_free(struct tier_parts *p);
void tier_parts_counts(struct tier_parts *p, struct tier_parts_counts *out);

/* ---- the recall's side (its tier thread) ------------------------------- */

/* Publish FILEID's recall into copy DATA_GEN of an object of SIZE bytes
 * in parts of PART bytes (> 0), no part in yet. -EBUSY if one is
 * published for FILEID already, -ENOMEM, -EINVAL. */
int tier_parts_begin(struct tier_parts *p, uint64_t fileid,
		     uint64_t data_gen, uint64_t size, uint64_t part,
		     struct tier_parts_rec **out);
/* The next part to fetch (above), or -1 when every part is in. */
int64_t tier_parts_next(struct tier_parts *p, struct tier_parts_rec *r);
/* Part IDX is written to the copy: readers may read it from now on. */
void tier_parts_in(struct tier_parts *p, struct tier_parts_rec *r,
		   uint64_t idx);
/* Take R out: no reader finds it from now on; returns once no reader
 * holds it, and frees it. */
void tier_parts_end(struct tier_parts *p, struct tier_parts_rec *r);

/* ---- readers (the COMPOUND executor) ----------------------------------- */

enum tier_parts_answer {
	TIER_PARTS_NONE = 0, /* no recall of the file is running */
	TIER_PARTS_WAIT = 1, /* the first byte's part is not in: asked for */
	TIER_PARTS_IN = 2,   /* readable now: *REF held, tier_parts_put() */
};

/* A read of LEN bytes of FILEID at OFF (the caller clamped it to the
 * file's size; LEN 0 counts as in). IN: *DATA_GEN names the copy and
 * *AVAIL (1..LEN, or 0 for LEN 0) the bytes from OFF whose parts are
 * all in; the first part of the range not in, if any, is asked for (the
 * reader comes back for it). WAIT: every part of the range not in is
 * asked for, the first byte's first. */
enum tier_parts_answer tier_parts_want(struct tier_parts *p, uint64_t fileid,
				       uint64_t off, uint64_t len,
				       uint64_t *data_gen, uint64_t *avail,
				       struct tier_parts_rec **ref);
/* The reader is done with REF (from an IN answer). SERVED: it answered
 * the client from it (counted). */
void tier_parts_put(struct tier_parts *p, struct tier_parts_rec *ref,
		    int served);

#endif
