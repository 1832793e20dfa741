#!/usr/bin/python3
"""tests/multi-mds/cross_front.py -- one namespace through two metadata nodes.

    cross_front.py --owner HOST:PORT --front HOST:PORT [--pynfs DIR] [--lease S]

Two raw NFSv4.1 clients (pynfs's client library, imported at run time from
--pynfs, default $PYNFS_DIR; never copied into this tree): A on the front
(a node that owns none of the namespace and forwards to the owner,
docs/decisions/0024), B on the owner. Each has its own client id and
session. Checks:

  N1  A creates a directory and a file with known bytes through the front;
      B finds both, reads the same bytes and the same size and change.
  N2  B writes a second file; A reads it; both list the directory alike.
  N3  client ids: A's carries the front's node id, B's the owner's; the
      two nodes answer EXCHANGE_ID with the same server scope and
      different major ids.
  L1  A holds a write lock (through the front); B's read LOCK is denied;
      after A's LOCKU, B gets it.
  G1  A holds a lock again and destroys its session: its DESTROY_CLIENTID
      gets CLIENTID_BUSY (the owner holds its state; the front knows). A
      then stops renewing: after its lease the front reaps it and tells
      the owner, which drops A's lock, so B's LOCK succeeds (without that
      notice the owner would keep A's lock forever).
  R1  A removes the file through the front; B's LOOKUP gets NOENT.

Exit 0 all passed, 1 a check failed, 2 setup or protocol error.
"""
import argparse
import os
import sys
import time

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--owner", required=True, help="HOST:PORT of the owner")
ap.add_argument("--front", required=True, help="HOST:PORT of a front")
ap.add_argument("--pynfs", default=os.environ.get("PYNFS_DIR", ""))
ap.add_argument("--lease", type=int, default=20, help="the servers' lease (s)")
args = ap.parse_args()
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mmlib  # noqa: E402
nfs4client, op, nfs4lib, AuthSys = mmlib.load(args.pynfs, "cross_front")
check = mmlib.Checks()

from xdrdef.nfs4_const import *                   # noqa: E402,F401,F403
from xdrdef.nfs4_type import (                    # noqa: E402
    open_owner4, openflag4, open_claim4,
    createhow4, createtype4, lock_owner4,
    open_to_lock_owner4, locker4,
    client_owner4, state_protect4_a)

ROOT = AuthSys().init_cred(uid=0, gid=0, name=b"strata-xfront", gids=[0])


def hostport(s):
    h, _, p = s.rpartition(":")
    return h, int(p)


