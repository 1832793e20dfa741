/*
 * tests/fuzz/fuzz_common.h — what the COMPOUND fuzz target and its seed
 * writer agree on.
 *
 * The fuzz target keeps one client with one session whose id it pins to
 * FUZZ_SESSIONID, and resets that session's slot table before every input,
 * so that an input starting with SEQUENCE(FUZZ_SESSIONID, any slot,
 * seqid 1) reaches the ops behind it. Everything else the inputs create
 * (clients, sessions, files, opens, locks) persists between inputs.
 */
#ifndef STRATA_FUZZ_COMMON_H
#define STRATA_FUZZ_COMMON_H

#define FUZZ_SESSIONID "STRATA-FUZZ-SES!" /* 16 bytes, NFS4_SESSIONID_SIZE */
#define FUZZ_OWNER "strata-fuzz-client"
#define FUZZ_VERIFIER "fuzzverf"
#define FUZZ_NFS_PROGRAM 100003u
#define FUZZ_NFS_VERSION 4u
#define FUZZ_NFS_COMPOUND 1u

#endif
