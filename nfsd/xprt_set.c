/* nfsd/xprt_set.c — a listener's connections. Contract in xprt_set.h. */
#include "xprt_set.h"

#include <errno.h>

void xprt_set_init(struct xprt_set *s)
{
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->idle, NULL);
	s->head = NULL;
	s->n = 0;
	s->stopping = 0;
}

void xprt_set_destroy(struct xprt_set *s)
{
	pthread_cond_destroy(&s->idle);
	pthread_mutex_destroy(&s->lock);
}

int xprt_set_add(struct xprt_set *s, struct xprt_conn *c)
{
	pthread_mutex_lock(&s->lock);
	if (s->stopping) {
		pthread_mutex_unlock(&s->lock);
		return -ESHUTDOWN;
	}
	c->set_next = s->head;
	s->head = c;
	s->n++;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

void xprt_set_remove(struct xprt_set *s, struct xprt_conn *c)
{
	struct xprt_conn **pp;

	pthread_mutex_lock(&s->lock);
	for (pp = &s->head; *pp; pp = &(*pp)->set_next) {
		if (*pp == c) {
			*pp = c->set_next;
			break;
		}
	}
	if (--s->n == 0)
		pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->lock);
}

void xprt_set_shutdown_all(struct xprt_set *s)
{
	pthread_mutex_lock(&s->lock);
	for (struct xprt_conn *c = s->head; c; c = c->set_next)
		c->ops->shutdown(c);
	pthread_mutex_unlock(&s->lock);
}

void xprt_set_stop(struct xprt_set *s)
{
	pthread_mutex_lock(&s->lock);
	s->stopping = 1;
	for (struct xprt_conn *c = s->head; c; c = c->set_next)
		c->ops->shutdown(c);
	while (s->n > 0)
		pthread_cond_wait(&s->idle, &s->lock);
	pthread_mutex_unlock(&s->lock);
}