class Client:
    def __init__(self, where, name):
        h, p = hostport(where)
        self.c = nfs4client.NFS4Client(h, p, minorversion=1)
        self.c.set_cred(ROOT)
        tag = b"strata-xfront-%s-%d-%d" % (name, os.getpid(), int(time.time()))
        self.tag = tag
        self.s = self.c.new_client_session(tag)
        self.clientid = self.s.client.clientid
        self.n = 0

    def comp(self, ops):
        return self.s.compound(ops)

    def owner(self):
        self.n += 1
        return open_owner4(self.clientid, b"xfront-%d" % self.n)

    def lookup_path(self, names):
        ops = [op.putrootfh()] + [op.lookup(n) for n in names] + [op.getfh()]
        res = self.comp(ops)
        return res.status, (res.resarray[-1].object if res.status == NFS4_OK else None)

    def mkdir(self, parent, name):
        res = self.comp([op.putfh(parent),
                         op.create(createtype4(NF4DIR), name, {FATTR4_MODE: 0o755}),
                         op.getfh()])
        return res.status, (res.resarray[-1].object if res.status == NFS4_OK else None)

    def open(self, dirfh, name, access, create):
        how = (openflag4(OPEN4_CREATE, createhow4(GUARDED4, {FATTR4_MODE: 0o644}))
               if create else openflag4(OPEN4_NOCREATE))
        res = self.comp([op.putfh(dirfh),
                         op.open(0, access | OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
                                 OPEN4_SHARE_DENY_NONE, self.owner(), how,
                                 open_claim4(CLAIM_NULL, name)),
                         op.getfh()])
        if res.status != NFS4_OK:
            return res.status, None, None
        return NFS4_OK, res.resarray[-1].object, res.resarray[-2].stateid

    def write(self, fh, sid, data):
        return self.comp([op.putfh(fh), op.write(sid, 0, FILE_SYNC4, data)]).status

    def read(self, fh, sid):
        res = self.comp([op.putfh(fh), op.read(sid, 0, 1 << 16)])
        return res.status, (res.resarray[-1].switch.switch.data if res.status == NFS4_OK else None)

    def close(self, fh, sid):
        return self.comp([op.putfh(fh), op.close(0, sid)]).status

    def attrs(self, fh):
        res = self.comp([op.putfh(fh), op.getattr(nfs4lib.list2bitmap(
            [FATTR4_SIZE, FATTR4_CHANGE, FATTR4_FILEID]))])
        if res.status != NFS4_OK:
            return None
        return res.resarray[-1].obj_attributes

    def names(self, dirfh):
        out, cookie, verf = [], 0, b"\0" * 8
        while True:
            res = self.comp([op.putfh(dirfh), op.readdir(cookie, verf, 4096, 32768, 0)])
            if res.status != NFS4_OK:
                return None
            rd = res.resarray[-1]
            for e in rd.reply.entries:
                out.append(e.name)
                cookie = e.cookie
            verf = rd.cookieverf
            if rd.reply.eof or not rd.reply.entries:
                return sorted(out)

    def lock(self, fh, open_sid, lname, ltype=WRITE_LT):
        lo = open_to_lock_owner4(0, open_sid, 0, lock_owner4(self.clientid, lname))
        res = self.comp([op.putfh(fh),
                         op.lock(ltype, False, 0, NFS4_UINT64_MAX,
                                 locker4(True, open_owner=lo))])
        return res.status, (res.resarray[-1].lock_stateid if res.status == NFS4_OK else None)

    def locku(self, fh, lsid, ltype=WRITE_LT):
        return self.comp([op.putfh(fh), op.locku(ltype, 0, lsid, 0, NFS4_UINT64_MAX)]).status

    def eid_reply(self):
        """A second EXCHANGE_ID of the same owner: the server's identity."""
        owner = client_owner4(self.c.verifier, self.tag)
        res = self.c.compound([op.exchange_id(owner, 0, state_protect4_a(SP4_NONE),
                [self.c.impl_id])])
        eir = res.resarray[0]
        return eir.eir_server_owner, eir.eir_server_scope


def sname(st):
    return nfsstat4.get(st, str(st))


try:
    A = Client(args.front, b"A")
    B = Client(args.owner, b"B")
except Exception as e:
    print("cross_front: ERROR: no session: %s: %s" % (type(e).__name__, e))
    sys.exit(2)

