/* pnfs/ds_self.c — see ds_self.h. */
#include "ds_self.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct ds_self {
	pthread_mutex_t lock; /* everything below */
	char dir[4096];
	int has_identity;
	struct ds_identity id;
	int replace_ok;
	int empty;
	enum ds_serving serving;
};

int ds_self_open(struct ds_self **out, const char *dir, int replace_ok,
		 int empty)
{
	struct ds_self *s = calloc(1, sizeof(*s));
	char hex[2 * DS_ID_LEN + 1];
	int rc;

	if (!s)
		return -ENOMEM;
	if (snprintf(s->dir, sizeof(s->dir), "%s", dir) >= (int)sizeof(s->dir)) {
		free(s);
		return -ENAMETOOLONG;
	}
	rc = ds_identity_read(dir, &s->id);
	if (rc < 0 && rc != -ENOENT) {
		log_err("store %s: identity file unreadable (%s): not starting; "
			"an operator must look at it", dir, strerror(-rc));
		free(s);
		return rc;
	}
	s->has_identity = rc == 0;
	s->replace_ok = replace_ok;
	s->empty = empty;
	pthread_mutex_init(&s->lock, NULL);
	if (s->has_identity) {
		ds_id_hex(s->id.ds, hex);
		log_info("store %s: identity %s, slot %u", dir, hex, s->id.slot);
	} else {
		log_warn("store %s has NO IDENTITY (%s): a new data server, or "
			 "a wiped or unmounted one; client I/O waits for the "
			 "metadata server's verdict%s",
			 dir, empty ? "and no objects" : "but holds objects",
			 replace_ok ? " (--replace: may take the place of a "
				      "lost store)"
				    : "");
	}
	*out = s;
	return 0;
}

void ds_self_free(struct ds_self *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int ds_self_identity(struct ds_self *s, struct ds_identity *id,
		     int *replace_ok, int *empty)
{
	int has;

	pthread_mutex_lock(&s->lock);
	has = s->has_identity;
	*id = s->id;
	*replace_ok = s->replace_ok;
	*empty = s->empty;
	pthread_mutex_unlock(&s->lock);
	return has;
}

/* Change the serving state; log the change. Lock held. */
static void set_serving(struct ds_self *s, enum ds_serving v,
			const char *reason)
{
	if (s->serving == v)
		return;
	s->serving = v;
	if (v == DS_QUARANTINED)
		log_err("QUARANTINED by the metadata server: %s. Client I/O "
			"is refused", reason);
	else if (v == DS_SERVING)
		log_info("identity accepted by the metadata server: serving");
}

int ds_self_serve(struct ds_self *s, const struct ds_identity *id)
{
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	/* SERVE confirms what this store said it is; anything else is a
	 * confused MDS: refuse rather than serve someone else's stripes. */
	if (!s->has_identity || memcmp(&s->id, id, sizeof(*id)) != 0)
		rc = -EINVAL;
	else
		set_serving(s, DS_SERVING, "");
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int ds_self_format(struct ds_self *s, const struct ds_identity *id,
		   const char *reason)
{
	char hex[2 * DS_ID_LEN + 1];
	int rc;

	pthread_mutex_lock(&s->lock);
	if (s->has_identity) {
		rc = -EEXIST; /* an identity is never overwritten */
	} else {
		rc = ds_identity_write(s->dir, id);
		if (rc == 0) {
			s->id = *id;
			s->has_identity = 1;
			s->empty = 0;
			ds_id_hex(id->ds, hex);
			log_info("store %s: new identity %s, slot %u (%s)",
				 s->dir, hex, id->slot, reason);
			set_serving(s, DS_SERVING, "");
		} else {
			log_err("store %s: identity not written: %s", s->dir,
				strerror(-rc));
		}
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void ds_self_quarantine(struct ds_self *s, const char *reason)
{
	pthread_mutex_lock(&s->lock);
	set_serving(s, DS_QUARANTINED, reason);
	pthread_mutex_unlock(&s->lock);
}

enum ds_serving ds_self_serving(struct ds_self *s)
{
	enum ds_serving v;

	pthread_mutex_lock(&s->lock);
	v = s->serving;
	pthread_mutex_unlock(&s->lock);
	return v;
}
