/*
 * tests/s3/tier_probe.c — strata-tier-probe: drive one tier backend from
 * the command line (tests/s3/run-s3.sh checks the s3 backend against a
 * real server with it; it also checks an operator's endpoint and
 * credentials).
 *
 *   strata-tier-probe [options] put KEY FILE
 *                               get KEY OFF LEN OUTFILE
 *                               head KEY
 *                               list PREFIX [PAGE]
 *                               del KEY
 *                               ranges KEY FILE PARTSIZE
 *   options: --dir PATH | --endpoint URL --bucket B [--region R]
 *            --credentials FILE [--ca-file F] [--virtual]
 *            [--part-mib N] [--threshold-mib N] [--parallel N]
 *            [--attempts N] [--backoff-ms N]
 *
 * Exit 0 on success, 1 on a failed operation (its status line on stderr,
 * prefixed "error: "), 2 on bad usage. Log lines go to stderr prefixed
 * "log: ". "ranges" reads windows of the object around every part
 * boundary (and its last bytes, and past its end) and compares each with
 * FILE.
 */
#include "tier_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void log_hook(void *arg, int level, const char *line)
{
	(void)arg;
	fprintf(stderr, "log: level=%d %s\n", level, line);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const struct tier_status *st, int rc)
{
	fprintf(stderr, "error: %s (rc %d %s, http %d, code %s, attempts %u)\n",
		st->msg, rc, strerror(-rc), st->http, st->code, st->attempts);
	return 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: strata-tier-probe [options] "
			"put|get|head|list|del|ranges ... (see the source)\n");
	return 2;
}

/* Compare LEN bytes of the object at OFF with FILE's; 0 if equal. */
static int check_range(struct tier_backend *b, const char *key, int fd,
		       uint64_t fsize, uint64_t off, size_t len,
		       struct tier_status *st)
{
	char *got = malloc(len), *want = malloc(len);
	size_t n = 0, expect;
	int rc;

	if (!got || !want)
		return -ENOMEM;
	expect = off >= fsize ? 0 : (fsize - off < len ? fsize - off : len);
	rc = tier_get(b, key, off, len, got, &n, st);
	if (rc == 0 && n != expect) {
		fprintf(stderr, "ranges: [%llu+%zu]: %zu bytes, want %zu\n",
			(unsigned long long)off, len, n, expect);
		rc = -EIO;
	} else if (rc == 0 &&
		   (pread(fd, want, n, (off_t)off) != (ssize_t)n ||
		    memcmp(got, want, n))) {
		fprintf(stderr, "ranges: [%llu+%zu]: bytes differ\n",
			(unsigned long long)off, len);
		rc = -EIO;
	}
	free(got);
	free(want);
	return rc;
}

static int cmd_ranges(struct tier_backend *b, const char *key,
		      const char *file, uint64_t part, struct tier_status *st)
{
	struct stat sb;
	unsigned checks = 0;
	int fd = open(file, O_RDONLY), rc;

	if (fd < 0 || fstat(fd, &sb) || part == 0) {
		perror(file);
		return 1;
	}
	uint64_t size = (uint64_t)sb.st_size;
	for (uint64_t edge = part; edge < size; edge += part) {
		/* the last byte of a part, the first of the next, a window
		 * across the boundary, and one exactly one part long */
		uint64_t offs[4] = {edge - 1, edge, edge - 4096, edge - part};
		size_t lens[4] = {1, 1, 8192, (size_t)part};
		for (int i = 0; i < 4; i++) {
			rc = check_range(b, key, fd, size, offs[i], lens[i], st);
			if (rc)
				return rc == -EIO && !st->msg[0] ? 1 : fail(st, rc);
			checks++;
		}
	}
	/* the tail, a read running past the end, and one starting there */
	rc = check_range(b, key, fd, size, size - 100, 100, st);
	if (rc == 0)
		rc = check_range(b, key, fd, size, size - 10, 4096, st);
	if (rc)
		return fail(st, rc);
	checks += 2;
	char c;
	size_t n;
	rc = tier_get(b, key, size, 1, &c, &n, st);
	if (rc != -ERANGE) {
		fprintf(stderr, "ranges: read at the end gave %d, not -ERANGE\n",
			rc);
		return 1;
	}
	checks++;
	close(fd);
	printf("ranges %s: %u ranged reads match the file\n", key, checks);
	return 0;
}

