/* pnfs/fence_table.c — see fence_table.h. */
#include "fence_table.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#define FENCE_HASH 256

struct fence_ent {
	uint64_t fileid;
	uint64_t fence;
	struct fence_ent *next;
};

struct fence_table {
	pthread_mutex_t lock; /* everything below */
	struct fence_ent *bucket[FENCE_HASH];
	size_t n;
};

static unsigned bucket_of(uint64_t fileid)
{
	return (unsigned)((fileid ^ (fileid >> 29)) % FENCE_HASH);
}

int fence_table_new(struct fence_table **out)
{
	struct fence_table *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	pthread_mutex_init(&t->lock, NULL);
	*out = t;
	return 0;
}

void fence_table_free(struct fence_table *t)
{
	if (!t)
		return;
	for (unsigned i = 0; i < FENCE_HASH; i++)
		while (t->bucket[i]) {
			struct fence_ent *e = t->bucket[i];

			t->bucket[i] = e->next;
			free(e);
		}
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* FILEID's entry, or NULL. Lock held. */
static struct fence_ent *find(struct fence_table *t, uint64_t fileid)
{
	struct fence_ent *e = t->bucket[bucket_of(fileid)];

	while (e && e->fileid != fileid)
		e = e->next;
	return e;
}

int fence_table_raise(struct fence_table *t, uint64_t fileid, uint64_t fence)
{
	struct fence_ent *e;
	int rc = 0;

	pthread_mutex_lock(&t->lock);
	e = find(t, fileid);
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (e) {
			unsigned b = bucket_of(fileid);

			e->fileid = fileid;
			e->next = t->bucket[b];
			t->bucket[b] = e;
			t->n++;
		} else {
			rc = -ENOMEM;
		}
	}
	if (e && fence > e->fence)
		e->fence = fence;
	pthread_mutex_unlock(&t->lock);
	return rc;
}

uint64_t fence_table_get(struct fence_table *t, uint64_t fileid)
{
	struct fence_ent *e;
	uint64_t v;

	pthread_mutex_lock(&t->lock);
	e = find(t, fileid);
	v = e ? e->fence : 0;
	pthread_mutex_unlock(&t->lock);
	return v;
}

void fence_table_forget(struct fence_table *t, uint64_t fileid)
{
	struct fence_ent **p;

	pthread_mutex_lock(&t->lock);
	for (p = &t->bucket[bucket_of(fileid)]; *p; p = &(*p)->next) {
		struct fence_ent *e = *p;

		if (e->fileid != fileid)
			continue;
		*p = e->next;
		free(e);
		t->n--;
		break;
	}
	pthread_mutex_unlock(&t->lock);
}

int fence_table_copy(struct fence_table *t, struct fence_entry **out,
		     size_t *n)
{
	struct fence_entry *v = NULL;
	size_t k = 0;
	int rc = 0;

	pthread_mutex_lock(&t->lock);
	if (t->n) {
		v = malloc(t->n * sizeof(*v));
		rc = v ? 0 : -ENOMEM;
	}
	for (unsigned i = 0; v && i < FENCE_HASH; i++)
		for (struct fence_ent *e = t->bucket[i]; e; e = e->next) {
			v[k].fileid = e->fileid;
			v[k++].fence = e->fence;
		}
	pthread_mutex_unlock(&t->lock);
	*out = v;
	*n = k;
	return rc;
}
