/*
 * tiering/tier_policy.c — offload and release selection (tier_policy.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ns.h"
#include "tier_policy.h"

const struct tier_rule *tier_policy_rule(const struct tier_policy *p,
					 const char *file_path)
{
	for (size_t i = 0; i < p->nrules; i++) {
		const char *r = p->rules[i].path;
		size_t l = strlen(r);

		while (l > 1 && r[l - 1] == '/')
			l--; /* "/a/" is "/a" */
		if (l == 1 || (!strncmp(file_path, r, l) &&
			       (file_path[l] == '/' || file_path[l] == '\0')))
			return &p->rules[i];
	}
	return NULL;
}

static int policy_ok(const struct tier_policy *p)
{
	if (p->high_pct > 100 || p->low_pct > p->high_pct)
		return 0;
	for (size_t i = 0; i < p->nrules; i++)
		if (!p->rules[i].path || p->rules[i].path[0] != '/')
			return 0;
	return 1;
}

/* The file may be tiered at all under its rule (size, not never). */
static const struct tier_rule *eligible(const struct tier_policy *p,
					const struct tier_file *f)
{
	const struct tier_rule *r = tier_policy_rule(p, f->path);

	if (!r || r->never || f->busy || f->size < r->min_size)
		return NULL;
	return r;
}

static int idle_enough(const struct tier_rule *r, const struct tier_file *f,
		       int64_t now)
{
	return now - f->atime >= r->access_idle &&
	       now - f->mtime >= r->modify_idle;
}

/* ---- ordering ----------------------------------------------------------- */

struct order {
	const struct tier_file *files;
	int by_access; /* 1: atime; 0: the later of atime and mtime */
};

static int64_t age_key(const struct order *o, size_t i)
{
	const struct tier_file *f = &o->files[i];

	if (o->by_access || f->atime >= f->mtime)
		return f->atime;
	return f->mtime;
}

/* Insertion sort of IDX by age, oldest first, ties by fileid: the lists
 * are a scan's candidates, and a stable, allocation-free order is what
 * the tests pin. */
static void sort_oldest(size_t *idx, size_t n, const struct order *o)
{
	for (size_t i = 1; i < n; i++) {
		size_t v = idx[i], j = i;
		int64_t kv = age_key(o, v);

		while (j > 0) {
			size_t u = idx[j - 1];
			int64_t ku = age_key(o, u);

			if (ku < kv || (ku == kv && o->files[u].fileid <
							    o->files[v].fileid))
				break;
			idx[j] = u;
			j--;
		}
		idx[j] = v;
	}
}

/* ---- selection ---------------------------------------------------------- */

/* floor(V * PCT / 100) without overflow (PCT <= 100). */
static uint64_t pct_of(uint64_t v, unsigned pct)
{
	return v / 100 * pct + v % 100 * pct / 100;
}

void tier_policy_hysteresis(const struct tier_policy *p,
			    const struct tier_fill *fill, int *draining,
			    struct tier_policy *pass)
{
	*pass = *p;
	if (!p->high_pct || !fill || !fill->capacity)
		return; /* off, or no fill to act on */
	if (fill->used >= pct_of(fill->capacity, p->high_pct))
		*draining = 1;
	else if (fill->used <= pct_of(fill->capacity, p->low_pct))
		*draining = 0;
	if (*draining && p->low_pct < p->high_pct)
		pass->high_pct = p->low_pct ? p->low_pct : 1;
}

/* Bytes to free to get from the fill down to the low mark (0 below the
 * high mark), this node's share of them. */
static uint64_t bytes_needed(const struct tier_policy *p,
			     const struct tier_fill *fill)
{
	uint64_t need;

	if (!p->high_pct || !fill || !fill->capacity ||
	    fill->used < pct_of(fill->capacity, p->high_pct))
		return 0;
	need = fill->used - pct_of(fill->capacity, p->low_pct);
	return p->owners > 1 ? (need + p->owners - 1) / p->owners : need;
}

/* Releases: expired ones, then oldest access while NEED bytes remain.
 * Returns the bytes the watermark releases still lack. */
