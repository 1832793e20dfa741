/* nfsd/mac.c — cluster key and HMAC-SHA256. See mac.h. */
#include "mac.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

int mac_key_load(struct mac_key *k, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	memset(k, 0, sizeof(*k));
	if (fd < 0)
		return -errno;
	n = read(fd, k->key, sizeof(k->key));
	close(fd);
	if (n < 0)
		return -errno;
	if (n < MAC_KEY_MIN)
		return -EINVAL;
	k->len = (size_t)n;
	return 0;
}

int mac_key_random(struct mac_key *k)
{
	memset(k, 0, sizeof(*k));
	if (getrandom(k->key, 32, 0) != 32)
		return -EIO;
	k->len = 32;
	return 0;
}

void mac_compute(const struct mac_key *k, enum mac_domain domain,
		 const void *data, size_t len, uint8_t *out, size_t outlen)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	uint8_t msg[1 + MAC_DATA_MAX];
	unsigned mdlen = 0;

	if (outlen > 32)
		outlen = 32;
	if (len > MAC_DATA_MAX) {
		memset(out, 0, outlen);
		return;
	}
	msg[0] = (uint8_t)domain;
	memcpy(msg + 1, data, len);
	if (!HMAC(EVP_sha256(), k->key, (int)k->len, msg, len + 1, md, &mdlen))
		memset(md, 0, sizeof(md));
	memcpy(out, md, outlen);
}

int mac_verify(const struct mac_key *k, enum mac_domain domain,
	       const void *data, size_t len, const uint8_t *mac,
	       size_t maclen)
{
	uint8_t want[32];

	if (maclen == 0 || maclen > sizeof(want) || len > MAC_DATA_MAX)
		return 0;
	mac_compute(k, domain, data, len, want, maclen);
	return CRYPTO_memcmp(want, mac, maclen) == 0;
}
