/*
 * nfsd/mac.h — the cluster key and the message authentication codes made
 * with it: data-server filehandles (fh.h), signed stateids (state.h) and
 * the control protocol's connection handshake (pnfs/ctl.h).
 * docs/decisions/0008-cluster-key-hmac.md.
 *
 * HMAC-SHA256 from OpenSSL's libcrypto, truncated to the length a caller
 * needs. A struct mac_key is written once at start-up (mac_key_load or
 * mac_key_random) and read-only afterwards: any thread may MAC with it.
 */
#ifndef STRATA_NFSD_MAC_H
#define STRATA_NFSD_MAC_H

#include <stddef.h>
#include <stdint.h>

#define MAC_KEY_MIN 16
#define MAC_KEY_MAX 64

struct mac_key {
	uint8_t key[MAC_KEY_MAX];
	size_t len; /* 0: no key loaded */
};

/* Read the key from PATH (its first MAC_KEY_MAX bytes; at least
 * MAC_KEY_MIN). 0 or -errno (-EINVAL: too short). */
int mac_key_load(struct mac_key *k, const char *path);
/* A random key for a server without a cluster (signatures stay valid for
 * this process only). 0 or -EIO. */
int mac_key_random(struct mac_key *k);

/* OUT (OUTLEN <= 32 bytes) = HMAC-SHA256(key, DOMAIN byte || DATA), for
 * short records: LEN <= MAC_DATA_MAX (longer data is a caller bug: OUT is
 * zeroed and mac_verify() refuses). The domain byte keeps MACs of
 * different uses apart. */
#define MAC_DATA_MAX 256
enum mac_domain {
	MAC_DOMAIN_DS_FH = 1,
	MAC_DOMAIN_STATEID = 2,
	MAC_DOMAIN_CTL_AUTH = 3,
	MAC_DOMAIN_CLUSTER_ID = 4, /* data servers' cluster id (0036) */
};
void mac_compute(const struct mac_key *k, enum mac_domain domain,
		 const void *data, size_t len, uint8_t *out, size_t outlen);
/* 1 if MAC (MACLEN bytes) is right for DATA; constant time. */
int mac_verify(const struct mac_key *k, enum mac_domain domain,
	       const void *data, size_t len, const uint8_t *mac,
	       size_t maclen);

#endif
