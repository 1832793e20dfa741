/* pnfs/ds_state.c — see ds_state.h. Two small chained hash tables. */
#include "ds_state.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define DS_HASH 1024

struct revoked {
	uint8_t other[12];
	struct revoked *next;
};

struct fence {
	uint64_t fileid;
	uint64_t fence;
	struct fence *next;
};

struct ds_state {
	pthread_mutex_t lock;
	int have_epoch;
	uint32_t epoch;
	struct revoked *revoked[DS_HASH];
	struct fence *fences[DS_HASH];
};

static unsigned hash_bytes(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h % DS_HASH;
}

static unsigned hash_fileid(uint64_t f)
{
	return (unsigned)((f * 0x9e3779b97f4a7c15ull) >> 54) % DS_HASH;
}

int ds_state_new(struct ds_state **out)
{
	struct ds_state *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	pthread_mutex_init(&d->lock, NULL);
	*out = d;
	return 0;
}

void ds_state_free(struct ds_state *d)
{
	if (!d)
		return;
	for (unsigned i = 0; i < DS_HASH; i++) {
		while (d->revoked[i]) {
			struct revoked *r = d->revoked[i];
			d->revoked[i] = r->next;
			free(r);
		}
		while (d->fences[i]) {
			struct fence *f = d->fences[i];
			d->fences[i] = f->next;
			free(f);
		}
	}
	pthread_mutex_destroy(&d->lock);
	free(d);
}

void ds_state_set_epoch(struct ds_state *d, uint32_t epoch)
{
	pthread_mutex_lock(&d->lock);
	d->epoch = epoch;
	d->have_epoch = 1;
	pthread_mutex_unlock(&d->lock);
}

int ds_state_epoch(struct ds_state *d, uint32_t *epoch)
{
	int have;

	pthread_mutex_lock(&d->lock);
	have = d->have_epoch;
	*epoch = d->epoch;
	pthread_mutex_unlock(&d->lock);
	return have;
}

static struct revoked *find_revoked(struct ds_state *d, const uint8_t *o)
{
	struct revoked *r = d->revoked[hash_bytes(o, 12)];

	while (r && memcmp(r->other, o, 12) != 0)
		r = r->next;
	return r;
}

void ds_state_revoke(struct ds_state *d, const uint8_t other[12])
{
	struct revoked *r;

	pthread_mutex_lock(&d->lock);
	if (!find_revoked(d, other)) {
		r = malloc(sizeof(*r));
		if (r) {
			unsigned h = hash_bytes(other, 12);
			memcpy(r->other, other, 12);
			r->next = d->revoked[h];
			d->revoked[h] = r;
		}
	}
	pthread_mutex_unlock(&d->lock);
}

int ds_state_revoked(struct ds_state *d, const uint8_t other[12])
{
	int yes;

	pthread_mutex_lock(&d->lock);
	yes = find_revoked(d, other) != NULL;
	pthread_mutex_unlock(&d->lock);
	return yes;
}

static struct fence *find_fence(struct ds_state *d, uint64_t fileid)
{
	struct fence *f = d->fences[hash_fileid(fileid)];

	while (f && f->fileid != fileid)
		f = f->next;
	return f;
}

void ds_state_fence(struct ds_state *d, uint64_t fileid, uint64_t fence)
{
	struct fence *f;

	pthread_mutex_lock(&d->lock);
	f = find_fence(d, fileid);
	if (!f) {
		f = calloc(1, sizeof(*f));
		if (f) {
			unsigned h = hash_fileid(fileid);
			f->fileid = fileid;
			f->next = d->fences[h];
			d->fences[h] = f;
		}
	}
	if (f && fence > f->fence)
		f->fence = fence;
	pthread_mutex_unlock(&d->lock);
}

uint64_t ds_state_fence_of(struct ds_state *d, uint64_t fileid)
{
	struct fence *f;
	uint32_t v;

	pthread_mutex_lock(&d->lock);
	f = find_fence(d, fileid);
	v = f ? f->fence : 0;
	pthread_mutex_unlock(&d->lock);
	return v;
}
