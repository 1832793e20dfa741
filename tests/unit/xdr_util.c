/*
 * tests/unit/xdr_util.c -- helpers shared by the XDR round-trip tests
 * (contract in xdr_util.h).
 */
#include "xdr_util.h"

/* Aligned so xdrmem hands out inline windows (zero-copy path). */
_Alignas(8) char wire[WIRE_SIZE];
_Alignas(8) char wire2[WIRE_SIZE];

/* Fill helpers for the counted {len,val} shapes rpcgen produces. */
utf8string str(const char *s)
{
	utf8string u;
	u.utf8string_len = (u_int)strlen(s);
	u.utf8string_val = (char *)s;
	return u;
}

void check_str(const utf8string *u, const char *s)
{
	assert_int_equal(u->utf8string_len, strlen(s));
	if (u->utf8string_len)
		assert_memory_equal(u->utf8string_val, s, u->utf8string_len);
}

bitmap4 bm(uint32_t *words, u_int n)
{
	bitmap4 b;
	b.bitmap4_len = n;
	b.bitmap4_val = words;
	return b;
}

void check_bm(const bitmap4 *b, const uint32_t *words, u_int n)
{
	assert_int_equal(b->bitmap4_len, n);
	for (u_int i = 0; i < n; i++)
		assert_int_equal(b->bitmap4_val[i], words[i]);
}

nfs_fh4 fh(const char *bytes, u_int n)
{
	nfs_fh4 f;
	f.nfs_fh4_len = n;
	f.nfs_fh4_val = (char *)bytes;
	return f;
}

void check_fh(const nfs_fh4 *f, const char *bytes, u_int n)
{
	assert_int_equal(f->nfs_fh4_len, n);
	assert_memory_equal(f->nfs_fh4_val, bytes, n);
}

stateid4 sid(uint32_t seq, char fill)
{
	stateid4 s;
	s.seqid = seq;
	for (int i = 0; i < NFS4_OTHER_SIZE; i++)
		s.other[i] = (char)(fill + i);
	return s;
}

void check_sid(const stateid4 *a, const stateid4 *b)
{
	assert_int_equal(a->seqid, b->seqid);
	assert_memory_equal(a->other, b->other, NFS4_OTHER_SIZE);
}

void check_cinfo(const change_info4 *a, const change_info4 *b)
{
	assert_int_equal(a->atomic, b->atomic);
	assert_true(a->before == b->before);
	assert_true(a->after == b->after);
}

void check_fattr(const fattr4 *a, const fattr4 *b)
{
	check_bm(&a->attrmask, b->attrmask.bitmap4_val, b->attrmask.bitmap4_len);
	assert_int_equal(a->attr_vals.attrlist4_len, b->attr_vals.attrlist4_len);
	if (b->attr_vals.attrlist4_len)
		assert_memory_equal(a->attr_vals.attrlist4_val,
				    b->attr_vals.attrlist4_val,
				    b->attr_vals.attrlist4_len);
}

const char FH_A[] = "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b";
const char FH_B[] = "\xfe\xed\xfa\xce\x00\x00\x00\x01";

/* A small fattr4: mode (bit 33) + size (bit 4), values pre-encoded. */
uint32_t attr_words[2] = { 1u << FATTR4_SIZE, 1u << (FATTR4_MODE - 32) };
char attr_vals[12] = { 0, 0, 0, 0, 0, 0, 0x10, 0, /* size 4096 */
			      0, 0, 0x01, 0xa4 };         /* mode 0644 */

fattr4 sample_fattr(void)
{
	fattr4 f;
	f.attrmask = bm(attr_words, 2);
	f.attr_vals.attrlist4_len = sizeof(attr_vals);
	f.attr_vals.attrlist4_val = attr_vals;
	return f;
}
