/* nfsd/tier_queue.c — see tier_queue.h. */
#include "tier_queue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ns.h"

#define TQ_MIN_CAP 64 /* slots; the table grows at half full */

/* A file's entry: requests queued per step, a recall running, steps of
 * any kind running. An entry with every count 0 is a free slot. */
struct tier_queue_slot {
	uint64_t fileid;
	uint32_t queued[TIER_REQ_NOPS];
	uint32_t running; /* recalls */
	uint32_t busy;    /* steps of any kind */
	uint32_t urgent;  /* queued recalls a reader waits for */
};

static int slot_used(const struct tier_queue_slot *s)
{
	return s->queued[0] || s->queued[1] || s->queued[2] || s->running ||
	       s->busy;
}

static size_t slot_of(const struct tier_queue *q, uint64_t fileid)
{
	return (size_t)ns_fileid_mix(fileid) & (q->cap - 1);
}

/* FILEID's slot, or NULL. */
static struct tier_queue_slot *find(const struct tier_queue *q,
				    uint64_t fileid)
{
	if (!q->slots)
		return NULL;
	for (size_t i = slot_of(q, fileid);; i = (i + 1) & (q->cap - 1)) {
		struct tier_queue_slot *s = &q->slots[i];

		if (!slot_used(s))
			return NULL;
		if (s->fileid == fileid)
			return s;
	}
}

/* Put E (not in the table, which has room) into the table. */
static struct tier_queue_slot *place(struct tier_queue *q,
				     const struct tier_queue_slot *e)
{
	size_t i = slot_of(q, e->fileid);

	while (slot_used(&q->slots[i]))
		i = (i + 1) & (q->cap - 1);
	q->slots[i] = *e;
	return &q->slots[i];
}

static int resize(struct tier_queue *q, size_t cap)
{
	struct tier_queue_slot *old = q->slots;
	size_t ocap = q->cap;

	q->slots = calloc(cap, sizeof(*q->slots));
	if (!q->slots) {
		q->slots = old;
		return -ENOMEM;
	}
	q->cap = cap;
	for (size_t i = 0; i < ocap; i++)
		if (slot_used(&old[i]))
			place(q, &old[i]);
	free(old);
	return 0;
}

/* FILEID's slot, made if missing: NULL without memory. */
static struct tier_queue_slot *get(struct tier_queue *q, uint64_t fileid)
{
	struct tier_queue_slot *s = find(q, fileid);
	struct tier_queue_slot e = { .fileid = fileid };

	if (s)
		return s;
	if (!q->slots || (q->used + 1) * 2 > q->cap) {
		if (resize(q, q->cap ? q->cap * 2 : TQ_MIN_CAP) < 0)
			return NULL;
	}
	q->used++;
	return place(q, &e); /* all counts 0: the caller sets one */
}

/* S has become free: close the gap (backward shift, no tombstones), and
 * give an emptied table's memory back. */
static void drop(struct tier_queue *q, struct tier_queue_slot *s)
{
	size_t mask = q->cap - 1, hole = (size_t)(s - q->slots);

	q->used--;
	if (q->used == 0 && q->cap > TQ_MIN_CAP) {
		free(q->slots);
		q->slots = NULL;
		q->cap = 0;
		return;
	}
	memset(&q->slots[hole], 0, sizeof(*s));
	for (size_t i = (hole + 1) & mask; slot_used(&q->slots[i]);
	     i = (i + 1) & mask) {
		size_t home = slot_of(q, q->slots[i].fileid);

		/* I may move to HOLE if HOLE lies on its probe path, i.e.
		 * cyclically in [home, i). */
		if (((i - home) & mask) >= ((i - hole) & mask)) {
			q->slots[hole] = q->slots[i];
			memset(&q->slots[i], 0, sizeof(q->slots[i]));
			hole = i;
		}
	}
}

void tier_queue_init(struct tier_queue *q)
{
	memset(q, 0, sizeof(*q));
}

void tier_queue_fini(struct tier_queue *q)
{
	free(q->slots);
	memset(q, 0, sizeof(*q));
}

int tier_queue_wanted(const struct tier_queue *q, uint64_t fileid,
		      enum tier_req_op op)
{
	const struct tier_queue_slot *s = find(q, fileid);

	if (!s)
		return 0;
	return s->queued[op - 1] != 0 ||
	       (op == TIER_REQ_RECALL && s->running != 0);
}

/* A new request for (FILEID, OP), counted queued in its file's slot
 * (*SP) and in the FIFO's length; not linked yet. NULL without memory. */
