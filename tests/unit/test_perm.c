/*
 * tests/unit/test_perm.c — the permission function (nfsd/perm.h), pure:
 * which class of the mode applies (owner, group, supplementary groups,
 * others, root), the open-time owner override and read-if-exec, creating
 * and deleting (sticky directories), who may change which attribute, what
 * happens to the set-ID bits on chmod, chown, write and truncate, and
 * set-group-ID directories passing their group on. Each case is a
 * statement of Linux/POSIX behaviour; switching a check off (granting
 * what the mode refuses) fails it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "perm.h"

enum { OWNER = 1001, GROUP = 1001, OTHER = 2002, OTHERGRP = 2002,
       SUPP = 3003 };

static struct perm_id who(uint32_t uid, uint32_t gid)
{
	struct perm_id id;
	struct rpc_cred c;

	memset(&c, 0, sizeof(c));
	c.flavor = RPC_AUTH_SYS;
	c.uid = uid;
	c.gid = gid;
	perm_id_of(&c, &id);
	return id;
}

static struct ns_inode node(uint32_t type, uint32_t mode, uint32_t uid,
			    uint32_t gid)
{
	struct ns_inode i;

	memset(&i, 0, sizeof(i));
	i.fileid = 42;
	i.type = type;
	i.mode = mode;
	i.uid = uid;
	i.gid = gid;
	return i;
}

static void test_classes(void **state)
{
	struct ns_inode f = node(NS_REG, 0640, OWNER, GROUP);
	struct perm_id owner = who(OWNER, 1), member = who(OTHER, GROUP);
	struct perm_id other = who(OTHER, OTHERGRP), supp = who(OTHER, 7);

	(void)state;
	/* The owner's class applies to the owner even when the group's
	 * would give more (POSIX: first match). */
	assert_int_equal(perm_granted(&owner, &f), PERM_READ | PERM_WRITE);
	f.mode = 0070;
	assert_int_equal(perm_granted(&owner, &f), 0);
	assert_int_equal(perm_check(&owner, &f, PERM_READ), NFS4ERR_ACCESS);
	f.mode = 0640;
	assert_int_equal(perm_granted(&member, &f), PERM_READ);
	assert_int_equal(perm_check(&member, &f, PERM_WRITE), NFS4ERR_ACCESS);
	assert_int_equal(perm_granted(&other, &f), 0);
	assert_int_equal(perm_check(&other, &f, PERM_READ), NFS4ERR_ACCESS);
	/* A supplementary group counts like the primary one. */
	supp.gids[supp.ngids++] = GROUP;
	assert_int_equal(perm_granted(&supp, &f), PERM_READ);
	assert_true(perm_in_group(&supp, GROUP));
	assert_false(perm_in_group(&other, GROUP));
	/* Others' bits for everyone else. */
	f.mode = 0604;
	assert_int_equal(perm_granted(&other, &f), PERM_READ);
	assert_int_equal(perm_check(&member, &f, PERM_READ), NFS4ERR_ACCESS);
}

static void test_root(void **state)
{
	struct perm_id root = who(0, 0);
	struct ns_inode f = node(NS_REG, 0, OWNER, GROUP);
	struct ns_inode d = node(NS_DIR, 0, OWNER, GROUP);

	(void)state;
	assert_int_equal(perm_granted(&root, &f), PERM_READ | PERM_WRITE);
	f.mode = 0100; /* someone may run it: root may too */
	assert_int_equal(perm_granted(&root, &f),
			 PERM_READ | PERM_WRITE | PERM_EXEC);
	assert_int_equal(perm_granted(&root, &d),
			 PERM_READ | PERM_WRITE | PERM_EXEC);
	assert_int_equal(perm_may_delete(&root, &d, &f), NFS4_OK);
}

static void test_auth_none_is_nobody(void **state)
{
	struct rpc_cred c;
	struct perm_id id;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.flavor = RPC_AUTH_NONE;
	c.uid = 0; /* whatever it says */
	perm_id_of(&c, &id);
	assert_int_equal(id.uid, PERM_NOBODY);
	assert_int_equal(id.gid, PERM_NOBODY);
	assert_false(perm_is_root(&id));
}

static void test_open_override(void **state)
{
	struct ns_inode f = node(NS_REG, 0000, OWNER, GROUP);
	struct perm_id owner = who(OWNER, GROUP), other = who(OTHER, OTHERGRP);

	(void)state;
	/* No owner override at OPEN (pjdfstest open/06.t: the Linux client
	 * leaves write opens to the server); for a size change, yes. */
	assert_int_equal(perm_check_open(&owner, &f, PERM_WRITE),
			 NFS4ERR_ACCESS);
	assert_int_equal(perm_check_open(&other, &f, PERM_READ),
			 NFS4ERR_ACCESS);
	{
		unsigned m = NS_SET_SIZE;
		struct ns_inode a;

		assert_int_equal(perm_setattr(&owner, &f, 0, &m, &a), NFS4_OK);
		m = NS_SET_SIZE;
		assert_int_equal(perm_setattr(&other, &f, 0, &m, &a),
				 NFS4ERR_ACCESS);
	}
	/* Read-if-exec: a program others may run, they may load. */
	f.mode = 0711;
	assert_int_equal(perm_check_open(&other, &f, PERM_READ), NFS4_OK);
	assert_int_equal(perm_check_open(&other, &f, PERM_WRITE),
			 NFS4ERR_ACCESS);
	assert_int_equal(perm_check(&other, &f, PERM_READ), NFS4ERR_ACCESS);
}

