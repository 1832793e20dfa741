/* nfsd/config.c — see config.h. Keys (section [server]):
 *   listen, port, data_dir, shards, lease_time, grace_time, max_io,
 *   log_level. Owners are sent as numeric ids (what the Linux client uses
 * with AUTH_SYS); "name@domain" is accepted on input. */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

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
