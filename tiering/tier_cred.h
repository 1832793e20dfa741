/*
 * tiering/tier_cred.h — the S3 credentials file.
 *
 * Line 1: the access key; line 2: the secret. Blank space around each is
 * dropped; an empty line, a missing line or anything after line 2 (other
 * than blank lines) is an error. Messages name the file and the line,
 * never its contents. The secret lives in memory only, and is wiped by
 * tier_cred_wipe().
 */
#ifndef STRATA_TIER_CRED_H
#define STRATA_TIER_CRED_H

#include <stddef.h>

struct tier_cred {
	char access[256];
	char secret[256];
};

/* Read PATH into *C. 0, or -errno with ERR (ERRLEN bytes) saying why. */
int tier_cred_load(const char *path, struct tier_cred *c, char *err,
		   size_t errlen);
/* Parse the file's text (LEN bytes) the same way; NAME is for messages. */
int tier_cred_parse(const char *text, size_t len, const char *name,
		    struct tier_cred *c, char *err, size_t errlen);
void tier_cred_wipe(struct tier_cred *c);

#endif
