/*
 * tiering/tier_xml.c — S3 response bodies with expat (tier_xml.h).
 *
 * One small SAX walk for all of them: the text of each element is
 * gathered, and at its end the element's path from the root
 * ("ListBucketResult/Contents/Key") and text go to a per-response
 * function. Expat does the parsing and the entities.
 */
#include "tier_xml.h"

#include <errno.h>
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XPATH_MAX 256
#define XTEXT_MAX 4096

struct xwalk {
	XML_Parser p;
	char path[XPATH_MAX];
	size_t plen[16];
	int depth;
	char text[XTEXT_MAX];
	size_t tlen;
	int overflow; /* a path or text too long for us: reject the body */
	char root[64];
	void (*on_end)(struct xwalk *w, const char *path, const char *text);
	void *ctx;
	int fail; /* set by on_end: a value we cannot accept */
	char why[160];
};

static void x_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
	struct xwalk *w = ud;
	size_t cur = strlen(w->path), nl = strlen(name);

	(void)attrs;
	if (w->depth == 0)
		snprintf(w->root, sizeof(w->root), "%s", name);
	if (w->depth >= 15 || cur + nl + 2 >= sizeof(w->path)) {
		w->overflow = 1;
		XML_StopParser(w->p, XML_FALSE);
		return;
	}
	w->plen[w->depth++] = cur;
	if (cur)
		w->path[cur++] = '/';
	memcpy(w->path + cur, name, nl + 1);
	w->tlen = 0;
	w->text[0] = '\0';
}

static void x_end(void *ud, const XML_Char *name)
{
	struct xwalk *w = ud;

	(void)name;
	if (w->depth <= 0)
		return;
	w->text[w->tlen] = '\0';
	if (w->on_end)
		w->on_end(w, w->path, w->text);
	w->path[w->plen[--w->depth]] = '\0';
	w->tlen = 0;
	w->text[0] = '\0';
	if (w->fail)
		XML_StopParser(w->p, XML_FALSE);
}

static void x_text(void *ud, const XML_Char *s, int len)
{
	struct xwalk *w = ud;

	if (w->tlen + (size_t)len >= sizeof(w->text)) {
		w->overflow = 1;
		XML_StopParser(w->p, XML_FALSE);
		return;
	}
	memcpy(w->text + w->tlen, s, (size_t)len);
	w->tlen += (size_t)len;
}

/* Parse BODY whole; 0, or -EIO with ERR. */
static int xwalk_run(struct xwalk *w, const char *body, size_t len,
		     const char *what, char *err, size_t errlen)
{
	int ok;

	w->p = XML_ParserCreate("UTF-8");
	if (!w->p) {
		snprintf(err, errlen, "%s: out of memory for the XML parser",
			 what);
		return -ENOMEM;
	}
	XML_SetUserData(w->p, w);
	XML_SetElementHandler(w->p, x_start, x_end);
	XML_SetCharacterDataHandler(w->p, x_text);
	ok = len <= (size_t)0x7fffffff &&
	     XML_Parse(w->p, body ? body : "", (int)len, XML_TRUE) ==
		     XML_STATUS_OK;
	if (!ok) {
		if (w->fail)
			snprintf(err, errlen, "%s: %s", what, w->why);
		else if (w->overflow)
			snprintf(err, errlen,
				 "%s: an element or its text is too long",
				 what);
		else
			snprintf(err, errlen,
				 "%s: malformed XML at line %lu: %s", what,
				 (unsigned long)XML_GetCurrentLineNumber(w->p),
				 XML_ErrorString(XML_GetErrorCode(w->p)));
	}
	XML_ParserFree(w->p);
	w->p = NULL;
	return ok ? 0 : -EIO;
}