static uint64_t pick_release(const struct tier_policy *p,
			     const struct tier_file *files, size_t n,
			     int64_t now, uint64_t need, size_t *tmp,
			     struct tier_picks *out)
{
	struct order o = { files, 1 };
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (files[i].residency == NS_RES_BOTH && !files[i].busy)
			tmp[m++] = i;
	sort_oldest(tmp, m, &o);
	for (size_t k = 0; k < m; k++) {
		const struct tier_file *f = &files[tmp[k]];
		const struct tier_rule *r = tier_policy_rule(p, f->path);
		/* the retention runs from the later of becoming BOTH and the
		 * last use: a file read (or recalled) since is kept */
		int64_t since = f->both_since > f->atime ? f->both_since
							 : f->atime;
		int expired = r && !r->never && r->release_after > 0 &&
			      now - since >= r->release_after;

		if (!expired && !need)
			continue;
		out->release[out->nrelease++] = tmp[k];
		need -= need < f->size ? need : f->size;
	}
	return need;
}

static void pick_offload(const struct tier_policy *p,
			 const struct tier_file *files, size_t n, int64_t now,
			 uint64_t need, size_t *tmp, struct tier_picks *out)
{
	struct order o = { files, 0 };
	size_t m = 0;

	for (size_t i = 0; i < n; i++)
		if (files[i].residency == NS_RES_LOCAL && eligible(p, &files[i]))
			tmp[m++] = i;
	sort_oldest(tmp, m, &o);
	for (size_t k = 0; k < m; k++) {
		const struct tier_file *f = &files[tmp[k]];

		if (!idle_enough(eligible(p, f), f, now) && !need)
			continue;
		out->offload[out->noffload++] = tmp[k];
		need -= need < f->size ? need : f->size;
	}
}

int tier_policy_select(const struct tier_policy *p,
		       const struct tier_file *files, size_t n, int64_t now,
		       const struct tier_fill *fill, struct tier_picks *picks)
{
	size_t *tmp;
	uint64_t need;

	if (!p || (n && !files) || !picks || !policy_ok(p))
		return -EINVAL;
	picks->noffload = picks->nrelease = 0;
	tmp = malloc((n ? n : 1) * sizeof *tmp);
	if (!tmp)
		return -ENOMEM;
	need = pick_release(p, files, n, now, bytes_needed(p, fill), tmp,
			    picks);
	pick_offload(p, files, n, now, need, tmp, picks);
	free(tmp);
	return 0;
}

/* ---- the configuration form ------------------------------------------ */

/* V with an optional suffix: a multiplier from UNITS ("K1024..."), as a
 * non-negative 64-bit value. 0 or -1. */
static int parse_scaled(const char *v, const char *units,
			const uint64_t *mult, uint64_t *out)
{
	char *end;
	unsigned long long n;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		const char *u = strchr(units, *end);

		if (!u || end[1] || n > INT64_MAX / mult[u - units])
			return -1;
		n *= mult[u - units];
	}
	if (n > INT64_MAX)
		return -1;
	*out = n;
	return 0;
}

static int rule_field(struct tier_rule *r, const char *w)
{
	static const uint64_t bytes[] = { 1ull << 10, 1ull << 20, 1ull << 30,
					  1ull << 40 };
	static const uint64_t secs[] = { 1, 60, 3600, 86400 };
	const char *eq = strchr(w, '=');
	uint64_t v;

	if (!strcmp(w, "never")) {
		r->never = 1;
		return 0;
	}
	if (!eq)
		return -1;
	if (!strncmp(w, "min_size=", 9))
		return parse_scaled(eq + 1, "KMGT", bytes, &r->min_size);
	if (parse_scaled(eq + 1, "smhd", secs, &v) < 0)
		return -1;
	if (!strncmp(w, "access_idle=", 12))
		r->access_idle = (int64_t)v;
	else if (!strncmp(w, "modify_idle=", 12))
		r->modify_idle = (int64_t)v;
	else if (!strncmp(w, "release_after=", 14))
		r->release_after = (int64_t)v;
	else
		return -1;
	return 0;
}

int tier_rule_parse(const char *spec, struct tier_rule *r, char *pathbuf,
		    size_t cap, const char **why)
{
	char buf[1024], *save = NULL, *w;
	size_t len = strlen(spec);

	memset(r, 0, sizeof(*r));
	*why = "too long";
	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, spec, len + 1);
	w = strtok_r(buf, " \t", &save);
	*why = "no absolute path first";
	if (!w || w[0] != '/' || strlen(w) >= cap)
		return -EINVAL;
	memcpy(pathbuf, w, strlen(w) + 1);
	r->path = pathbuf;
	while ((w = strtok_r(NULL, " \t", &save)) != NULL) {
		if (rule_field(r, w) < 0) {
			*why = "a field is not never, min_size=N[KMGT], "
			       "access_idle=, modify_idle= or "
			       "release_after=T[smhd]";
			return -EINVAL;
		}
	}
	*why = NULL;
	return 0;
}
