/* nfsd/config.c — see config.h. Keys (section [server]):
 *   listen, port, data_dir, shards, lease_time, grace_time, max_io,
 *   log_level, cluster_key, data_server (repeatable:
 *   ADDR:PORT[=ADVADDR:ADVPORT]), stripe_unit, max_layouts_per_client
 *   (layouts a client may hold before closed files' ones are recalled,
 *   default 16384), meta_envs (LMDB
 *   environments of a new namespace, metadata/ns.h ns_open_ex), replace
 *   (strata-ds, 0/1: a store without identity may take the place of the
 *   slot's lost one, docs/decisions/0019), metrics_listen and metrics_port
 *   (the Prometheus endpoint, nfsd/metrics_http.h; port 0 turns it off;
 *   default 127.0.0.1 and 9587 on strata-mds, 9588 on strata-ds),
 *   heartbeat (strata-mds: seconds between liveness checks of each data
 *   server, 1-60, default 1; docs/operations.md), cluster_map (strata-mds:
 *   path of the cluster map, pnfs/cmap.h) and node (this node's id in it,
 *   1-64; docs/decisions/0024), failpoint (tests only: none,
 *   peer-answer-exit, delta-delay, tier-step:N or xtx-*-exit, server.h enum
 *   strata_failpoint),
 *   tier (strata-mds: the object tier, "dir:PATH" or "s3:ENDPOINT/BUCKET",
 *   nfsd/tier_worker.h), tier_credentials, tier_region, tier_ca_file
 *   (s3 only) and tier_prefix (of the object keys); the tier's policy
 *   (nfsd/tier_auto.h, decision 0032): tier_policy (repeatable, up to 16
 *   rules), tier_high_pct, tier_low_pct, tier_scan_interval; and
 *   tier_recall_timeout (seconds a failing recall is waited for before
 *   the file's I/O answers NFS4ERR_IO, default 300), tier_gc_interval
 *   and tier_gc_grace (the orphan collector: seconds between passes,
 *   default 3600; seconds an orphan is seen before it is deleted,
 *   default 86400), tier_workers (steps run at once by the tier's
 *   threads, 1-16, default 4); store_capacity (tests only: the bytes
 *   the data directory reports as its capacity, the bytes allocated
 *   under it as used, instead of its file system's; 0 off). Owners are
 *   sent as numeric ids (what the Linux client uses with AUTH_SYS);
 *   "name@domain" is accepted on input. */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmap.h"
#include "log.h"
#include "netaddr.h"
#include "rpcrdma.h"
#include "tier_policy.h"

void config_defaults(struct strata_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->listen_addr, sizeof(cfg->listen_addr), "127.0.0.1");
	cfg->port = 2049;
	snprintf(cfg->data_dir, sizeof(cfg->data_dir), "./strata-data");
	cfg->nshards = 16;
	cfg->lease_time = 90;
	cfg->grace_time = 0;
	cfg->max_io = 1024 * 1024;
	cfg->max_msg = cfg->max_io + 64 * 1024;
	cfg->stripe_unit = 1024 * 1024;
	cfg->meta_envs = 1;
	cfg->max_layouts = 16384;
	cfg->heartbeat = 1;
	cfg->rdma_port = RPCRDMA_PORT;
	snprintf(cfg->metrics_addr, sizeof(cfg->metrics_addr), "127.0.0.1");
}

static int add_data_server(struct strata_config *cfg, const char *val)
{
	struct ds_endpoint *d;
	char buf[256];
	char *eq;

	if (cfg->nds >= STRATA_MAX_DS ||
	    snprintf(buf, sizeof(buf), "%s", val) >= (int)sizeof(buf))
		return -1;
	d = &cfg->ds[cfg->nds];
	eq = strchr(buf, '=');
	if (eq)
		*eq = 0;
	if (netaddr_split(buf, d->addr, sizeof(d->addr), &d->port))
		return -1;
	if (eq) {
		if (netaddr_split(eq + 1, d->adv_addr, sizeof(d->adv_addr),
				   &d->adv_port))
			return -1;
	} else {
		memcpy(d->adv_addr, d->addr, sizeof(d->addr));
		d->adv_port = d->port;
	}
	cfg->nds++;
	return 0;
}