void tier_etag_clean(char *out, size_t cap, const char *s, size_t len)
{
	while (len && (*s == '"' || *s == ' '))
		s++, len--;
	while (len && (s[len - 1] == '"' || s[len - 1] == ' ' ||
		       s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	if (len >= cap)
		len = cap - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

/* ---- ListObjectsV2 ---- */

struct list_ctx {
	struct tier_list_page *page;
	size_t cap;
	int have_key, have_size, have_trunc;
	struct tier_list_entry cur;
};

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* The entry gathered (C->cur) onto the page; C->cur starts afresh. */
static void page_add(struct xwalk *w, struct list_ctx *c)
{
	struct tier_list_page *pg = c->page;

	if (pg->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 32;
		void *nv = realloc(pg->v, ncap * sizeof(*pg->v));

		if (!nv) {
			w->fail = 1;
			snprintf(w->why, sizeof(w->why), "out of memory");
			return;
		}
		pg->v = nv;
		c->cap = ncap;
	}
	pg->v[pg->n++] = c->cur;
	memset(&c->cur, 0, sizeof(c->cur));
}

static void list_end(struct xwalk *w, const char *path, const char *text)
{
	struct list_ctx *c = w->ctx;
	struct tier_list_page *pg = c->page;

	if (!strcmp(path, "ListBucketResult/Contents/Key")) {
		free(c->cur.key);
		c->cur.key = strdup(text);
		c->have_key = c->cur.key != NULL;
	} else if (!strcmp(path, "ListBucketResult/Contents/Size")) {
		if (parse_u64(text, &c->cur.size)) {
			w->fail = 1;
			snprintf(w->why, sizeof(w->why), "bad Size '%.40s'",
				 text);
		}
		c->have_size = 1;
	} else if (!strcmp(path, "ListBucketResult/Contents/ETag")) {
		tier_etag_clean(c->cur.etag, sizeof(c->cur.etag), text,
				strlen(text));
	} else if (!strcmp(path, "ListBucketResult/Contents")) {
		if (!c->have_key || !c->have_size) {
			w->fail = 1;
			snprintf(w->why, sizeof(w->why),
				 "a Contents entry without Key or Size");
			return;
		}
		page_add(w, c);
		c->have_key = c->have_size = 0;
	} else if (!strcmp(path, "ListBucketResult/IsTruncated")) {
		if (!strcmp(text, "true"))
			pg->truncated = 1;
		else if (strcmp(text, "false")) {
			w->fail = 1;
			snprintf(w->why, sizeof(w->why),
				 "bad IsTruncated '%.40s'", text);
		}
		c->have_trunc = 1;
	} else if (!strcmp(path, "ListBucketResult/NextContinuationToken")) {
		free(pg->next);
		pg->next = strdup(text);
	}
}

int tier_xml_list(const char *body, size_t len, struct tier_list_page *page,
		  char *err, size_t errlen)
{
	struct list_ctx c = {.page = page};
	struct xwalk w = {.on_end = list_end, .ctx = &c};
	int rc;

	memset(page, 0, sizeof(*page));
	rc = xwalk_run(&w, body, len, "ListObjectsV2 answer", err, errlen);
	free(c.cur.key);
	if (rc == 0 && strcmp(w.root, "ListBucketResult")) {
		snprintf(err, errlen,
			 "ListObjectsV2 answer: root element '%.40s', not "
			 "ListBucketResult",
			 w.root);
		rc = -EIO;
	} else if (rc == 0 && !c.have_trunc) {
		snprintf(err, errlen, "ListObjectsV2 answer: no IsTruncated");
		rc = -EIO;
	} else if (rc == 0 && page->truncated && (!page->next || !*page->next)) {
		snprintf(err, errlen,
			 "ListObjectsV2 answer: truncated without "
			 "NextContinuationToken");
		rc = -EIO;
	}
	if (rc == 0 && !page->truncated) {
		free(page->next);
		page->next = NULL;
	}
	if (rc)
		tier_list_free(page);
	return rc;
}

/* ---- ListMultipartUploads ---- */

#define UPL "ListMultipartUploadsResult/"

static void uploads_end(struct xwalk *w, const char *path, const char *text)
{
	struct list_ctx *c = w->ctx;
	struct tier_list_page *pg = c->page;
	char **slot = !strcmp(path, UPL "Upload/Key")	     ? &c->cur.key
		      : !strcmp(path, UPL "Upload/UploadId") ? &c->cur.upload_id
		      : !strcmp(path, UPL "NextKeyMarker")   ? &pg->next
		      : !strcmp(path, UPL "NextUploadIdMarker")
			      ? &pg->next_upload
			      : NULL;

	if (slot) {
		free(*slot);
		*slot = strdup(text);
		if (!*slot) {
			w->fail = 1;
			snprintf(w->why, sizeof(w->why), "out of memory");
		}
	} else if (!strcmp(path, UPL "Upload")) {
		if (!c->cur.key || !c->cur.upload_id) {
			w->fail = 1;
			snprintf(w->why, sizeof(w->why),
				 "an Upload without Key or UploadId");
			return;
		}
		page_add(w, c);
	} else if (!strcmp(path, UPL "IsTruncated")) {
		pg->truncated = !strcmp(text, "true");
		c->have_trunc = 1;
		if (!pg->truncated && strcmp(text, "false")) {
			w->fail = 1;
			snprintf(w->why, sizeof(w->why),
				 "bad IsTruncated '%.40s'", text);
		}
	}
}

int tier_xml_uploads(const char *body, size_t len, struct tier_list_page *page,
		     char *err, size_t errlen)
{
	struct list_ctx c = {.page = page};
	struct xwalk w = {.on_end = uploads_end, .ctx = &c};
	int rc;

	memset(page, 0, sizeof(*page));
	rc = xwalk_run(&w, body, len, "ListMultipartUploads answer", err,
		       errlen);
	free(c.cur.key);
	free(c.cur.upload_id);
	if (rc == 0 && strcmp(w.root, "ListMultipartUploadsResult")) {
		snprintf(err, errlen,
			 "ListMultipartUploads answer: root element '%.40s'",
			 w.root);
		rc = -EIO;
	} else if (rc == 0 && !c.have_trunc) {
		snprintf(err, errlen,
			 "ListMultipartUploads answer: no IsTruncated");
		rc = -EIO;
	} else if (rc == 0 && page->truncated &&
		   (!page->next || !*page->next)) {
		snprintf(err, errlen, "ListMultipartUploads answer: truncated "
				      "without NextKeyMarker");
		rc = -EIO;
	}
	if (rc == 0 && !page->truncated) {
		free(page->next);
		free(page->next_upload);
		page->next = page->next_upload = NULL;
	}
	if (rc)
		tier_list_free(page);
	return rc;
}

/* ---- InitiateMultipartUpload, CompleteMultipartUpload, Error ---- */

struct one_ctx {
	const char *want; /* path of the wanted element */
	char *out;
	size_t cap;
	int found;
	char code[64];
	char msg[256];
};

static void one_end(struct xwalk *w, const char *path, const char *text)
{
	struct one_ctx *c = w->ctx;

	if (!strcmp(path, c->want)) {
		snprintf(c->out, c->cap, "%s", text);
		c->found = 1;
	} else if (!strcmp(path, "Error/Code")) {
		snprintf(c->code, sizeof(c->code), "%s", text);
	} else if (!strcmp(path, "Error/Message")) {
		snprintf(c->msg, sizeof(c->msg), "%s", text);
	}
}

int tier_xml_upload_id(const char *body, size_t len, char *id, size_t idlen,
		       char *err, size_t errlen)
{
	struct one_ctx c = {.want = "InitiateMultipartUploadResult/UploadId",
			    .out = id,
			    .cap = idlen};
	struct xwalk w = {.on_end = one_end, .ctx = &c};
	int rc;

	id[0] = '\0';
	rc = xwalk_run(&w, body, len, "InitiateMultipartUpload answer", err,
		       errlen);
	if (rc == 0 && (!c.found || !id[0])) {
		snprintf(err, errlen,
			 "InitiateMultipartUpload answer: no UploadId "
			 "(root '%.40s')",
			 w.root);
		rc = -EIO;
	}
	return rc;
}

int tier_xml_complete(const char *body, size_t len, char *etag,
		      size_t etaglen, char *code, size_t codelen, char *err,
		      size_t errlen)
{
	char raw[TIER_ETAG_MAX + 8];
	struct one_ctx c = {.want = "CompleteMultipartUploadResult/ETag",
			    .out = raw,
			    .cap = sizeof(raw)};
	struct xwalk w = {.on_end = one_end, .ctx = &c};
	int rc;

	etag[0] = '\0';
	code[0] = '\0';
	rc = xwalk_run(&w, body, len, "CompleteMultipartUpload answer", err,
		       errlen);
	if (rc)
		return rc;
	if (!strcmp(w.root, "Error")) {
		snprintf(code, codelen, "%s", c.code);
		snprintf(err, errlen,
			 "CompleteMultipartUpload failed in a 200 answer: "
			 "%s: %s",
			 c.code, c.msg);
		return -EIO;
	}
	if (!c.found) {
		snprintf(err, errlen,
			 "CompleteMultipartUpload answer: no ETag (root "
			 "'%.40s')",
			 w.root);
		return -EIO;
	}
	tier_etag_clean(etag, etaglen, raw, strlen(raw));
	return 0;
}

int tier_xml_error(const char *body, size_t len, char *code, size_t codelen,
		   char *msg, size_t msglen)
{
	char dummy[8];
	struct one_ctx c = {.want = "-", .out = dummy, .cap = sizeof(dummy)};
	struct xwalk w = {.on_end = one_end, .ctx = &c};
	char err[64];

	code[0] = msg[0] = '\0';
	if (!body || len == 0 || xwalk_run(&w, body, len, "Error", err,
					   sizeof(err)) != 0 ||
	    strcmp(w.root, "Error") || !c.code[0])
		return -EIO;
	snprintf(code, codelen, "%s", c.code);
	snprintf(msg, msglen, "%s", c.msg);
	return 0;
}

char *tier_xml_complete_body(char (*etags)[TIER_ETAG_MAX], unsigned n)
{
	/* Per part: <Part><PartNumber>N</PartNumber><ETag>"E"</ETag></Part>,
	 * the ETag escaped (it is hex and '-', but escape anyway). */
	size_t cap = 128 + (size_t)n * (64 + 6 * TIER_ETAG_MAX), o = 0;
	char *b = malloc(cap);

	if (!b)
		return NULL;
	o += (size_t)snprintf(b + o, cap - o, "<CompleteMultipartUpload>");
	for (unsigned i = 0; i < n; i++) {
		o += (size_t)snprintf(b + o, cap - o,
				      "<Part><PartNumber>%u</PartNumber><ETag>"
				      "&quot;",
				      i + 1);
		for (const char *s = etags[i]; *s; s++) {
			const char *rep = *s == '&'   ? "&amp;"
					  : *s == '<' ? "&lt;"
					  : *s == '>' ? "&gt;"
					  : *s == '"' ? "&quot;"
						      : NULL;
			if (rep)
				o += (size_t)snprintf(b + o, cap - o, "%s",
						      rep);
			else
				b[o++] = *s;
		}
		o += (size_t)snprintf(b + o, cap - o, "&quot;</ETag></Part>");
	}
	snprintf(b + o, cap - o, "</CompleteMultipartUpload>");
	return b;
}
