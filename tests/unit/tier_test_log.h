/*
 * tests/unit/tier_test_log.h -- a log hook for the tier's tests that
 * keeps every line (newline-separated) in tier_test_loglines, so a test
 * can look for what was logged and for what must never be.
 */
#ifndef STRATA_TIER_TEST_LOG_H
#define STRATA_TIER_TEST_LOG_H

extern char tier_test_loglines[16384];
void tier_test_log(void *arg, int level, const char *line);

#endif
