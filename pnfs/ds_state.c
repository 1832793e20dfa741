/* pnfs/ds_state.c — see ds_state.h. Revocations in a small chained hash
 * table; fences in a pnfs/fence_table.h. */
#include "ds_state.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fence_table.h"

#define DS_HASH 1024

struct revoked {
	uint8_t other[12];
	struct revoked *next;
};

struct ds_state {
	pthread_mutex_t lock;
	uint8_t have_epoch[DS_STATE_MAX_NODE + 1]; /* by node id */
	uint32_t epoch[DS_STATE_MAX_NODE + 1];
	struct revoked *revoked[DS_HASH];
	struct fence_table *fences; /* its own lock */
};

static unsigned hash_bytes(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h % DS_HASH;
}

int ds_state_new(struct ds_state **out)
{
	struct ds_state *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	if (fence_table_new(&d->fences) < 0) {
		free(d);
		return -ENOMEM;
	}
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
	}
	fence_table_free(d->fences);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

int ds_state_set_epoch(struct ds_state *d, unsigned node, uint32_t epoch)
{
	if (node < 1 || node > DS_STATE_MAX_NODE)
		return -EINVAL;
	pthread_mutex_lock(&d->lock);
	d->epoch[node] = epoch;
	d->have_epoch[node] = 1;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int ds_state_epoch(struct ds_state *d, unsigned node, uint32_t *epoch)
{
	int have;

	if (node < 1 || node > DS_STATE_MAX_NODE)
		return 0;
	pthread_mutex_lock(&d->lock);
	have = d->have_epoch[node];
	*epoch = d->epoch[node];
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

int ds_state_fence(struct ds_state *d, uint64_t fileid, uint64_t fence)
{
	return fence_table_raise(d->fences, fileid, fence);
}

uint64_t ds_state_fence_of(struct ds_state *d, uint64_t fileid)
{
	return fence_table_get(d->fences, fileid);
}
