/*
 * nfsd/config.h — server configuration: defaults, an INI file read with
 * inih (docs/decisions/0004-config-inih.md), then command-line overrides.
 * Called once from main() before any thread starts.
 */
#ifndef STRATA_NFSD_CONFIG_H
#define STRATA_NFSD_CONFIG_H

#include "server.h"

/* Default /metrics ports of the binaries (Ganesha's exporter uses 9587
 * too; one MDS and one DS per host by default). */
#define STRATA_METRICS_PORT_MDS 9587
#define STRATA_METRICS_PORT_DS 9588

void config_defaults(struct strata_config *cfg);
/* 0, or -1 with a message on stderr. */
int config_load_file(struct strata_config *cfg, const char *path);
int config_set(struct strata_config *cfg, const char *key, const char *val);

#endif
