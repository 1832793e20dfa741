/*
 * nfsd/tier_auto.h — the object tier's policy in strata-mds (issue 16,
 * docs/decisions/0032-tier-policy.md): the configured rules and
 * watermarks, when files were last used, and when the next pass is due.
 * The tier worker (nfsd/tier_worker.h) owns one, runs a pass when due
 * (tier_scan.h) and queues what it picks like manual steps.
 *
 * Configuration (nfsd/config.c): `tier_policy = RULE` once per rule, first
 * match wins (tiering/tier_policy.h: PATH [never] [min_size=N]
 * [access_idle=T] [modify_idle=T] [release_after=T]); tier_high_pct and
 * tier_low_pct, the data servers' fill that starts and ends releases by
 * pressure (high 0: off); tier_scan_interval, seconds between passes
 * (default 300). No rule and no watermark: nothing moves by itself.
 *
 * Threads: tier_auto_used() from the executor (the srv->tier_used hook,
 * state_lock held; it takes only the heat table's mutex); everything else
 * from the tier thread.
 */
#ifndef STRATA_NFSD_TIER_AUTO_H
#define STRATA_NFSD_TIER_AUTO_H

#include <stddef.h>
#include <stdint.h>

#include "tier_scan.h"

#define TIER_SCAN_INTERVAL_DEFAULT 300
#define TIER_RULES_MAX 16

struct strata_server;
struct tier_auto;

/* The policy of SRV's configuration, starting at NOW (seconds): *OUT NULL
 * when the configuration names no rule and no watermark. 0, -EINVAL (a
 * bad rule: logged), -ENOMEM. */
int tier_auto_new(struct tier_auto **out, struct strata_server *srv,
		  int64_t now);
void tier_auto_free(struct tier_auto *a);

/* Seconds until the next pass is due at NOW (0: due now). */
int64_t tier_auto_wait(const struct tier_auto *a, int64_t now);

/* Run the pass due at NOW: R gets the fileids to offload and release
 * (free with tier_scan_result_free). The watermarks act only on a fill
 * the data servers measured after the releases earlier passes queued
 * were done (decision 0032, "A fill from before the releases"); until
 * then the pass applies the rules alone. Once the fill reached the high
 * mark, passes go on releasing until one sees it at the low mark. 0 or
 * -errno (logged). */
int tier_auto_pass(struct tier_auto *a, int64_t now,
		   struct tier_scan_result *r);

/* The srv->tier_used hook: FILEID was opened, laid out, read or written
 * through the MDS now. */
void tier_auto_used(void *arg, uint64_t fileid);

/* FILEID became BOTH (an offload or a recall committed) at NOW: its
 * release_after counts from here (or from a later access). */
void tier_auto_became_both(struct tier_auto *a, uint64_t fileid,
			   int64_t now);

#endif