/* A string key into its field; -1 when it does not fit. */
static int set_str(char *dst, size_t cap, const char *val)
{
	return snprintf(dst, cap, "%s", val) < (int)cap ? 0 : -1;
}

/* "dir:PATH" (an absolute or relative directory) or "s3:ENDPOINT/BUCKET"
 * with an http(s) endpoint; "" or "none" turns the tier off. The object
 * store itself is first reached when the server starts. */
static int parse_uint(const char *val, unsigned long max, unsigned long *out);

/* tier_policy (one rule a line, checked now: tiering/tier_policy.h),
 * tier_high_pct, tier_low_pct, tier_scan_interval (decision 0032). */
static int set_tier_policy(struct strata_config *cfg, const char *key,
			   const char *val)
{
	struct tier_rule r;
	char path[1024];
	const char *why = NULL;
	unsigned long v;

	if (!strcmp(key, "tier_policy")) {
		if (cfg->tier_npolicy >= 16 ||
		    tier_rule_parse(val, &r, path, sizeof(path), &why) < 0 ||
		    strlen(val) >= sizeof(cfg->tier_policy[0])) {
			fprintf(stderr, "tier_policy \"%s\": %s\n", val,
				why ? why : "more than 16 rules");
			return -1;
		}
		return set_str(cfg->tier_policy[cfg->tier_npolicy++],
			       sizeof(cfg->tier_policy[0]), val);
	}
	if (!strcmp(key, "tier_high_pct") || !strcmp(key, "tier_low_pct")) {
		if (parse_uint(val, 100, &v))
			return -1;
		*(key[5] == 'h' ? &cfg->tier_high_pct : &cfg->tier_low_pct) =
			(unsigned)v;
		return 0;
	}
	if (!strcmp(key, "tier_gc_interval") || !strcmp(key, "tier_gc_grace")) {
		if (parse_uint(val, 30u * 86400, &v) || v == 0)
			return -1;
		*(key[8] == 'i' ? &cfg->tier_gc_interval : &cfg->tier_gc_grace) =
			(uint32_t)v;
		return 0;
	}
	if (!strcmp(key, "tier_workers")) {
		if (parse_uint(val, 16, &v) || v == 0)
			return -1;
		cfg->tier_workers = (uint32_t)v;
		return 0;
	}
	if (!strcmp(key, "tier_recall_timeout")) {
		if (parse_uint(val, 86400, &v) || v == 0)
			return -1;
		cfg->tier_recall_timeout = (uint32_t)v;
		return 0;
	}
	if (!strcmp(key, "tier_scan_interval")) {
		if (parse_uint(val, 86400, &v) || v == 0)
			return -1;
		cfg->tier_scan_interval = (uint32_t)v;
		return 0;
	}
	return -1;
}

static int set_tier(struct strata_config *cfg, const char *val)
{
	const char *slash;

	if (!*val || !strcmp(val, "none"))
		return set_str(cfg->tier, sizeof(cfg->tier), "");
	if (!strncmp(val, "dir:", 4) && val[4])
		return set_str(cfg->tier, sizeof(cfg->tier), val);
	if (strncmp(val, "s3:http://", 10) && strncmp(val, "s3:https://", 11))
		return -1;
	slash = strrchr(val, '/');
	if (!slash[1] || slash[-1] == '/')
		return -1; /* no bucket after the endpoint */
	return set_str(cfg->tier, sizeof(cfg->tier), val);
}

static int parse_uint(const char *val, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(val, &end, 0);
	if (errno || *end || end == val || *out > max)
		return -1;
	return 0;
}

