/* datastore/identity.c — see identity.h. */
#include "identity.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define PATH_CAP 4200

void ds_id_hex(const uint8_t id[DS_ID_LEN], char out[2 * DS_ID_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < DS_ID_LEN; i++) {
		out[2 * i] = digits[id[i] >> 4];
		out[2 * i + 1] = digits[id[i] & 15];
	}
	out[2 * DS_ID_LEN] = 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ds_id_parse(const char *hex, uint8_t id[DS_ID_LEN])
{
	if (strlen(hex) != 2 * DS_ID_LEN)
		return -EINVAL;
	for (int i = 0; i < DS_ID_LEN; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		id[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int ds_id_is_zero(const uint8_t id[DS_ID_LEN])
{
	for (int i = 0; i < DS_ID_LEN; i++)
		if (id[i])
			return 0;
	return 1;
}

int ds_id_random(uint8_t id[DS_ID_LEN])
{
	return getrandom(id, DS_ID_LEN, 0) == DS_ID_LEN ? 0 : -EIO;
}

/* What the INI parser collected; SEEN: bit per key. */
struct parse_ctx {
	struct ds_identity *id;
	unsigned seen;
	int bad;
};

enum { SEEN_CLUSTER = 1, SEEN_SLOT = 2, SEEN_DS = 4 };

static int on_key(void *user, const char *section, const char *name,
		  const char *value)
{
	struct parse_ctx *p = user;
	char *end;
	unsigned long v;

	if (strcmp(section, "identity") != 0) {
		p->bad = 1;
		return 0;
	}
	if (!strcmp(name, "cluster")) {
		p->bad |= ds_id_parse(value, p->id->cluster) != 0;
		p->seen |= SEEN_CLUSTER;
	} else if (!strcmp(name, "ds")) {
		p->bad |= ds_id_parse(value, p->id->ds) != 0;
		p->seen |= SEEN_DS;
	} else if (!strcmp(name, "replaces")) {
		p->bad |= ds_id_parse(value, p->id->replaces) != 0;
	} else if (!strcmp(name, "slot")) {
		errno = 0;
		v = strtoul(value, &end, 10);
		p->bad |= errno || *end || end == value || v > UINT32_MAX;
		p->id->slot = (uint32_t)v;
		p->seen |= SEEN_SLOT;
	} else {
		p->bad = 1;
	}
	return !p->bad;
}

int ds_identity_read(const char *dir, struct ds_identity *out)
{
	char path[PATH_CAP];
	struct parse_ctx p = { out, 0, 0 };
	FILE *f;
	int rc;

	memset(out, 0, sizeof(*out));
	if (snprintf(path, sizeof(path), "%s/%s", dir, DS_IDENTITY_FILE) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	rc = ini_parse_file(f, on_key, &p);
	fclose(f);
	if (rc != 0 || p.bad ||
	    p.seen != (SEEN_CLUSTER | SEEN_SLOT | SEEN_DS))
		return -EINVAL;
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int ds_identity_write(const char *dir, const struct ds_identity *id)
{
	char tmp[PATH_CAP], path[PATH_CAP];
	char c[2 * DS_ID_LEN + 1], d[2 * DS_ID_LEN + 1], r[2 * DS_ID_LEN + 1];
	int fd, rc = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, DS_IDENTITY_FILE) >=
		    (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, DS_IDENTITY_FILE) >=
		    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	ds_id_hex(id->cluster, c);
	ds_id_hex(id->ds, d);
	ds_id_hex(id->replaces, r);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (dprintf(fd,
		    "# Strata data-server store: do not edit, do not copy to "
		    "another server\n# (docs/decisions/0019)\n[identity]\n"
		    "cluster = %s\nslot = %u\nds = %s\nreplaces = %s\n",
		    c, id->slot, d, r) < 0 ||
	    fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc == 0)
		rc = fsync_dir(dir);
	if (rc < 0)
		unlink(tmp);
	return rc;
}
