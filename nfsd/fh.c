/* nfsd/fh.c — filehandle encoding. See fh.h. */
#include "fh.h"

#include <string.h>

#include "mac.h"

static void put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

void fh_encode(uint8_t *buf, uint64_t fileid, uint32_t generation)
{
	memset(buf, 0, FH_LEN);
	buf[0] = FH_VERSION;
	buf[1] = FH_KIND_MDS;
	put_be(buf + 4, generation, 4);
	put_be(buf + 8, fileid, 8);
}

int fh_decode(const uint8_t *buf, size_t len, uint64_t *fileid,
	      uint32_t *generation)
{
	if (len != FH_LEN || buf[0] != FH_VERSION || buf[1] != FH_KIND_MDS ||
	    buf[2] != 0 || buf[3] != 0)
		return -1;
	*generation = (uint32_t)get_be(buf + 4, 4);
	*fileid = get_be(buf + 8, 8);
	return *fileid == 0 ? -1 : 0;
}

void fh_ds_encode(uint8_t *buf, const struct mac_key *k, uint64_t fileid,
		  uint32_t index, uint32_t gen, uint8_t hint)
{
	memset(buf, 0, FH_DS_LEN);
	buf[0] = FH_VERSION;
	buf[1] = FH_KIND_DS;
	buf[2] = hint;
	buf[3] = (uint8_t)index;
	put_be(buf + 4, gen, 4);
	put_be(buf + 8, fileid, 8);
	mac_compute(k, MAC_DOMAIN_DS_FH, buf, 16, buf + 16, 8);
}

int fh_ds_decode(const uint8_t *buf, size_t len, const struct mac_key *k,
		 uint64_t *fileid, uint32_t *index, uint32_t *gen,
		 uint8_t *hint)
{
	if (len != FH_DS_LEN || buf[0] != FH_VERSION || buf[1] != FH_KIND_DS)
		return -1;
	if (!mac_verify(k, MAC_DOMAIN_DS_FH, buf, 16, buf + 16, 8))
		return -1;
	*hint = buf[2];
	*index = buf[3];
	*gen = (uint32_t)get_be(buf + 4, 4);
	*fileid = get_be(buf + 8, 8);
	return *fileid == 0 ? -1 : 0;
}
