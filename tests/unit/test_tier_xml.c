/*
 * tests/unit/test_tier_xml.c -- tiering/tier_xml.h: the S3 answers the
 * tier reads (ListObjectsV2, ListMultipartUploads,
 * Initiate/CompleteMultipartUpload, Error) and
 * the CompleteMultipartUpload body it writes. A listing cut short or
 * malformed anywhere is an error, never a shorter list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include <cmocka.h>

#include "tier_backend.h"
#include "tier_xml.h"

#define NS "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""

static const char list_truncated[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<ListBucketResult " NS "><Name>bkt</Name><Prefix>s/</Prefix>"
	"<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>"
	"<IsTruncated>true</IsTruncated>"
	"<Contents><Key>s/a&amp;b</Key><LastModified>2026-12-06T00:00:00"
	".000Z</LastModified><ETag>&quot;9a93b714&quot;</ETag>"
	"<Size>3000</Size><StorageClass>STANDARD</StorageClass></Contents>"
	"<Contents><Key>s/big</Key><ETag>\"6693b4a1-10\"</ETag>"
	"<Size>75509817</Size></Contents>"
	"<NextContinuationToken>czEvYmln+/=</NextContinuationToken>"
	"</ListBucketResult>";

static void test_list_page(void **state)
{
	struct tier_list_page pg;
	char err[256];

	(void)state;
	assert_int_equal(tier_xml_list(list_truncated, strlen(list_truncated),
				       &pg, err, sizeof(err)),
			 0);
	assert_int_equal(pg.n, 2);
	assert_string_equal(pg.v[0].key, "s/a&b");
	assert_true(pg.v[0].size == 3000);
	assert_string_equal(pg.v[0].etag, "9a93b714");
	assert_string_equal(pg.v[1].key, "s/big");
	assert_true(pg.v[1].size == 75509817);
	assert_string_equal(pg.v[1].etag, "6693b4a1-10");
	assert_true(pg.truncated);
	assert_string_equal(pg.next, "czEvYmln+/=");
	tier_list_free(&pg);
}

static void test_list_last_and_empty(void **state)
{
	const char *last = "<ListBucketResult><IsTruncated>false</IsTruncated>"
			   "<Contents><Key>k</Key><Size>0</Size></Contents>"
			   "</ListBucketResult>";
	const char *empty = "<ListBucketResult " NS "><KeyCount>0</KeyCount>"
			    "<IsTruncated>false</IsTruncated>"
			    "</ListBucketResult>";
	struct tier_list_page pg;
	char err[256];

	(void)state;
	assert_int_equal(tier_xml_list(last, strlen(last), &pg, err,
				       sizeof(err)),
			 0);
	assert_int_equal(pg.n, 1);
	assert_false(pg.truncated);
	assert_null(pg.next);
	tier_list_free(&pg);
	assert_int_equal(tier_xml_list(empty, strlen(empty), &pg, err,
				       sizeof(err)),
			 0);
	assert_int_equal(pg.n, 0);
	tier_list_free(&pg);
}

/* Every strict prefix of a good answer: an error, and nothing listed. */
static void test_list_cut_anywhere(void **state)
{
	struct tier_list_page pg;
	char err[256];
	size_t len = strlen(list_truncated);

	(void)state;
	for (size_t cut = 0; cut < len; cut++) {
		err[0] = '\0';
		assert_int_equal(tier_xml_list(list_truncated, cut, &pg, err,
					       sizeof(err)),
				 -EIO);
		assert_int_equal(pg.n, 0);
		assert_null(pg.v);
		assert_true(err[0] != '\0');
	}
}

static void test_list_malformed(void **state)
{
	const struct {
		const char *body, *says;
	} bad[] = {
		{"<ListBucketResult><Contents><Key>a</Contents>"
		 "</ListBucketResult>",
		 "malformed"},
		{"<ListBucketResult><IsTruncated>false</IsTruncated>"
		 "<Contents><Key>a</Key><Size>12x</Size></Contents>"
		 "</ListBucketResult>",
		 "Size"},
		{"<ListBucketResult><IsTruncated>false</IsTruncated>"
		 "<Contents><Key>a</Key><Size>-1</Size></Contents>"
		 "</ListBucketResult>",
		 "Size"},
		{"<ListBucketResult><IsTruncated>false</IsTruncated>"
		 "<Contents><Key>a</Key></Contents></ListBucketResult>",
		 "without Key or Size"},
		{"<ListBucketResult><IsTruncated>maybe</IsTruncated>"
		 "</ListBucketResult>",
		 "IsTruncated"},
		{"<ListBucketResult><Contents><Key>a</Key><Size>1</Size>"
		 "</Contents></ListBucketResult>",
		 "no IsTruncated"},
		{"<ListBucketResult><IsTruncated>true</IsTruncated>"
		 "<Contents><Key>a</Key><Size>1</Size></Contents>"
		 "</ListBucketResult>",
		 "NextContinuationToken"},
		{"<Error><Code>InternalError</Code></Error>", "root element"},
		{"<html><body>502 Bad Gateway</body></html>", "root element"},
		{"not xml at all", "malformed"},
		{"", "malformed"},
	};
	struct tier_list_page pg;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(tier_xml_list(bad[i].body, strlen(bad[i].body),
					       &pg, err, sizeof(err)),
				 -EIO);
		assert_int_equal(pg.n, 0);
		if (!strstr(err, bad[i].says))
			fail_msg("case %zu: '%s' lacks '%s'", i, err,
				 bad[i].says);
	}
}

