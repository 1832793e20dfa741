/* tests/unit/test_util_ch.c — see test_util_ch.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fh.h"
#include "test_util_ch.h"

void tu_free_client(struct ch_client *cl)
{
	ch_client_fini(cl);
	free(cl);
}

uint64_t tu_fileid(const struct fh *fh)
{
	uint64_t fileid = 0;
	uint32_t gen;

	assert_int_equal(fh_decode((const uint8_t *)fh->b, fh->fh.nfs_fh4_len,
				   &fileid, &gen),
			 0);
	return fileid;
}

const char *tu_uniq(const char *prefix)
{
	static char buf[8][64];
	static unsigned n;
	char *b = buf[n % 8];

	snprintf(b, sizeof(buf[0]), "%s-%u", prefix, n++);
	return b;
}

void tu_save_fh(struct ch_client *cl, unsigned i, struct fh *out)
{
	nfs_resop4 *r = ch_res(cl, i);
	nfs_fh4 *f;

	assert_non_null(r);
	assert_int_equal(r->resop, OP_GETFH);
	f = &r->nfs_resop4_u.opgetfh.GETFH4res_u.resok4.object;
	assert_true(f->nfs_fh4_len <= sizeof(out->b));
	memcpy(out->b, f->nfs_fh4_val, f->nfs_fh4_len);
	out->fh.nfs_fh4_len = f->nfs_fh4_len;
	out->fh.nfs_fh4_val = out->b;
}

stateid4 tu_open_sid(struct ch_client *cl, unsigned i)
{
	nfs_resop4 *r = ch_res(cl, i);

	assert_non_null(r);
	assert_int_equal(r->resop, OP_OPEN);
	return r->nfs_resop4_u.opopen.OPEN4res_u.resok4.stateid;
}

uint64_t tu_size(struct ch_client *cl, const struct fh *fh)
{
	uint32_t w[1] = { 1u << FATTR4_SIZE };
	nfs_argop4 ops[3] = { ch_op_seq(cl, 0, 0), ch_op_putfh(&fh->fh),
			      ch_op_getattr(w, 1) };
	uint64_t size = 0;

	assert_int_equal(ch_call(cl, 1, ops, 3), NFS4_OK);
	assert_int_equal(ch_attr_u64(&ch_res(cl, 2)->nfs_resop4_u.opgetattr
					      .GETATTR4res_u.resok4
					      .obj_attributes,
				     FATTR4_SIZE, &size),
			 0);
	return size;
}

int tu_setattr_size(struct ch_client *cl, const struct fh *fh,
		    const stateid4 *sid, uint64_t size)
{
	uint32_t word;
	char val[8];
	nfs_argop4 ops[3] = { ch_op_seq(cl, 0, 0), ch_op_putfh(&fh->fh),
			      ch_op_setattr_size(sid, size, &word, val) };

	return ch_call(cl, 1, ops, 3);
}
