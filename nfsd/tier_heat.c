/* nfsd/tier_heat.c — see tier_heat.h. An open-addressing table (linear
 * probing, fileid 0 = empty: no file has fileid 0), rebuilt when full. */
#include "tier_heat.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ns.h"

struct heat_slot {
	uint64_t fileid;
	int64_t t;
};

struct tier_heat {
	pthread_mutex_t lock;
	struct heat_slot *v; /* size slots, a power of two */
	size_t size, n, cap;
	int64_t floor;
};

static size_t slot_of(const struct tier_heat *h, uint64_t fileid)
{
	return (size_t)ns_fileid_mix(fileid) & (h->size - 1);
}

static struct heat_slot *find(struct tier_heat *h, uint64_t fileid)
{
	size_t i = slot_of(h, fileid);

	while (h->v[i].fileid && h->v[i].fileid != fileid)
		i = (i + 1) & (h->size - 1);
	return &h->v[i];
}

struct tier_heat *tier_heat_new(int64_t start, size_t cap)
{
	struct tier_heat *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->cap = cap ? cap : (size_t)1 << 20;
	h->size = 1024; /* doubled while more than half full */
	h->v = calloc(h->size, sizeof(*h->v));
	if (!h->v) {
		free(h);
		return NULL;
	}
	h->floor = start;
	pthread_mutex_init(&h->lock, NULL);
	return h;
}

void tier_heat_free(struct tier_heat *h)
{
	if (!h)
		return;
	pthread_mutex_destroy(&h->lock);
	free(h->v);
	free(h);
}

static int cmp_t(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Rebuild into SIZE slots, keeping entries newer than CUTOFF. -1: no
 * memory (the table is unchanged). */
static int rebuild(struct tier_heat *h, size_t size, int64_t cutoff)
{
	struct heat_slot *old = h->v, *nv = calloc(size, sizeof(*nv));
	size_t osize = h->size;

	if (!nv)
		return -1;
	h->v = nv;
	h->size = size;
	h->n = 0;
	for (size_t i = 0; i < osize; i++) {
		if (!old[i].fileid || old[i].t <= cutoff)
			continue;
		*find(h, old[i].fileid) = old[i];
		h->n++;
	}
	free(old);
	return 0;
}

/* Full: forget the older half; the floor rises to the newest forgotten. */
static void forget_older_half(struct tier_heat *h)
{
	int64_t *t = malloc(h->n * sizeof(*t)), cutoff;
	size_t k = 0;

	if (!t)
		return;
	for (size_t i = 0; i < h->size; i++)
		if (h->v[i].fileid)
			t[k++] = h->v[i].t;
	qsort(t, k, sizeof(*t), cmp_t);
	cutoff = t[k / 2];
	free(t);
	if (rebuild(h, h->size, cutoff) == 0 && cutoff > h->floor)
		h->floor = cutoff;
}

void tier_heat_touch(struct tier_heat *h, uint64_t fileid, int64_t now)
{
	struct heat_slot *s;

	if (!fileid)
		return;
	pthread_mutex_lock(&h->lock);
	if (h->n >= h->cap)
		forget_older_half(h);
	if (2 * (h->n + 1) > h->size)
		rebuild(h, 2 * h->size, INT64_MIN);
	if (2 * (h->n + 1) <= h->size) {
		s = find(h, fileid);
		if (!s->fileid) {
			s->fileid = fileid;
			h->n++;
			s->t = now;
		} else if (now > s->t) {
			s->t = now;
		}
	}
	pthread_mutex_unlock(&h->lock);
}

/* Is K cyclically in (I, J]? */
static int between(size_t i, size_t k, size_t j)
{
	return i <= j ? (i < k && k <= j) : (k > i || k <= j);
}

void tier_heat_forget(struct tier_heat *h, uint64_t fileid)
{
	struct heat_slot *s;
	size_t i, j, mask;

	if (!fileid)
		return;
	pthread_mutex_lock(&h->lock);
	s = find(h, fileid);
	if (!s->fileid) {
		pthread_mutex_unlock(&h->lock);
		return;
	}
	/* Backward-shift deletion keeps every probe chain unbroken. */
	mask = h->size - 1;
	i = (size_t)(s - h->v);
	h->v[i].fileid = 0;
	h->n--;
	for (j = (i + 1) & mask; h->v[j].fileid; j = (j + 1) & mask) {
		if (between(i, slot_of(h, h->v[j].fileid), j))
			continue;
		h->v[i] = h->v[j];
		h->v[j].fileid = 0;
		i = j;
	}
	pthread_mutex_unlock(&h->lock);
}

int64_t tier_heat_last(struct tier_heat *h, uint64_t fileid)
{
	int64_t t;
	struct heat_slot *s;

	pthread_mutex_lock(&h->lock);
	t = h->floor;
	if (fileid) {
		s = find(h, fileid);
		if (s->fileid && s->t > t)
			t = s->t;
	}
	pthread_mutex_unlock(&h->lock);
	return t;
}

size_t tier_heat_count(struct tier_heat *h)
{
	size_t n;

	pthread_mutex_lock(&h->lock);
	n = h->n;
	pthread_mutex_unlock(&h->lock);
	return n;
}
