/*
 * tiering/tier_xml.h — the S3 XML the tier reads (with expat) and the one
 * body it writes.
 *
 * Read: ListObjectsV2 (ListBucketResult), ListMultipartUploads
 * (ListMultipartUploadsResult), InitiateMultipartUpload
 * (InitiateMultipartUploadResult), CompleteMultipartUpload (its result, or
 * an Error in a 200 answer), and Error bodies. A body that is not
 * well-formed XML, is cut short, has another root element or lacks a
 * required element is an error (-EIO), never a partial result: the
 * listing must fail closed. ERR gets one line saying what was wrong.
 */
#ifndef STRATA_TIER_XML_H
#define STRATA_TIER_XML_H

#include <stddef.h>

#include "tier_backend.h"

/* ListObjectsV2: entries, IsTruncated (required) and
 * NextContinuationToken into PAGE (freed with tier_list_free()). */
int tier_xml_list(const char *body, size_t len, struct tier_list_page *page,
		  char *err, size_t errlen);
/* ListMultipartUploads: entries (Key and UploadId, both required),
 * IsTruncated (required), NextKeyMarker and NextUploadIdMarker into PAGE
 * (next and next_upload; freed with tier_list_free()). */
int tier_xml_uploads(const char *body, size_t len, struct tier_list_page *page,
		     char *err, size_t errlen);
/* InitiateMultipartUpload: the UploadId into ID. */
int tier_xml_upload_id(const char *body, size_t len, char *id, size_t idlen,
		       char *err, size_t errlen);
/* CompleteMultipartUpload: 0 and the ETag (quotes removed); a body whose
 * root is Error gives -EIO with CODE and ERR from it. */
int tier_xml_complete(const char *body, size_t len, char *etag,
		      size_t etaglen, char *code, size_t codelen, char *err,
		      size_t errlen);
/* An Error body: 0 with CODE and MSG, or -EIO if it is not one. */
int tier_xml_error(const char *body, size_t len, char *code, size_t codelen,
		   char *msg, size_t msglen);

/* The CompleteMultipartUpload request body for N parts whose ETags are
 * ETAGS[0..N-1] (numbered from 1); malloc'd, NUL-terminated, or NULL. */
char *tier_xml_complete_body(char (*etags)[TIER_ETAG_MAX], unsigned n);

/* Copy ETag S without surrounding quotes into OUT. */
void tier_etag_clean(char *out, size_t cap, const char *s, size_t len);

#endif