int main(int argc, char **argv)
{
	struct tier_config cfg;
	struct tier_backend *b;
	struct tier_status st;
	struct tier_obj o;
	int i, rc;

	tier_config_defaults(&cfg);
	cfg.log = log_hook;
	cfg.kind = TIER_KIND_S3;
	for (i = 1; i < argc && !strncmp(argv[i], "--", 2); i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(o, "--virtual")) {
			cfg.addressing = TIER_VIRTUAL_HOSTED;
			continue;
		}
		if (!v)
			return usage();
		i++;
		if (!strcmp(o, "--dir"))
			cfg.kind = TIER_KIND_DIR, cfg.dir = v;
		else if (!strcmp(o, "--endpoint"))
			cfg.endpoint = v;
		else if (!strcmp(o, "--bucket"))
			cfg.bucket = v;
		else if (!strcmp(o, "--region"))
			cfg.region = v;
		else if (!strcmp(o, "--credentials"))
			cfg.credentials_file = v;
		else if (!strcmp(o, "--ca-file"))
			cfg.ca_file = v;
		else if (!strcmp(o, "--part-mib"))
			cfg.part_size = strtoull(v, NULL, 10) << 20;
		else if (!strcmp(o, "--threshold-mib"))
			cfg.multipart_threshold = strtoull(v, NULL, 10) << 20;
		else if (!strcmp(o, "--parallel"))
			cfg.parallel_parts = (unsigned)atoi(v);
		else if (!strcmp(o, "--attempts"))
			cfg.max_attempts = (unsigned)atoi(v);
		else if (!strcmp(o, "--backoff-ms"))
			cfg.backoff_ms = (unsigned)atoi(v);
		else
			return usage();
	}
	if (i >= argc)
		return usage();
	const char *cmd = argv[i];
	char **a = argv + i + 1;
	int na = argc - i - 1;

	rc = tier_open(&cfg, &b, &st);
	if (rc)
		return fail(&st, rc);
	if (!strcmp(cmd, "put") && na == 2) {
		int fd = open(a[1], O_RDONLY);
		struct stat sb;
		if (fd < 0 || fstat(fd, &sb)) {
			perror(a[1]);
			rc = 1;
			goto out;
		}
		struct tier_source src = {tier_source_fd_read, &fd};
		double t0 = now_s();
		rc = tier_put(b, a[0], &src, (uint64_t)sb.st_size, &o, &st);
		double dt = now_s() - t0;
		close(fd);
		if (rc) {
			rc = fail(&st, rc);
			goto out;
		}
		printf("put %s size=%llu etag=%s requests=%u seconds=%.3f "
		       "MB/s=%.1f\n",
		       a[0], (unsigned long long)o.size, o.etag, st.attempts,
		       dt, dt > 0 ? (double)o.size / dt / 1e6 : 0.0);
	} else if (!strcmp(cmd, "get") && na == 4) {
		size_t len = strtoull(a[2], NULL, 10), got = 0;
		char *buf = malloc(len ? len : 1);
		FILE *f = fopen(a[3], "wb");
		double t0 = now_s();
		rc = buf && f ? tier_get(b, a[0], strtoull(a[1], NULL, 10), len,
					 buf, &got, &st)
			      : -ENOMEM;
		double dt = now_s() - t0;
		if (rc == 0 && fwrite(buf, 1, got, f) != got)
			rc = -EIO;
		if (f)
			fclose(f);
		free(buf);
		if (rc) {
			rc = fail(&st, rc);
			goto out;
		}
		printf("get %s %zu bytes seconds=%.3f MB/s=%.1f\n", a[0], got,
		       dt, dt > 0 ? (double)got / dt / 1e6 : 0.0);
	} else if (!strcmp(cmd, "head") && na == 1) {
		rc = tier_head(b, a[0], &o, &st);
		if (rc) {
			rc = fail(&st, rc);
			goto out;
		}
		printf("size=%llu etag=%s\n", (unsigned long long)o.size, o.etag);
	} else if (!strcmp(cmd, "list") && (na == 1 || na == 2)) {
		struct tier_list_page all;
		rc = tier_list_all(b, a[0], na == 2 ? (unsigned)atoi(a[1]) : 1000,
				   &all, &st);
		if (rc) {
			rc = fail(&st, rc);
			goto out;
		}
		for (size_t k = 0; k < all.n; k++)
			printf("%s %llu\n", all.v[k].key,
			       (unsigned long long)all.v[k].size);
		tier_list_free(&all);
	} else if (!strcmp(cmd, "del") && na == 1) {
		rc = tier_delete(b, a[0], &st);
		if (rc) {
			rc = fail(&st, rc);
			goto out;
		}
		printf("deleted %s\n", a[0]);
	} else if (!strcmp(cmd, "ranges") && na == 3) {
		rc = cmd_ranges(b, a[0], a[1], strtoull(a[2], NULL, 10), &st);
	} else {
		rc = usage();
	}
out:
	tier_close(b);
	return rc;
}