/* ListMultipartUploads as Swift's s3api answers it. */
static const char uploads_truncated[] =
	"<?xml version='1.0' encoding='UTF-8'?>\n"
	"<ListMultipartUploadsResult " NS "><Bucket>b</Bucket><KeyMarker>"
	"</KeyMarker><UploadIdMarker></UploadIdMarker><NextKeyMarker>s/k2"
	"</NextKeyMarker><NextUploadIdMarker>ZTRl</NextUploadIdMarker>"
	"<MaxUploads>2</MaxUploads><IsTruncated>true</IsTruncated>"
	"<Upload><Key>s/k1</Key><UploadId>NmQ2</UploadId><Initiator><ID>t"
	"</ID></Initiator><StorageClass>STANDARD</StorageClass><Initiated>"
	"2026-12-07T00:25:59.000Z</Initiated></Upload>"
	"<Upload><Key>s/k2</Key><UploadId>ZTRl</UploadId></Upload>"
	"</ListMultipartUploadsResult>";

static void test_uploads(void **state)
{
	struct tier_list_page pg;
	char err[256], *bad;
	const char *last = "<ListMultipartUploadsResult><IsTruncated>false"
			   "</IsTruncated><NextKeyMarker>x</NextKeyMarker>"
			   "</ListMultipartUploadsResult>";

	(void)state;
	assert_int_equal(tier_xml_uploads(uploads_truncated,
					  strlen(uploads_truncated), &pg, err,
					  sizeof(err)),
			 0);
	assert_int_equal(pg.n, 2);
	assert_string_equal(pg.v[0].key, "s/k1");
	assert_string_equal(pg.v[0].upload_id, "NmQ2");
	assert_string_equal(pg.v[1].key, "s/k2");
	assert_string_equal(pg.v[1].upload_id, "ZTRl");
	assert_true(pg.truncated);
	assert_string_equal(pg.next, "s/k2");
	assert_string_equal(pg.next_upload, "ZTRl");
	tier_list_free(&pg);
	/* The last page: no markers kept. */
	assert_int_equal(tier_xml_uploads(last, strlen(last), &pg, err,
					  sizeof(err)),
			 0);
	assert_int_equal(pg.n, 0);
	assert_false(pg.truncated);
	assert_null(pg.next);
	tier_list_free(&pg);
	/* Cut anywhere, an Upload without its id, no IsTruncated, another
	 * root: errors, never a shorter list. */
	for (size_t n = 0; n < strlen(uploads_truncated); n++)
		assert_int_equal(tier_xml_uploads(uploads_truncated, n, &pg,
						  err, sizeof(err)),
				 -EIO);
	bad = strdup(uploads_truncated);
	memcpy(strstr(bad, "<UploadId>NmQ2</UploadId>"),
	       "<Uploadxx>NmQ2</Uploadxx>", 25);
	assert_int_equal(tier_xml_uploads(bad, strlen(bad), &pg, err,
					  sizeof(err)),
			 -EIO);
	assert_non_null(strstr(err, "without Key or UploadId"));
	free(bad);
	assert_int_equal(tier_xml_uploads("<ListMultipartUploadsResult/>", 29,
					  &pg, err, sizeof(err)),
			 -EIO);
	assert_int_equal(tier_xml_uploads(list_truncated,
					  strlen(list_truncated), &pg, err,
					  sizeof(err)),
			 -EIO);
}