static void test_create_and_delete(void **state)
{
	struct ns_inode d = node(NS_DIR, 0755, OWNER, GROUP);
	struct ns_inode mine = node(NS_REG, 0644, OTHER, OTHERGRP);
	struct ns_inode theirs = node(NS_REG, 0644, 4004, 4004);
	struct perm_id owner = who(OWNER, GROUP), other = who(OTHER, OTHERGRP);

	(void)state;
	assert_int_equal(perm_may_create(&owner, &d), NFS4_OK);
	assert_int_equal(perm_may_create(&other, &d), NFS4ERR_ACCESS);
	assert_int_equal(perm_may_delete(&other, &d, &mine), NFS4ERR_ACCESS);
	d.mode = 0333; /* write and search are enough */
	assert_int_equal(perm_may_create(&other, &d), NFS4_OK);
	d.mode = 0666; /* no search: no */
	assert_int_equal(perm_may_create(&other, &d), NFS4ERR_ACCESS);
	/* Sticky: only the entry's owner, the directory's owner, root. */
	d.mode = 01777;
	assert_int_equal(perm_may_delete(&other, &d, &mine), NFS4_OK);
	assert_int_equal(perm_may_delete(&other, &d, &theirs), NFS4ERR_PERM);
	assert_int_equal(perm_may_delete(&owner, &d, &theirs), NFS4_OK);
	d.mode = 0777;
	assert_int_equal(perm_may_delete(&other, &d, &theirs), NFS4_OK);
}

static void test_setattr_who(void **state)
{
	struct ns_inode f = node(NS_REG, 0644, OWNER, GROUP);
	struct perm_id owner = who(OWNER, GROUP), other = who(OTHER, OTHERGRP);
	struct perm_id root = who(0, 0);
	struct ns_inode a;
	unsigned m;

	(void)state;
	/* chmod: owner or root. */
	m = NS_SET_MODE;
	a.mode = 0600;
	assert_int_equal(perm_setattr(&other, &f, 0, &m, &a), NFS4ERR_PERM);
	assert_int_equal(perm_setattr(&owner, &f, 0, &m, &a), NFS4_OK);
	assert_int_equal(perm_setattr(&root, &f, 0, &m, &a), NFS4_OK);
	/* chown: root only; the owner may keep it. */
	m = NS_SET_UID;
	a.uid = OTHER;
	assert_int_equal(perm_setattr(&owner, &f, 0, &m, &a), NFS4ERR_PERM);
	assert_int_equal(perm_setattr(&other, &f, 0, &m, &a), NFS4ERR_PERM);
	assert_int_equal(perm_setattr(&root, &f, 0, &m, &a), NFS4_OK);
	m = NS_SET_UID;
	a.uid = OWNER;
	assert_int_equal(perm_setattr(&owner, &f, 0, &m, &a), NFS4_OK);
	/* chgrp: the owner, to one of their groups. */
	m = NS_SET_GID;
	a.gid = SUPP;
	assert_int_equal(perm_setattr(&owner, &f, 0, &m, &a), NFS4ERR_PERM);
	owner.gids[owner.ngids++] = SUPP;
	m = NS_SET_GID;
	assert_int_equal(perm_setattr(&owner, &f, 0, &m, &a), NFS4_OK);
	other.gids[other.ngids++] = SUPP;
	m = NS_SET_GID;
	assert_int_equal(perm_setattr(&other, &f, 0, &m, &a), NFS4ERR_PERM);
	/* Size: write permission, unless an open for write stands. */
	m = NS_SET_SIZE;
	assert_int_equal(perm_setattr(&other, &f, 0, &m, &a), NFS4ERR_ACCESS);
	m = NS_SET_SIZE;
	assert_int_equal(perm_setattr(&other, &f, 1, &m, &a), NFS4_OK);
	f.mode = 0646;
	m = NS_SET_SIZE;
	assert_int_equal(perm_setattr(&other, &f, 0, &m, &a), NFS4_OK);
	/* Times: explicit ones need the owner; "now" write permission. */
	m = NS_SET_MTIME;
	assert_int_equal(perm_setattr(&other, &f, 0, &m, &a), NFS4ERR_PERM);
	m = NS_SET_MTIME_NOW | NS_SET_ATIME_NOW;
	assert_int_equal(perm_setattr(&other, &f, 0, &m, &a), NFS4_OK);
	f.mode = 0644;
	m = NS_SET_MTIME_NOW;
	assert_int_equal(perm_setattr(&other, &f, 0, &m, &a), NFS4ERR_ACCESS);
	m = NS_SET_MTIME | NS_SET_ATIME;
	assert_int_equal(perm_setattr(&owner, &f, 0, &m, &a), NFS4_OK);
}

