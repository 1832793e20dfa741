/* tiering/tier_parts.c — see tier_parts.h. */
#include "tier_parts.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct tier_parts_rec {
	struct tier_parts_rec *next;
	uint64_t fileid, data_gen, size, part, nparts;
	uint64_t nin;    /* parts in */
	uint8_t *in;     /* bitmap: part written */
	uint8_t *asked;  /* bitmap: part in the asked ring */
	uint64_t ring[TIER_PARTS_ASKED]; /* parts asked for, oldest first */
	unsigned ring_head, ring_len;
	uint64_t cursor; /* the part after the last one fetched */
	unsigned readers;
	int gone;        /* taken out: no new reader */
};

struct tier_parts {
	pthread_mutex_t lock; /* every record, the counts */
	pthread_cond_t cond;  /* a reader let go */
	struct tier_parts_rec *head;
	struct tier_parts_counts counts;
};

static int bit(const uint8_t *m, uint64_t i)
{
	return (m[i / 8] >> (i % 8)) & 1;
}

static void bit_set(uint8_t *m, uint64_t i)
{
	m[i / 8] = (uint8_t)(m[i / 8] | (1u << (i % 8)));
}

static void bit_clear(uint8_t *m, uint64_t i)
{
	m[i / 8] = (uint8_t)(m[i / 8] & ~(1u << (i % 8)));
}

int tier_parts_new(struct tier_parts **out)
{
	struct tier_parts *p = calloc(1, sizeof *p);

	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	*out = p;
	return 0;
}

void tier_parts_free(struct tier_parts *p)
{
	if (!p)
		return;
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void tier_parts_counts(struct tier_parts *p, struct tier_parts_counts *out)
{
	pthread_mutex_lock(&p->lock);
	*out = p->counts;
	pthread_mutex_unlock(&p->lock);
}

/* Under p->lock. */
static struct tier_parts_rec *find(struct tier_parts *p, uint64_t fileid)
{
	for (struct tier_parts_rec *r = p->head; r; r = r->next)
		if (r->fileid == fileid && !r->gone)
			return r;
	return NULL;
}

int tier_parts_begin(struct tier_parts *p, uint64_t fileid,
		     uint64_t data_gen, uint64_t size, uint64_t part,
		     struct tier_parts_rec **out)
{
	struct tier_parts_rec *r;
	uint64_t n;

	if (part == 0)
		return -EINVAL;
	n = size / part + (size % part != 0);
	r = calloc(1, sizeof *r);
	if (!r)
		return -ENOMEM;
	r->in = calloc(n / 8 + 1, 1);
	r->asked = calloc(n / 8 + 1, 1);
	if (!r->in || !r->asked) {
		free(r->in);
		free(r->asked);
		free(r);
		return -ENOMEM;
	}
	*r = (struct tier_parts_rec){ .fileid = fileid, .data_gen = data_gen,
				      .size = size, .part = part, .nparts = n,
				      .in = r->in, .asked = r->asked };
	pthread_mutex_lock(&p->lock);
	if (find(p, fileid)) {
		pthread_mutex_unlock(&p->lock);
		free(r->in);
		free(r->asked);
		free(r);
		return -EBUSY;
	}
	r->next = p->head;
	p->head = r;
	pthread_mutex_unlock(&p->lock);
	*out = r;
	return 0;
}

/* The oldest part asked for and not in yet, taken off the ring; -1 if
 * none. Under p->lock. */
static int64_t ring_take(struct tier_parts_rec *r)
{
	while (r->ring_len) {
		uint64_t idx = r->ring[r->ring_head];

		r->ring_head = (r->ring_head + 1) % TIER_PARTS_ASKED;
		r->ring_len--;
		bit_clear(r->asked, idx);
		if (!bit(r->in, idx))
			return (int64_t)idx;
	}
	return -1;
}

int64_t tier_parts_next(struct tier_parts *p, struct tier_parts_rec *r)
{
	int64_t idx = -1;

	pthread_mutex_lock(&p->lock);
	if (r->nin < r->nparts) {
		idx = ring_take(r);
		/* else on from the cursor, round to the start */
		for (uint64_t k = 0; idx < 0 && k < r->nparts; k++) {
			uint64_t i = (r->cursor + k) % r->nparts;

			if (!bit(r->in, i))
				idx = (int64_t)i;
		}
		r->cursor = (uint64_t)idx + 1;
	}
	pthread_mutex_unlock(&p->lock);
	return idx;
}

void tier_parts_in(struct tier_parts *p, struct tier_parts_rec *r,
		   uint64_t idx)
{
	pthread_mutex_lock(&p->lock);
	if (idx < r->nparts && !bit(r->in, idx)) {
		bit_set(r->in, idx);
		r->nin++;
	}
	pthread_mutex_unlock(&p->lock);
}

void tier_parts_end(struct tier_parts *p, struct tier_parts_rec *r)
{
	struct tier_parts_rec **pp;

	pthread_mutex_lock(&p->lock);
	r->gone = 1;
	while (r->readers)
		pthread_cond_wait(&p->cond, &p->lock);
	for (pp = &p->head; *pp && *pp != r; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = r->next;
	pthread_mutex_unlock(&p->lock);
	free(r->in);
	free(r->asked);
	free(r);
}

/* Put part IDX (not in) at the ring's end unless it is there. Under
 * p->lock. */
static void ask(struct tier_parts *p, struct tier_parts_rec *r, uint64_t idx)
{
	if (bit(r->asked, idx) || bit(r->in, idx))
		return;
	if (r->ring_len == TIER_PARTS_ASKED) { /* forget the oldest ask */
		bit_clear(r->asked, r->ring[r->ring_head]);
		r->ring_head = (r->ring_head + 1) % TIER_PARTS_ASKED;
		r->ring_len--;
	}
	r->ring[(r->ring_head + r->ring_len) % TIER_PARTS_ASKED] = idx;
	r->ring_len++;
	bit_set(r->asked, idx);
	p->counts.parts_asked++;
}

enum tier_parts_answer tier_parts_want(struct tier_parts *p, uint64_t fileid,
				       uint64_t off, uint64_t len,
				       uint64_t *data_gen, uint64_t *avail,
				       struct tier_parts_rec **ref)
{
	struct tier_parts_rec *r;
	uint64_t first, last, i, end;

	pthread_mutex_lock(&p->lock);
	r = find(p, fileid);
	if (!r) {
		pthread_mutex_unlock(&p->lock);
		return TIER_PARTS_NONE;
	}
	if (len == 0 || off >= r->size) {
		*avail = 0;
	} else {
		end = r->size - off < len ? r->size : off + len;
		first = off / r->part;
		last = (end - 1) / r->part;
		for (i = first; i <= last && bit(r->in, i); i++)
			;
		if (i == first) { /* the first byte's part is not in */
			for (; i <= last; i++)
				ask(p, r, i);
			p->counts.reads_waited++;
			pthread_mutex_unlock(&p->lock);
			return TIER_PARTS_WAIT;
		}
		if (i <= last) /* the rest: the reader comes back for it */
			ask(p, r, i);
		*avail = (i > last ? end : i * r->part) - off;
	}
	*data_gen = r->data_gen;
	r->readers++;
	*ref = r;
	pthread_mutex_unlock(&p->lock);
	return TIER_PARTS_IN;
}

void tier_parts_put(struct tier_parts *p, struct tier_parts_rec *ref,
		    int served)
{
	pthread_mutex_lock(&p->lock);
	ref->readers--;
	p->counts.reads_served += served != 0;
	if (ref->readers == 0 && ref->gone)
		pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}