static void test_upload_id(void **state)
{
	const char *good =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		"<InitiateMultipartUploadResult " NS "><Bucket>b</Bucket>"
		"<Key>k</Key><UploadId>ZDA1NmU2-Nzc3&amp;</UploadId>"
		"</InitiateMultipartUploadResult>";
	const char *none = "<InitiateMultipartUploadResult><Key>k</Key>"
			   "</InitiateMultipartUploadResult>";
	char id[128], err[256];

	(void)state;
	assert_int_equal(tier_xml_upload_id(good, strlen(good), id, sizeof(id),
					    err, sizeof(err)),
			 0);
	assert_string_equal(id, "ZDA1NmU2-Nzc3&");
	assert_int_equal(tier_xml_upload_id(none, strlen(none), id, sizeof(id),
					    err, sizeof(err)),
			 -EIO);
	assert_non_null(strstr(err, "no UploadId"));
	assert_int_equal(tier_xml_upload_id(good, strlen(good) - 5, id,
					    sizeof(id), err, sizeof(err)),
			 -EIO);
}

static void test_complete(void **state)
{
	const char *good = "<CompleteMultipartUploadResult " NS ">"
			   "<Location>/b/k</Location><Bucket>b</Bucket>"
			   "<Key>k</Key><ETag>\"a814af8a-10\"</ETag>"
			   "</CompleteMultipartUploadResult>";
	/* S3 may answer 200 and still fail, in the body */
	const char *err200 = "<?xml version=\"1.0\"?>\n<Error><Code>"
			     "InternalError</Code><Message>We encountered an "
			     "internal error.</Message></Error>";
	char etag[TIER_ETAG_MAX], code[64], err[256];

	(void)state;
	assert_int_equal(tier_xml_complete(good, strlen(good), etag,
					   sizeof(etag), code, sizeof(code),
					   err, sizeof(err)),
			 0);
	assert_string_equal(etag, "a814af8a-10");
	assert_int_equal(tier_xml_complete(err200, strlen(err200), etag,
					   sizeof(etag), code, sizeof(code),
					   err, sizeof(err)),
			 -EIO);
	assert_string_equal(code, "InternalError");
	assert_non_null(strstr(err, "200"));
	assert_non_null(strstr(err, "internal error"));
	/* cut short: the "200 with whitespace, then the body" case */
	assert_int_equal(tier_xml_complete(good, 40, etag, sizeof(etag), code,
					   sizeof(code), err, sizeof(err)),
			 -EIO);
	assert_int_equal(tier_xml_complete("<Other/>", 8, etag, sizeof(etag),
					   code, sizeof(code), err,
					   sizeof(err)),
			 -EIO);
}

static void test_error_body(void **state)
{
	const char *body = "<?xml version='1.0' encoding='UTF-8'?>\n<Error>"
			   "<Code>SignatureDoesNotMatch</Code><Message>The "
			   "request signature we calculated does not match"
			   "</Message><RequestId>tx1</RequestId></Error>";
	char code[64], msg[256];

	(void)state;
	assert_int_equal(tier_xml_error(body, strlen(body), code, sizeof(code),
					msg, sizeof(msg)),
			 0);
	assert_string_equal(code, "SignatureDoesNotMatch");
	assert_string_equal(msg, "The request signature we calculated does "
				 "not match");
	assert_int_equal(tier_xml_error(body, strlen(body) - 3, code,
					sizeof(code), msg, sizeof(msg)),
			 -EIO);
	assert_int_equal(tier_xml_error("<html/>", 7, code, sizeof(code), msg,
					sizeof(msg)),
			 -EIO);
	assert_int_equal(tier_xml_error(NULL, 0, code, sizeof(code), msg,
					sizeof(msg)),
			 -EIO);
	assert_string_equal(code, "");
}

static void test_complete_body(void **state)
{
	char etags[2][TIER_ETAG_MAX] = {"abc", "d&e<f"};
	char *b = tier_xml_complete_body(etags, 2);

	(void)state;
	assert_non_null(b);
	assert_string_equal(
		b, "<CompleteMultipartUpload>"
		   "<Part><PartNumber>1</PartNumber><ETag>&quot;abc&quot;"
		   "</ETag></Part>"
		   "<Part><PartNumber>2</PartNumber><ETag>&quot;d&amp;e&lt;f"
		   "&quot;</ETag></Part>"
		   "</CompleteMultipartUpload>");
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_page),
		cmocka_unit_test(test_list_last_and_empty),
		cmocka_unit_test(test_list_cut_anywhere),
		cmocka_unit_test(test_list_malformed),
		cmocka_unit_test(test_uploads),
		cmocka_unit_test(test_upload_id),
		cmocka_unit_test(test_complete),
		cmocka_unit_test(test_error_body),
		cmocka_unit_test(test_complete_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