DATA = b"strata cross-front " * 300
DIRNAME = b"xfront-%d-%d" % (os.getpid(), int(time.time()))
try:
    # N1
    st, root = A.lookup_path([])
    st, dfh = A.mkdir(root, DIRNAME)
    if st != NFS4_OK:
        raise RuntimeError("mkdir through the front: " + sname(st))
    st, ffh, fsid = A.open(dfh, b"f", OPEN4_SHARE_ACCESS_BOTH, True)
    if st != NFS4_OK:
        raise RuntimeError("create through the front: " + sname(st))
    check(A.write(ffh, fsid, DATA) == NFS4_OK, "N1", "A writes through the front")
    a_attr = A.attrs(ffh)
    st, bfh = B.lookup_path([DIRNAME, b"f"])
    check(st == NFS4_OK, "N1", "B finds A's file on the owner", sname(st))
    st, bdfh = B.lookup_path([DIRNAME])
    st, _, bsid = B.open(bdfh, b"f", OPEN4_SHARE_ACCESS_READ, False)
    st2, got = B.read(bfh, bsid) if st == NFS4_OK else (st, None)
    check(got == DATA, "N1", "B reads A's bytes", "%s, %s bytes" % (sname(st2), len(got or b"")))
    b_attr = B.attrs(bfh)
    check(a_attr is not None and b_attr is not None and
          a_attr[FATTR4_SIZE] == b_attr[FATTR4_SIZE] == len(DATA) and
          a_attr[FATTR4_FILEID] == b_attr[FATTR4_FILEID] and
          a_attr[FATTR4_CHANGE] == b_attr[FATTR4_CHANGE],
          "N1", "same size, fileid and change on both nodes")
    # N2
    st, gfh, gsid = B.open(bdfh, b"g", OPEN4_SHARE_ACCESS_BOTH, True)
    check(st == NFS4_OK and B.write(gfh, gsid, DATA[::-1]) == NFS4_OK, "N2", "B writes g")
    B.close(gfh, gsid)
    st, agfh = A.lookup_path([DIRNAME, b"g"])
    st, _, agsid = A.open(dfh, b"g", OPEN4_SHARE_ACCESS_READ, False)
    st2, got = A.read(agfh, agsid) if st == NFS4_OK else (st, None)
    check(got == DATA[::-1], "N2", "A reads B's file through the front")
    A.close(agfh, agsid)
    la, lb = A.names(dfh), B.names(bdfh)
    check(la == lb == [b"f", b"g"], "N2", "both list the directory alike", "%s / %s" % (la, lb))
    # N3
    a_node, b_node = A.clientid >> 48, B.clientid >> 48
    check(a_node == 2 and b_node == 1, "N3", "client ids carry the node",
          "A node %d, B node %d" % (a_node, b_node))
    (ao, ascope), (bo, bscope) = A.eid_reply(), B.eid_reply()
    check(ascope == bscope and ao.so_major_id != bo.so_major_id, "N3",
          "same server scope, different major ids",
          "%r/%r %r/%r" % (ascope, bscope, ao.so_major_id, bo.so_major_id))
    # L1
    st, alsid = A.lock(ffh, fsid, b"lock-A")
    check(st == NFS4_OK, "L1", "A locks f through the front", sname(st))
    st, _ = B.lock(bfh, bsid, b"lock-B", READ_LT)
    check(st == NFS4ERR_DENIED, "L1", "B is denied while A holds it", sname(st))
    check(A.locku(ffh, alsid) == NFS4_OK, "L1", "A unlocks")
    st, blsid = B.lock(bfh, bsid, b"lock-B", READ_LT)
    check(st == NFS4_OK, "L1", "B gets the lock after A's release", sname(st))
    check(B.locku(bfh, blsid, READ_LT) == NFS4_OK, "L1", "B unlocks")
    # G1
    st, alsid = A.lock(ffh, fsid, b"lock-A2")
    check(st == NFS4_OK, "G1", "A locks f again", sname(st))
    A.c.compound([op.destroy_session(A.s.sessionid)])
    res = A.c.compound([op.destroy_clientid(A.clientid)])
    check(res.status == NFS4ERR_CLIENTID_BUSY, "G1",
          "A's DESTROY_CLIENTID is refused while the owner holds its lock",
          sname(res.status))
    st, _ = B.lock(bfh, bsid, b"lock-B2", READ_LT)
    check(st == NFS4ERR_DENIED, "G1", "B is denied while A's lease runs", sname(st))
    t0 = time.time()
    while time.time() - t0 < args.lease + 10:   # B renews; A does not
        st, blsid = B.lock(bfh, bsid, b"lock-B2", READ_LT)
        if st != NFS4ERR_DENIED:
            break
        time.sleep(0.5)
    check(st == NFS4_OK, "G1", "B locks f once A's lease ran out (owner dropped A's state)",
          "%s after %.1f s" % (sname(st), time.time() - t0))
    # R1
    C = Client(args.front, b"C")
    st, cdfh = C.lookup_path([DIRNAME])
    res = C.comp([op.putfh(cdfh), op.remove(b"g")])
    check(res.status == NFS4_OK, "R1", "C removes g through the front", sname(res.status))
    st, _ = B.lookup_path([DIRNAME, b"g"])
    check(st == NFS4ERR_NOENT, "R1", "B no longer finds g", sname(st))
except Exception as e:
    print("cross_front: ERROR: %s: %s" % (type(e).__name__, e))
    sys.exit(2)

print("cross_front: %s" % ("all passed" if not check.failed else "%d FAILED" % check.failed))
sys.exit(1 if check.failed else 0)