/* The failpoint "tier-step:N" (N from 0 to 1,000,000; server.h). */
static int parse_tier_step(struct strata_config *cfg, const char *val)
{
	unsigned long n;

	if (*val < '0' || *val > '9' || parse_uint(val, 1000000, &n))
		return -1;
	cfg->failpoint = FAILPOINT_TIER_STEP;
	cfg->failpoint_step = n;
	return 0;
}

int config_set(struct strata_config *cfg, const char *key, const char *val)
{
	unsigned long v;

	if (!strcmp(key, "listen"))
		return snprintf(cfg->listen_addr, sizeof(cfg->listen_addr),
				"%s", val) < (int)sizeof(cfg->listen_addr)
			       ? 0
			       : -1;
	if (!strcmp(key, "data_dir"))
		return snprintf(cfg->data_dir, sizeof(cfg->data_dir), "%s",
				val) < (int)sizeof(cfg->data_dir)
			       ? 0
			       : -1;
	if (!strcmp(key, "cluster_key"))
		return snprintf(cfg->cluster_key, sizeof(cfg->cluster_key),
				"%s", val) < (int)sizeof(cfg->cluster_key)
			       ? 0
			       : -1;
	if (!strcmp(key, "data_server"))
		return add_data_server(cfg, val);
	if (!strcmp(key, "cluster_map"))
		return snprintf(cfg->cluster_map, sizeof(cfg->cluster_map),
				"%s", val) < (int)sizeof(cfg->cluster_map)
			       ? 0
			       : -1;
	if (!strcmp(key, "failpoint")) {
		if (!strcmp(val, "peer-answer-exit"))
			cfg->failpoint = FAILPOINT_PEER_ANSWER_EXIT;
		else if (!strcmp(val, "delta-delay"))
			cfg->failpoint = FAILPOINT_DELTA_DELAY;
		else if (!strcmp(val, "xtx-prepared-exit"))
			cfg->failpoint = FAILPOINT_XTX_PREPARED_EXIT;
		else if (!strcmp(val, "xtx-decided-exit"))
			cfg->failpoint = FAILPOINT_XTX_DECIDED_EXIT;
		else if (!strcmp(val, "xtx-prepare-exit"))
			cfg->failpoint = FAILPOINT_XTX_PREPARE_EXIT;
		else if (!strcmp(val, "xtx-finish-exit"))
			cfg->failpoint = FAILPOINT_XTX_FINISH_EXIT;
		else if (!strcmp(val, "none"))
			cfg->failpoint = FAILPOINT_NONE;
		else if (!strncmp(val, "tier-step:", 10))
			return parse_tier_step(cfg, val + 10);
		else
			return -1;
		return 0;
	}
	if (!strcmp(key, "tier"))
		return set_tier(cfg, val);
	if (!strcmp(key, "tier_credentials"))
		return set_str(cfg->tier_credentials,
			       sizeof(cfg->tier_credentials), val);
	if (!strcmp(key, "tier_region"))
		return set_str(cfg->tier_region, sizeof(cfg->tier_region), val);
	if (!strcmp(key, "tier_ca_file"))
		return set_str(cfg->tier_ca_file, sizeof(cfg->tier_ca_file),
			       val);
	if (!strcmp(key, "tier_prefix"))
		return set_str(cfg->tier_prefix, sizeof(cfg->tier_prefix), val);
	if (!strncmp(key, "tier_", 5) && strcmp(key, "tier_credentials"))
		return set_tier_policy(cfg, key, val);
	if (!strcmp(key, "rdma_listen"))
		return snprintf(cfg->rdma_addr, sizeof(cfg->rdma_addr), "%s",
				val) < (int)sizeof(cfg->rdma_addr)
			       ? 0
			       : -1;
	if (!strcmp(key, "rdma")) {
		if (!strcmp(val, "yes") || !strcmp(val, "1"))
			cfg->rdma = 1;
		else if (!strcmp(val, "no") || !strcmp(val, "0"))
			cfg->rdma = 0;
		else
			return -1;
		return 0;
	}
	if (!strcmp(key, "metrics_listen"))
		return snprintf(cfg->metrics_addr, sizeof(cfg->metrics_addr),
				"%s", val) < (int)sizeof(cfg->metrics_addr)
			       ? 0
			       : -1;
	if (!strcmp(key, "port")) {
		if (parse_uint(val, 65535, &v))
			return -1;
		cfg->port = (uint16_t)v;
	} else if (!strcmp(key, "shards")) {
		if (parse_uint(val, NS_MAX_SHARDS, &v) || v == 0)
			return -1;
		cfg->nshards = (unsigned)v;
	} else if (!strcmp(key, "lease_time")) {
		if (parse_uint(val, 3600, &v) || v < 5)
			return -1;
		cfg->lease_time = (uint32_t)v;
	} else if (!strcmp(key, "max_layouts_per_client")) {
		if (parse_uint(val, 1u << 24, &v) || v < 4)
			return -1;
		cfg->max_layouts = (unsigned)v;
	} else if (!strcmp(key, "grace_time")) {
		if (parse_uint(val, 3600, &v))
			return -1;
		cfg->grace_time = (uint32_t)v;
		cfg->grace_set = 1;
	} else if (!strcmp(key, "max_io")) {
		if (parse_uint(val, 16u << 20, &v) || v < 4096)
			return -1;
		cfg->max_io = (uint32_t)v;
		cfg->max_msg = cfg->max_io + 64 * 1024;
	} else if (!strcmp(key, "stripe_unit")) {
		if (parse_uint(val, 64u << 20, &v) || v == 0 ||
		    v % (64 * 1024))
			return -1;
		cfg->stripe_unit = (uint32_t)v;
	} else if (!strcmp(key, "meta_envs")) {
		if (parse_uint(val, NS_MAX_SHARDS, &v))
			return -1;
		cfg->meta_envs = (unsigned)v;
	} else if (!strcmp(key, "metrics_port")) {
		if (parse_uint(val, 65535, &v))
			return -1;
		cfg->metrics_port = (uint16_t)v;
		cfg->metrics_port_set = 1;
	} else if (!strcmp(key, "rdma_port")) {
		if (parse_uint(val, 65535, &v) || v == 0)
			return -1;
		cfg->rdma_port = (uint16_t)v;
	} else if (!strcmp(key, "store_capacity")) {
		if (parse_uint(val, ULONG_MAX, &v))
			return -1;
		cfg->store_capacity = (uint64_t)v;
	} else if (!strcmp(key, "heartbeat")) {
		if (parse_uint(val, 60, &v) || v == 0)
			return -1;
		cfg->heartbeat = (uint32_t)v;
	} else if (!strcmp(key, "node")) {
		if (parse_uint(val, CMAP_MAX_NODES, &v) || v == 0)
			return -1;
		cfg->node_id = (unsigned)v;
	} else if (!strcmp(key, "replace")) {
		if (parse_uint(val, 1, &v))
			return -1;
		cfg->ds_replace = (int)v;
	} else if (!strcmp(key, "log_level")) {
		if (parse_uint(val, LOG_DEBUG, &v))
			return -1;
		strata_log_level = (int)v;
	} else {
		return -1;
	}
	return 0;
}

static int on_ini(void *user, const char *section, const char *name,
		  const char *value)
{
	if (strcmp(section, "server") != 0) {
		fprintf(stderr, "config: unknown section [%s]\n", section);
		return 0;
	}
	if (config_set(user, name, value) < 0) {
		fprintf(stderr, "config: bad value for %s: %s\n", name, value);
		return 0;
	}
	return 1;
}

int config_load_file(struct strata_config *cfg, const char *path)
{
	int rc = ini_parse(path, on_ini, cfg);

	if (rc < 0) {
		fprintf(stderr, "config: cannot read %s\n", path);
		return -1;
	}
	if (rc > 0) {
		fprintf(stderr, "config: %s: error on line %d\n", path, rc);
		return -1;
	}
	return 0;
}