static void test_setid_on_chmod_and_chown(void **state)
{
	struct ns_inode f = node(NS_REG, 0755, OWNER, GROUP);
	struct ns_inode d = node(NS_DIR, 02755, OWNER, GROUP);
	struct perm_id owner = who(OWNER, 9), member = who(OWNER, GROUP);
	struct perm_id root = who(0, 0);
	struct ns_inode a;
	unsigned m;

	(void)state;
	/* chmod g+s by an owner outside the file's group: S_ISGID dropped
	 * (POSIX chmod()); inside it, kept; root keeps it. */
	m = NS_SET_MODE;
	a.mode = 02755;
	assert_int_equal(perm_setattr(&owner, &f, 0, &m, &a), NFS4_OK);
	assert_int_equal(a.mode, 0755);
	m = NS_SET_MODE;
	a.mode = 02755;
	assert_int_equal(perm_setattr(&member, &f, 0, &m, &a), NFS4_OK);
	assert_int_equal(a.mode, 02755);
	m = NS_SET_MODE;
	a.mode = 02755;
	assert_int_equal(perm_setattr(&root, &f, 0, &m, &a), NFS4_OK);
	assert_int_equal(a.mode, 02755);
	/* chown of a non-directory drops S_ISUID, and S_ISGID when group
	 * executable (knfsd/VFS), whoever does it; a directory keeps them. */
	f.mode = 06755;
	m = NS_SET_UID;
	a.uid = 5;
	assert_int_equal(perm_setattr(&root, &f, 0, &m, &a), NFS4_OK);
	assert_true(m & NS_SET_MODE);
	assert_int_equal(a.mode, 0755);
	f.mode = 06745; /* no group x: S_ISGID is a locking mark, kept */
	m = NS_SET_GID;
	a.gid = GROUP;
	assert_int_equal(perm_setattr(&member, &f, 0, &m, &a), NFS4_OK);
	assert_int_equal(a.mode, 02745);
	m = NS_SET_UID;
	a.uid = 5;
	assert_int_equal(perm_setattr(&root, &d, 0, &m, &a), NFS4_OK);
	assert_false(m & NS_SET_MODE);
}

static void test_setid_on_write(void **state)
{
	struct ns_inode f = node(NS_REG, 06777, OWNER, GROUP);
	struct perm_id other = who(OTHER, OTHERGRP), owner = who(OWNER, GROUP);
	struct perm_id root = who(0, 0);
	struct ns_inode a;
	unsigned m;

	(void)state;
	/* pjdfstest chmod/12.t: a write by a non-owner clears both. */
	assert_int_equal(perm_mode_after_write(&other, &f), 0777);
	/* Linux clears them for any writer without CAP_FSETID. */
	assert_int_equal(perm_mode_after_write(&owner, &f), 0777);
	assert_int_equal(perm_mode_after_write(&root, &f), 06777);
	f.mode = 06767;
	assert_int_equal(perm_mode_after_write(&other, &f), 02767);
	/* A truncate does the same. */
	f.mode = 04777;
	m = NS_SET_SIZE;
	assert_int_equal(perm_setattr(&other, &f, 1, &m, &a), NFS4_OK);
	assert_true(m & NS_SET_MODE);
	assert_int_equal(a.mode, 0777);
}

static void test_setgid_directory(void **state)
{
	struct ns_inode d = node(NS_DIR, 02775, OWNER, GROUP);
	struct perm_id other = who(OTHER, OTHERGRP), root = who(0, 0);
	uint32_t gid, mode;

	(void)state;
	/* Group passed on; a new directory inherits S_ISGID. */
	gid = OTHERGRP;
	mode = 0755;
	perm_new_object(&other, &d, NS_DIR, &gid, &mode);
	assert_int_equal(gid, GROUP);
	assert_int_equal(mode, 02755);
	gid = OTHERGRP;
	mode = 0644;
	perm_new_object(&other, &d, NS_REG, &gid, &mode);
	assert_int_equal(gid, GROUP);
	assert_int_equal(mode, 0644);
	/* A file asked with S_ISGID by a non-member of its group: dropped;
	 * root keeps it. */
	gid = OTHERGRP;
	mode = 02755;
	perm_new_object(&other, &d, NS_REG, &gid, &mode);
	assert_int_equal(mode, 0755);
	gid = 0;
	mode = 02755;
	perm_new_object(&root, &d, NS_REG, &gid, &mode);
	assert_int_equal(mode, 02755);
	/* A plain directory: the maker's group. */
	d.mode = 0775;
	gid = OTHERGRP;
	mode = 0755;
	perm_new_object(&other, &d, NS_DIR, &gid, &mode);
	assert_int_equal(gid, OTHERGRP);
	assert_int_equal(mode, 0755);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_auth_none_is_nobody),
		cmocka_unit_test(test_open_override),
		cmocka_unit_test(test_create_and_delete),
		cmocka_unit_test(test_setattr_who),
		cmocka_unit_test(test_setid_on_chmod_and_chown),
		cmocka_unit_test(test_setid_on_write),
		cmocka_unit_test(test_setgid_directory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
