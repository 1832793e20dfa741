/*
 * tiering/tier_cred.c — the S3 credentials file (tier_cred.h).
 */
#include "tier_cred.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Next line of TEXT from *POS, trimmed, into OUT (CAP bytes). Returns its
 * length, or -1 at the end of the text, or -2 if too long or it holds a
 * control byte. */
static int next_line(const char *text, size_t len, size_t *pos, char *out,
		     size_t cap)
{
	size_t s = *pos, e;

	if (s >= len)
		return -1;
	e = s;
	while (e < len && text[e] != '\n')
		e++;
	*pos = e < len ? e + 1 : e;
	while (s < e && is_blank(text[s]))
		s++;
	while (e > s && is_blank(text[e - 1]))
		e--;
	if (e - s >= cap)
		return -2;
	for (size_t i = s; i < e; i++)
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
			return -2;
	memcpy(out, text + s, e - s);
	out[e - s] = '\0';
	return (int)(e - s);
}

int tier_cred_parse(const char *text, size_t len, const char *name,
		    struct tier_cred *c, char *err, size_t errlen)
{
	char extra[256];
	size_t pos = 0;
	int n;

	memset(c, 0, sizeof(*c));
	n = next_line(text, len, &pos, c->access, sizeof(c->access));
	if (n <= 0) {
		snprintf(err, errlen,
			 "credentials file %s: line 1 (the access key) is %s",
			 name, n == -2 ? "too long or not text" : "missing or empty");
		goto bad;
	}
	n = next_line(text, len, &pos, c->secret, sizeof(c->secret));
	if (n <= 0) {
		snprintf(err, errlen,
			 "credentials file %s: line 2 (the secret) is %s", name,
			 n == -2 ? "too long or not text" : "missing or empty");
		goto bad;
	}
	for (int line = 3;; line++) {
		n = next_line(text, len, &pos, extra, sizeof(extra));
		if (n == -1)
			break;
		if (n != 0) {
			snprintf(err, errlen,
				 "credentials file %s: line %d: only two lines "
				 "(access key, secret) are expected",
				 name, line);
			OPENSSL_cleanse(extra, sizeof(extra));
			goto bad;
		}
	}
	return 0;
bad:
	tier_cred_wipe(c);
	return -EINVAL;
}

int tier_cred_load(const char *path, struct tier_cred *c, char *err,
		   size_t errlen)
{
	char text[1024];
	size_t len = 0;
	struct stat sb;
	int fd, rc;

	memset(c, 0, sizeof(*c));
	if (!path || !*path) {
		snprintf(err, errlen, "no credentials file configured");
		return -EINVAL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "credentials file %s: %s", path,
			 strerror(errno));
		return rc;
	}
	if (fstat(fd, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		close(fd);
		snprintf(err, errlen, "credentials file %s: not a regular file",
			 path);
		return -EINVAL;
	}
	for (;;) {
		ssize_t r = read(fd, text + len, sizeof(text) - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			close(fd);
			snprintf(err, errlen, "credentials file %s: %s", path,
				 strerror(-rc));
			OPENSSL_cleanse(text, sizeof(text));
			return rc;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == sizeof(text)) {
			close(fd);
			snprintf(err, errlen,
				 "credentials file %s: larger than %zu bytes",
				 path, sizeof(text) - 1);
			OPENSSL_cleanse(text, sizeof(text));
			return -EINVAL;
		}
	}
	close(fd);
	rc = tier_cred_parse(text, len, path, c, err, errlen);
	OPENSSL_cleanse(text, sizeof(text));
	return rc;
}

void tier_cred_wipe(struct tier_cred *c)
{
	OPENSSL_cleanse(c, sizeof(*c));
}