static struct tier_req *new_req(struct tier_queue *q, uint64_t fileid,
				enum tier_req_op op,
				struct tier_queue_slot **sp)
{
	struct tier_req *r = calloc(1, sizeof(*r));
	struct tier_queue_slot *s = r ? get(q, fileid) : NULL;

	if (!s) {
		free(r);
		return NULL;
	}
	s->queued[op - 1]++;
	r->fileid = fileid;
	r->op = op;
	q->len++;
	*sp = s;
	return r;
}

int tier_queue_add(struct tier_queue *q, uint64_t fileid,
		   enum tier_req_op op, struct tier_wait *waiter,
		   struct tier_req **out)
{
	struct tier_queue_slot *s;
	struct tier_req *r;

	if (op < TIER_REQ_OFFLOAD || op > TIER_REQ_RECALL)
		return -EINVAL;
	if (!waiter && tier_queue_wanted(q, fileid, op))
		return 0;
	r = new_req(q, fileid, op, &s);
	if (!r)
		return -ENOMEM;
	r->waiter = waiter;
	if (q->tail)
		q->tail->next = r;
	else
		q->head = r;
	q->tail = r;
	if (out)
		*out = r;
	return 1;
}

/* Take R (after PREV, NULL for the head) out of the list alone. */
static void detach(struct tier_queue *q, struct tier_req *prev,
		   struct tier_req *r)
{
	if (prev)
		prev->next = r->next;
	else
		q->head = r->next;
	if (q->tail == r)
		q->tail = prev;
	if (q->urgent_tail == r) /* urgent ones are a prefix: PREV is one */
		q->urgent_tail = prev;
	r->next = NULL;
}

/* Put R (in no list) behind the urgent requests, ahead of the rest. */
static void insert_urgent(struct tier_queue *q, struct tier_req *r)
{
	struct tier_req **at = q->urgent_tail ? &q->urgent_tail->next
					      : &q->head;

	r->urgent = 1;
	r->next = *at;
	*at = r;
	if (!r->next)
		q->tail = r;
	q->urgent_tail = r;
}

/* Take R (after PREV, NULL for the head) off the FIFO: a step of its
 * file is running from now until tier_queue_done(). */
static struct tier_req *unlink_req(struct tier_queue *q, struct tier_req *prev,
				   struct tier_req *r)
{
	struct tier_queue_slot *s;

	detach(q, prev, r);
	q->len--;
	s = find(q, r->fileid);
	if (s) { /* always: added with the request */
		s->queued[r->op - 1]--;
		s->urgent -= r->urgent && s->urgent;
		s->busy++;
		if (r->op == TIER_REQ_RECALL)
			s->running++;
	}
	return r;
}

/* Move FILEID's queued recall (not urgent) up: 1, or 0 if none. */
static int promote(struct tier_queue *q, uint64_t fileid)
{
	struct tier_req *prev = q->urgent_tail;
	struct tier_req *r = prev ? prev->next : q->head;

	for (; r; prev = r, r = r->next) {
		if (r->fileid == fileid && r->op == TIER_REQ_RECALL) {
			detach(q, prev, r);
			insert_urgent(q, r);
			return 1;
		}
	}
	return 0;
}

int tier_queue_add_urgent(struct tier_queue *q, uint64_t fileid)
{
	struct tier_queue_slot *s = find(q, fileid);
	struct tier_req *r;

	if (s && (s->running || s->urgent))
		return 0;
	if (s && s->queued[TIER_REQ_RECALL - 1] && promote(q, fileid)) {
		s->urgent++;
		return 1;
	}
	r = new_req(q, fileid, TIER_REQ_RECALL, &s);
	if (!r)
		return -ENOMEM;
	s->urgent++;
	insert_urgent(q, r);
	return 1;
}

struct tier_req *tier_queue_pop(struct tier_queue *q)
{
	return q->head ? unlink_req(q, NULL, q->head) : NULL;
}

struct tier_req *tier_queue_pop_idle(struct tier_queue *q)
{
	struct tier_req *prev = NULL;

	for (struct tier_req *r = q->head; r; prev = r, r = r->next) {
		const struct tier_queue_slot *s = find(q, r->fileid);

		if (!s || !s->busy)
			return unlink_req(q, prev, r);
	}
	return NULL;
}

void tier_queue_done(struct tier_queue *q, const struct tier_req *r)
{
	struct tier_queue_slot *s = find(q, r->fileid);

	if (!s || !s->busy)
		return;
	s->busy--;
	if (r->op == TIER_REQ_RECALL && s->running)
		s->running--;
	if (!slot_used(s))
		drop(q, s);
}
