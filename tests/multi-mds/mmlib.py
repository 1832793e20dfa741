"""tests/multi-mds/mmlib.py -- what the multi-node raw-client tests share.

pynfs is imported at run time from its build outside the tree (never
copied in); `load(dir)` puts it on sys.path and returns the modules the
tests use. `Checks` prints one PASS/FAIL line per check and counts them.
"""
import contextlib
import io
import logging
import os
import sys


def load(d, who):
    """Import pynfs's client library from D; exits when it is not there."""
    if not d or not os.path.isfile(os.path.join(d, "nfs4.1", "nfs4client.py")):
        sys.exit("%s: pynfs not found (--pynfs DIR or $PYNFS_DIR)" % who)
    sys.path[0:0] = [os.path.join(d, "nfs4.1"), os.path.join(d, "xdr"), d]
    with contextlib.redirect_stdout(io.StringIO()):   # "no gssapi module"
        import nfs4client
        import nfs_ops
        import nfs4lib
        from rpc.security import AuthSys
    logging.disable(logging.INFO)
    return nfs4client, nfs_ops.NFS4ops(), nfs4lib, AuthSys


class Checks:
    def __init__(self):
        self.failed = 0

    def __call__(self, ok, cid, what, detail=""):
        print("%s  %s  %s%s" % ("PASS" if ok else "FAIL", cid, what,
                                ("  (" + detail + ")") if detail else ""))
        if not ok:
            self.failed += 1


def hostport(s):
    h, _, p = s.rpartition(":")
    return h, int(p)


class Client:
    """One raw NFSv4.1 client (its own client id and session) on WHERE.

    NFS is the module tuple from load(); the methods answer (status, value)
    and never raise on an NFS error: the tests check the statuses."""

    def __init__(self, nfs, where, tag, uid=0, gid=0):
        nfs4client, self.op, self.lib, AuthSys = nfs
        from xdrdef import nfs4_const as k
        from xdrdef import nfs4_type as t
        self.k, self.t = k, t
        h, p = hostport(where)
        self.c = nfs4client.NFS4Client(h, p, minorversion=1)
        self.c.set_cred(AuthSys().init_cred(uid=uid, gid=gid,
                                            name=b"strata-mm", gids=[gid]))
        self.s = self.c.new_client_session(tag)
        self.clientid = self.s.client.clientid
        self.n = 0

    def comp(self, ops):
        return self.s.compound(ops)

    def root(self):
        res = self.comp([self.op.putrootfh(), self.op.getfh()])
        return res.resarray[-1].object

    def mkdir(self, parent, name):
        st, fh, _ = self.mkdir_ci(parent, name)
        return st, fh

    def mkdir_ci(self, parent, name):
        """CREATE of a directory: (status, handle, change_info4)."""
        op, k, t = self.op, self.k, self.t
        res = self.comp([op.putfh(parent),
                         op.create(t.createtype4(k.NF4DIR), name,
                                   {k.FATTR4_MODE: 0o755}),
                         op.getfh()])
        if res.status != k.NFS4_OK:
            return res.status, None, None
        return k.NFS4_OK, res.resarray[-1].object, res.resarray[-2].cinfo

    def create_file(self, dirfh, name, data):
        """OPEN(create) + WRITE(FILE_SYNC) + CLOSE; the status of the
        first that failed, and the file's handle."""
        op, k, t = self.op, self.k, self.t
        self.n += 1
        how = t.openflag4(k.OPEN4_CREATE,
                          t.createhow4(k.GUARDED4, {k.FATTR4_MODE: 0o644}))
        res = self.comp([op.putfh(dirfh),
                         op.open(0, k.OPEN4_SHARE_ACCESS_BOTH |
                                 k.OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
                                 k.OPEN4_SHARE_DENY_NONE,
                                 t.open_owner4(self.clientid, b"mm-%d" % self.n),
                                 how, t.open_claim4(k.CLAIM_NULL, name)),
                         op.getfh()])
        if res.status != k.NFS4_OK:
            return res.status, None
        fh, sid = res.resarray[-1].object, res.resarray[-2].stateid
        st = self.comp([op.putfh(fh), op.write(sid, 0, k.FILE_SYNC4, data)]).status
        if st == k.NFS4_OK:
            st = self.comp([op.putfh(fh), op.close(0, sid)]).status
        return st, fh

    def read_all(self, dirfh, name):
        """LOOKUP + OPEN by handle (read) + READ + CLOSE: (status, bytes)."""
        op, k, t = self.op, self.k, self.t
        self.n += 1
        res = self.comp([op.putfh(dirfh),
                         op.open(0, k.OPEN4_SHARE_ACCESS_READ |
                                 k.OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
                                 k.OPEN4_SHARE_DENY_NONE,
                                 t.open_owner4(self.clientid, b"mm-%d" % self.n),
                                 t.openflag4(k.OPEN4_NOCREATE),
                                 t.open_claim4(k.CLAIM_NULL, name)),
                         op.getfh()])
        if res.status != k.NFS4_OK:
            return res.status, None
        fh, sid = res.resarray[-1].object, res.resarray[-2].stateid
        rd = self.comp([op.putfh(fh), op.read(sid, 0, 1 << 20)])
        self.comp([op.putfh(fh), op.close(0, sid)])
        if rd.status != k.NFS4_OK:
            return rd.status, None
        return k.NFS4_OK, rd.resarray[-1].switch.switch.data

    def names(self, dirfh, maxcount=32768):
        """Every name of the directory through READDIR pages of MAXCOUNT
        bytes: (status, list in the server's order)."""
        op, k = self.op, self.k
        out, cookie, verf = [], 0, b"\0" * 8
        while True:
            res = self.comp([op.putfh(dirfh),
                             op.readdir(cookie, verf, maxcount, maxcount, 0)])
            if res.status != k.NFS4_OK:
                return res.status, out
            rd = res.resarray[-1]
            for e in rd.reply.entries:
                out.append(e.name)
                cookie = e.cookie
            verf = rd.cookieverf
            if rd.reply.eof:
                return k.NFS4_OK, out
            if not rd.reply.entries:
                return k.NFS4ERR_SERVERFAULT, out  # a page that is not the end

    def getattr(self, fh, attrs):
        op, k = self.op, self.k
        res = self.comp([op.putfh(fh), op.getattr(self.lib.list2bitmap(attrs))])
        if res.status != k.NFS4_OK:
            return res.status, None
        return k.NFS4_OK, res.resarray[-1].obj_attributes

    def remove(self, dirfh, name):
        op = self.op
        res = self.comp([op.putfh(dirfh), op.remove(name)])
        return res.status, (res.resarray[-1].cinfo if res.status == self.k.NFS4_OK
                            else None)

    def rename(self, sdir, sname, ddir, dname):
        op = self.op
        return self.comp([op.putfh(sdir), op.savefh(), op.putfh(ddir),
                          op.rename(sname, dname)]).status

    def link(self, fh, ddir, dname):
        """LINK of the file FH as DDIR/DNAME: the status."""
        op = self.op
        return self.comp([op.putfh(fh), op.savefh(), op.putfh(ddir),
                          op.link(dname)]).status

    def lookup(self, dirfh, name):
        op, k = self.op, self.k
        res = self.comp([op.putfh(dirfh), op.lookup(name), op.getfh()])
        return res.status, (res.resarray[-1].object if res.status == k.NFS4_OK
                            else None)
