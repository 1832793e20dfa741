#!/usr/bin/python3
"""tests/perm/raw_perm.py -- POSIX permission checks seen by a raw NFSv4.1 client.

    raw_perm.py --server HOST:PORT [--pynfs DIR] [--keep] [--either]

Sends COMPOUNDs straight over TCP with AUTH_SYS credentials of chosen
uid/gid (pynfs's client library, imported at run time from --pynfs, default
$PYNFS_DIR; pynfs is never copied into this tree), so nothing on the client
side checks permissions: whatever is refused is refused by the server.

One session (EXCHANGE_ID/CREATE_SESSION as root); every COMPOUND carries the
credential of the user it acts for. Export path "/". Steps:

  1. setup, as root (uid 0): a fresh directory /rawperm-<time>-<pid> holding
     files and directories owned by uid 1001 (gid 1001) with the modes each
     check needs, a sticky directory (01777, root's), and two directories
     of uid 2002's. Any failure here: exit 2.
  2. positive controls (P..): the owner 1001 reads its 0600 file, uid 2002
     reads a 0644 file, creates and removes its own file in the sticky
     directory, writes its own file; 1001 chmods and chgrps its own file to
     one of its groups. So the refusals below cannot pass by the server
     refusing everything.
  3. snapshot, as root: bytes, mode, owner, group, size, nlink, mtime and
     change attribute of every target, and the names in every directory.
  4. refusals (R..), as uid 2002 gid 2002 (groups {2002}; not in group 1001)
     unless stated: each must get exactly the status knfsd gives:
     EACCES-class (mode bits) -> NFS4ERR_ACCESS; ownership-class (chmod,
     chown, chgrp, explicit times by a non-owner, chown by a non-root
     owner, chgrp to a group one is not in, the sticky bit) -> NFS4ERR_PERM.
     With --either, NFS4ERR_ACCESS and NFS4ERR_PERM are both accepted for
     every refusal (a mismatch is still printed).
  5. unchanged (U..), as root: the snapshot of step 3 again, compared.
  6. root controls (C..): uid 0 overrides every mode bit and ownership
     check (no root squashing): reads/writes a 0600 file of 1001's, chmods,
     chowns, sets times, removes in the 0755 directory of 1001's, renames
     out of the sticky directory, looks up in 0700, lists 0300, creates in
     0555.
  7. the directory is removed (as root) unless --keep.

Prints one line per check:  PASS|FAIL  ID  what  expected X  got Y
and a summary. Exit 0 all passed, 1 a check failed, 2 setup, usage or
protocol error (connection lost, server gone).
"""
import argparse
import contextlib
import io
import logging
import os
import sys
import time


def import_pynfs(d):
    if not d or not os.path.isfile(os.path.join(d, "nfs4.1", "nfs4client.py")):
        sys.exit("raw_perm: pynfs not found (--pynfs DIR or $PYNFS_DIR; "
                 "scripts/build-suites.sh pynfs builds it)")
    sys.path[0:0] = [os.path.join(d, "nfs4.1"), os.path.join(d, "xdr"), d]


ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--server", required=True, help="HOST:PORT")
ap.add_argument("--pynfs", default=os.environ.get("PYNFS_DIR", ""))
ap.add_argument("--keep", action="store_true", help="keep the test directory")
ap.add_argument("--either", action="store_true",
                help="accept NFS4ERR_ACCESS or NFS4ERR_PERM for every refusal")
args = ap.parse_args()
host, _, port = args.server.rpartition(":")
if not host or not port.isdigit():
    sys.exit("raw_perm: --server must be HOST:PORT")
import_pynfs(args.pynfs)

with contextlib.redirect_stdout(io.StringIO()):   # "Could not find gssapi module"
    import nfs4client
    import nfs_ops
    import nfs4lib
    from rpc.security import AuthSys
    from xdrdef.nfs4_const import *               # noqa: F401,F403
    from xdrdef.nfs4_type import (open_owner4, openflag4, open_claim4,
                                  createhow4, createtype4, settime4, nfstime4)

logging.disable(logging.INFO)   # nfs4client.py sets INFO: rpc.poll chatter
op = nfs_ops.NFS4ops()
ZERO = nfs4lib.state00        # anonymous stateid (all zeros)
ONES = nfs4lib.state11        # READ bypass stateid (all ones)


def cred(uid, gid, gids):
    return AuthSys().init_cred(uid=uid, gid=gid, name=b"strata-rawperm",
                               gids=list(gids))


ROOT = cred(0, 0, [0])
U1 = cred(1001, 1001, [1001, 3000])    # the owner; also in group 3000
U2 = cred(2002, 2002, [2002])          # another user, not in 1001 or 3000


def sname(st):
    return nfsstat4.get(st, str(st))


# ---------------------------------------------------------------- session
try:
    cl = nfs4client.NFS4Client(host, int(port), minorversion=1)
    cl.set_cred(ROOT)
    sess = cl.new_client_session(b"strata-rawperm-%d-%d" % (os.getpid(), int(time.time())))
except Exception as e:
    print("raw_perm: ERROR: no session with %s: %s: %s" % (args.server, type(e).__name__, e))
    sys.exit(2)
CLIENTID = sess.client.clientid


def comp(ops, who):
    return sess.compound(ops, credinfo=who)


_owner_n = [0]


def new_owner():
    _owner_n[0] += 1
    return open_owner4(CLIENTID, b"rawperm-owner-%d" % _owner_n[0])


class SetupError(Exception):
    pass


def need(status, what):
    if status != NFS4_OK:
        raise SetupError("%s: %s" % (what, sname(status)))


# ---------------------------------------------------------------- op helpers
ACC_R = OPEN4_SHARE_ACCESS_READ
ACC_W = OPEN4_SHARE_ACCESS_WRITE
ACC_RW = OPEN4_SHARE_ACCESS_BOTH


def open_ops(dirfh, name, access, create_mode=None):
    if create_mode is None:
        how = openflag4(OPEN4_NOCREATE)
    else:
        attrs = {FATTR4_MODE: create_mode}
        how = openflag4(OPEN4_CREATE, createhow4(GUARDED4, attrs))
    return [op.putfh(dirfh),
            op.open(0, access | OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
                    OPEN4_SHARE_DENY_NONE, new_owner(), how,
                    open_claim4(CLAIM_NULL, name)),
            op.getfh()]


def do_open(dirfh, name, access, who, create_mode=None):
    """-> (status, fh, stateid)"""
    res = comp(open_ops(dirfh, name, access, create_mode), who)
    if res.status != NFS4_OK:
        return res.status, None, None
    return NFS4_OK, res.resarray[-1].object, res.resarray[-2].stateid


def do_close(fh, sid, who):
    return comp([op.putfh(fh), op.close(0, sid)], who).status


def do_read(fh, sid, who, count=65536):
    """-> (status, data)"""
    res = comp([op.putfh(fh), op.read(sid, 0, count)], who)
    if res.status != NFS4_OK:
        return res.status, None
    return NFS4_OK, res.resarray[-1].switch.switch.data


def do_write(fh, sid, data, who, offset=0):
    return comp([op.putfh(fh), op.write(sid, offset, FILE_SYNC4, data)], who).status


def do_setattr(fh, attrs, who, sid=ZERO):
    return comp([op.putfh(fh), op.setattr(sid, attrs)], who).status


def do_lookup(dirfh, name, who):
    res = comp([op.putfh(dirfh), op.lookup(name), op.getfh()], who)
    return res.status, (res.resarray[-1].object if res.status == NFS4_OK else None)


def do_readdir(dirfh, who):
    """-> (status, sorted names)"""
    names, cookie, verf = [], 0, b"\0" * 8
    while True:
        res = comp([op.putfh(dirfh), op.readdir(cookie, verf, 4096, 32768, 0)], who)
        if res.status != NFS4_OK:
            return res.status, None
        rd = res.resarray[-1]
        for e in rd.reply.entries:
            names.append(e.name)
            cookie = e.cookie
        verf = rd.cookieverf
        if rd.reply.eof or not rd.reply.entries:
            return NFS4_OK, sorted(names)


def do_mkdir(dirfh, name, mode, who):
    res = comp([op.putfh(dirfh), op.create(createtype4(NF4DIR), name,
                                           {FATTR4_MODE: mode}), op.getfh()], who)
    return res.status, (res.resarray[-1].object if res.status == NFS4_OK else None)


def do_remove(dirfh, name, who):
    return comp([op.putfh(dirfh), op.remove(name)], who).status


def do_rename(srcdir, old, dstdir, new, who):
    return comp([op.putfh(srcdir), op.savefh(), op.putfh(dstdir),
                 op.rename(old, new)], who).status


def do_link(filefh, dirfh, name, who):
    return comp([op.putfh(filefh), op.savefh(), op.putfh(dirfh), op.link(name)],
                who).status


SNAP_ATTRS = [FATTR4_TYPE, FATTR4_CHANGE, FATTR4_SIZE, FATTR4_MODE,
              FATTR4_NUMLINKS, FATTR4_OWNER, FATTR4_OWNER_GROUP,
              FATTR4_TIME_MODIFY]


def getattrs(fh, who=ROOT):
    res = comp([op.putfh(fh), op.getattr(nfs4lib.list2bitmap(SNAP_ATTRS))], who)
    if res.status != NFS4_OK:
        return res.status, None
    return NFS4_OK, res.resarray[-1].obj_attributes


# ---------------------------------------------------------------- results
results = []   # (id, ok)


def report(cid, ok, what, expected, got, note=""):
    results.append((cid, ok))
    print("%s  %-4s %-62s expected %-16s got %s%s" % (
        "PASS" if ok else "FAIL", cid, what, expected, got,
        ("  (" + note + ")") if note else ""), flush=True)


def expect_ok(cid, what, status, extra_ok=True, note=""):
    report(cid, status == NFS4_OK and extra_ok, what, "NFS4_OK",
           sname(status), note if status == NFS4_OK else "")


def expect_refused(cid, what, want, status):
    ok = status == want
    note = ""
    if not ok and args.either and status in (NFS4ERR_ACCESS, NFS4ERR_PERM):
        ok, note = True, "--either: knfsd gives " + sname(want)
    report(cid, ok, what, sname(want), sname(status), note)


# ---------------------------------------------------------------- setup
SECRET = b"top secret bytes of uid 1001, mode 0600\n" * 3
PUBLIC = b"public bytes of uid 1001, mode 0644\n"
VICTIM = b"do not remove or rename me\n"
OWN2 = b"uid 2002's own file\n"
RUNNAME = b"rawperm-%d-%d" % (int(time.time()), os.getpid())
# filehandles: b"/" the export root, b"" the run directory, b"/x" its entry x
fh = {}


def mkfile(path, mode, data, uid, gid):
    d, _, name = path.rpartition(b"/")
    st, f, sid = do_open(fh[d], name, ACC_RW, ROOT, create_mode=mode)
    need(st, "OPEN-create %s" % path.decode())
    if data:
        need(do_write(f, sid, data, ROOT), "WRITE %s" % path.decode())
    need(do_close(f, sid, ROOT), "CLOSE %s" % path.decode())
    chown(path, f, mode, uid, gid)
    fh[path] = f


def mkdir(path, mode, uid, gid):
    d, _, name = path.rpartition(b"/")
    st, f = do_mkdir(fh[d], name, mode, ROOT)
    need(st, "CREATE dir %s" % path.decode())
    chown(path, f, mode, uid, gid)
    fh[path] = f


def chown(path, f, mode, uid, gid):
    need(do_setattr(f, {FATTR4_OWNER: b"%d" % uid, FATTR4_OWNER_GROUP: b"%d" % gid}, ROOT),
         "SETATTR owner %d:%d on %s" % (uid, gid, path.decode()))
    # mode again after the chown (a server may clear set-id bits on chown)
    need(do_setattr(f, {FATTR4_MODE: mode}, ROOT), "SETATTR mode on %s" % path.decode())
    st, a = getattrs(f)
    if st != NFS4_OK:
        raise SetupError("GETATTR %s: %s" % (path.decode(), sname(st)))
    got = (a[FATTR4_MODE], a[FATTR4_OWNER], a[FATTR4_OWNER_GROUP])
    want = (mode, b"%d" % uid, b"%d" % gid)
    if got != want:
        raise SetupError("%s: mode/owner/group %o %s %s, want %o %s %s"
                         % (path.decode(), got[0], got[1], got[2], want[0], want[1], want[2]))


def setup():
    res = comp([op.putrootfh(), op.getfh()], ROOT)
    need(res.status, "PUTROOTFH")
    fh[b"/"] = res.resarray[-1].object
    st, f = do_mkdir(fh[b"/"], RUNNAME, 0o755, ROOT)
    if st != NFS4_OK:
        raise SetupError("CREATE /%s: %s" % (RUNNAME.decode(), sname(st)))
    fh[b""] = f
    mkfile(b"/secret", 0o600, SECRET, 1001, 1001)
    mkfile(b"/public", 0o644, PUBLIC, 1001, 1001)
    mkfile(b"/chmodme", 0o644, VICTIM, 1001, 1001)
    mkfile(b"/ownfile", 0o644, VICTIM, 1001, 1001)
    mkfile(b"/rootvictim", 0o600, SECRET, 1001, 1001)
    mkdir(b"/owned", 0o755, 1001, 1001)
    mkfile(b"/owned/victim", 0o644, VICTIM, 1001, 1001)
    mkfile(b"/owned/rootdel", 0o644, VICTIM, 1001, 1001)
    mkdir(b"/sticky", 0o1777, 0, 0)
    mkfile(b"/sticky/victim", 0o644, VICTIM, 1001, 1001)
    mkfile(b"/sticky/victim2", 0o644, VICTIM, 1001, 1001)
    mkfile(b"/sticky/rootmv", 0o644, VICTIM, 1001, 1001)
    mkdir(b"/private", 0o700, 1001, 1001)
    mkfile(b"/private/inside", 0o644, VICTIM, 1001, 1001)
    mkdir(b"/wonly", 0o300, 1001, 1001)
    mkfile(b"/wonly/entry", 0o644, VICTIM, 1001, 1001)
    mkdir(b"/ro", 0o555, 2002, 2002)
    mkdir(b"/mine", 0o755, 2002, 2002)
    mkfile(b"/mine/own2002", 0o644, OWN2, 2002, 2002)
    mkfile(b"/mine/own2002b", 0o644, OWN2, 2002, 2002)


# ---------------------------------------------------------------- steps
def positive_controls():
    st, f, sid = do_open(fh[b""], b"secret", ACC_R, U1)
    expect_ok("P1", "uid 1001 OPEN(READ) its 0600 secret", st)
    if st == NFS4_OK:
        st, data = do_read(f, sid, U1)
        expect_ok("P2", "uid 1001 READ secret with its open stateid", st,
                  data == SECRET, "bytes match" if data == SECRET else "WRONG BYTES")
        expect_ok("P3", "uid 1001 CLOSE", do_close(f, sid, U1))
    st, data = do_read(fh[b"/secret"], ZERO, U1)
    expect_ok("P4", "uid 1001 READ secret, anonymous stateid", st, data == SECRET,
              "bytes match" if data == SECRET else "WRONG BYTES")
    st, f, sid = do_open(fh[b""], b"public", ACC_R, U2)
    expect_ok("P5", "uid 2002 OPEN(READ) 1001's 0644 public", st)
    if st == NFS4_OK:
        st, data = do_read(f, sid, U2)
        expect_ok("P6", "uid 2002 READ public with its open stateid", st,
                  data == PUBLIC, "bytes match" if data == PUBLIC else "WRONG BYTES")
        expect_ok("P7", "uid 2002 CLOSE", do_close(f, sid, U2))
    st, data = do_read(fh[b"/public"], ZERO, U2)
    expect_ok("P8", "uid 2002 READ public, anonymous stateid", st, data == PUBLIC)
    st, _ = do_lookup(fh[b"/owned"], b"victim", U2)
    expect_ok("P9", "uid 2002 LOOKUP in 1001's 0755 owned", st)
    st, _ = do_readdir(fh[b"/owned"], U2)
    expect_ok("P10", "uid 2002 READDIR 1001's 0755 owned", st)
    st, f, sid = do_open(fh[b"/sticky"], b"byu2", ACC_RW, U2, create_mode=0o644)
    expect_ok("P11", "uid 2002 OPEN-create its file in the 01777 sticky dir", st)
    if st == NFS4_OK:
        do_close(f, sid, U2)
        st, a = getattrs(f)
        expect_ok("P12", "the new file is owned by 2002:2002", st,
                  a is not None and (a[FATTR4_OWNER], a[FATTR4_OWNER_GROUP]) == (b"2002", b"2002"),
                  "owner %s:%s" % (a[FATTR4_OWNER].decode(), a[FATTR4_OWNER_GROUP].decode())
                  if a else "")
        expect_ok("P13", "uid 2002 REMOVE its own file in the sticky dir",
                  do_remove(fh[b"/sticky"], b"byu2", U2))
    st = do_write(fh[b"/mine/own2002"], ZERO, OWN2, U2)
    expect_ok("P14", "uid 2002 WRITE its own 0644 file, anonymous stateid", st)
    expect_ok("P15", "uid 1001 SETATTR mode 0640 on its own file",
              do_setattr(fh[b"/ownfile"], {FATTR4_MODE: 0o640}, U1))
    expect_ok("P16", "uid 1001 SETATTR group 3000 (one of its groups) on its file",
              do_setattr(fh[b"/ownfile"], {FATTR4_OWNER_GROUP: b"3000"}, U1))
    st, a = getattrs(fh[b"/ownfile"])
    expect_ok("P17", "ownfile is now 0640 1001:3000", st,
              a is not None and (a[FATTR4_MODE], a[FATTR4_OWNER], a[FATTR4_OWNER_GROUP])
              == (0o640, b"1001", b"3000"))


FILES = [b"/secret", b"/public", b"/chmodme", b"/ownfile", b"/owned/victim",
         b"/sticky/victim", b"/sticky/victim2", b"/private/inside", b"/wonly/entry",
         b"/mine/own2002", b"/mine/own2002b"]
DIRS = [b"", b"/owned", b"/sticky", b"/private", b"/wonly", b"/ro", b"/mine"]


def snapshot():
    snap = {}
    for p in FILES + DIRS:
        st, a = getattrs(fh[p])
        if st != NFS4_OK:
            snap[p] = ("GETATTR " + sname(st),)
            continue
        ent = {"mode": "%04o" % a[FATTR4_MODE], "owner": a[FATTR4_OWNER].decode(),
               "group": a[FATTR4_OWNER_GROUP].decode(), "size": a[FATTR4_SIZE],
               "nlink": a[FATTR4_NUMLINKS], "change": a[FATTR4_CHANGE],
               "mtime": (a[FATTR4_TIME_MODIFY].seconds, a[FATTR4_TIME_MODIFY].nseconds)}
        if p in FILES:
            st, data = do_read(fh[p], ZERO, ROOT)
            ent["bytes"] = data if st == NFS4_OK else "READ " + sname(st)
        else:
            st, names = do_readdir(fh[p], ROOT)
            ent["names"] = names if st == NFS4_OK else "READDIR " + sname(st)
        snap[p] = ent
    return snap


def refusals():
    A, P = NFS4ERR_ACCESS, NFS4ERR_PERM
    sec = fh[b"/secret"]
    # READ of the 0600 file
    st, f, sid = do_open(fh[b""], b"secret", ACC_R, U2)
    expect_refused("R1", "uid 2002 OPEN(READ) 1001's 0600 secret", A, st)
    if st == NFS4_OK:
        do_close(f, sid, U2)
    st, _ = do_read(sec, ZERO, U2)
    expect_refused("R2", "uid 2002 READ secret, anonymous stateid (zeros)", A, st)
    st, _ = do_read(sec, ONES, U2)
    expect_refused("R3", "uid 2002 READ secret, bypass stateid (ones)", A, st)
    # WRITE of the 0600 file
    st, f, sid = do_open(fh[b""], b"secret", ACC_W, U2)
    expect_refused("R4", "uid 2002 OPEN(WRITE) secret", A, st)
    if st == NFS4_OK:
        do_close(f, sid, U2)
    st, f, sid = do_open(fh[b""], b"secret", ACC_RW, U2)
    expect_refused("R5", "uid 2002 OPEN(BOTH) secret", A, st)
    if st == NFS4_OK:
        do_close(f, sid, U2)
    expect_refused("R6", "uid 2002 WRITE secret, anonymous stateid (zeros)", A,
                   do_write(sec, ZERO, b"PWNED-BY-2002", U2))
    expect_refused("R7", "uid 2002 WRITE secret, bypass stateid (ones)", A,
                   do_write(sec, ONES, b"PWNED-BY-2002", U2, offset=20))
    expect_refused("R8", "uid 2002 SETATTR size 0 on secret", A,
                   do_setattr(sec, {FATTR4_SIZE: 0}, U2))
    # namespace
    expect_refused("R9", "uid 2002 REMOVE victim in 1001's 0755 owned", A,
                   do_remove(fh[b"/owned"], b"victim", U2))
    expect_refused("R10", "uid 2002 RENAME 1001's sticky/victim -> its mine/stolen", P,
                   do_rename(fh[b"/sticky"], b"victim", fh[b"/mine"], b"stolen", U2))
    expect_refused("R11", "uid 2002 REMOVE 1001's sticky/victim2", P,
                   do_remove(fh[b"/sticky"], b"victim2", U2))
    expect_refused("R12", "uid 2002 RENAME its mine/own2002b -> owned/moved", A,
                   do_rename(fh[b"/mine"], b"own2002b", fh[b"/owned"], b"moved", U2))
    expect_refused("R13", "uid 2002 LINK its mine/own2002 -> owned/link", A,
                   do_link(fh[b"/mine/own2002"], fh[b"/owned"], b"link", U2))
    st, _ = do_lookup(fh[b"/private"], b"inside", U2)
    expect_refused("R14", "uid 2002 LOOKUP in 1001's 0700 private", A, st)
    st, _ = do_readdir(fh[b"/wonly"], U2)
    expect_refused("R15", "uid 2002 READDIR 1001's 0300 wonly", A, st)
    st, _ = do_mkdir(fh[b"/ro"], b"newdir", 0o755, U2)
    expect_refused("R16", "uid 2002 CREATE dir in its own 0555 ro", A, st)
    st, f, sid = do_open(fh[b"/ro"], b"newfile", ACC_RW, U2, create_mode=0o644)
    expect_refused("R17", "uid 2002 OPEN-create file in its own 0555 ro", A, st)
    if st == NFS4_OK:
        do_close(f, sid, U2)
    # SETATTR on someone else's file
    cm = fh[b"/chmodme"]
    expect_refused("R18", "uid 2002 SETATTR mode 0777 on 1001's chmodme", P,
                   do_setattr(cm, {FATTR4_MODE: 0o777}, U2))
    expect_refused("R19", "uid 2002 SETATTR owner 2002 on 1001's chmodme", P,
                   do_setattr(cm, {FATTR4_OWNER: b"2002"}, U2))
    expect_refused("R20", "uid 2002 SETATTR group 2002 on 1001's chmodme", P,
                   do_setattr(cm, {FATTR4_OWNER_GROUP: b"2002"}, U2))
    expect_refused("R21", "uid 2002 SETATTR explicit mtime on 1001's chmodme", P,
                   do_setattr(cm, {FATTR4_TIME_MODIFY_SET:
                                   settime4(SET_TO_CLIENT_TIME4, nfstime4(1000000, 0))}, U2))
    # the owner, but not root
    expect_refused("R22", "uid 1001 SETATTR owner 2002 on its own ownfile", P,
                   do_setattr(fh[b"/ownfile"], {FATTR4_OWNER: b"2002"}, U1))
    expect_refused("R23", "uid 1001 SETATTR group 2002 (not its) on ownfile", P,
                   do_setattr(fh[b"/ownfile"], {FATTR4_OWNER_GROUP: b"2002"}, U1))


def compare(before, after):
    n = 0
    for p in FILES + DIRS:
        n += 1
        b, a = before[p], after[p]
        label = (b"run dir" if p == b"" else p.lstrip(b"/")).decode()
        if b == a:
            desc = "mode %s owner %s:%s size %d" % (b["mode"], b["owner"], b["group"], b["size"]) \
                if isinstance(b, dict) else str(b)
            if isinstance(b, dict) and "names" in b:
                desc += " names [%s]" % " ".join(x.decode() for x in b["names"])
            report("U%d" % n, True, "unchanged: " + label, "unchanged", "unchanged", desc)
            continue
        diffs = []
        if isinstance(b, dict) and isinstance(a, dict):
            for k in b:
                if b[k] != a[k]:
                    if k == "bytes" and isinstance(b[k], bytes) and isinstance(a[k], bytes):
                        diffs.append("bytes differ (%d -> %d bytes, now %r...)"
                                     % (len(b[k]), len(a[k]), a[k][:24]))
                    elif k == "names":
                        diffs.append("names %s -> %s" % (
                            " ".join(x.decode() for x in b[k]) if isinstance(b[k], list) else b[k],
                            " ".join(x.decode() for x in a[k]) if isinstance(a[k], list) else a[k]))
                    else:
                        diffs.append("%s %s -> %s" % (k, b[k], a[k]))
        else:
            diffs.append("%s -> %s" % (b, a))
        report("U%d" % n, False, "unchanged: " + label, "unchanged", "changed",
               "; ".join(diffs))


def root_controls():
    rv = fh[b"/rootvictim"]
    st, data = do_read(rv, ZERO, ROOT)
    expect_ok("C1", "root READ 1001's 0600 rootvictim, anonymous stateid", st,
              data == SECRET)
    st, f, sid = do_open(fh[b""], b"rootvictim", ACC_RW, ROOT)
    expect_ok("C2", "root OPEN(BOTH) 1001's 0600 rootvictim", st)
    if st == NFS4_OK:
        expect_ok("C3", "root WRITE rootvictim with its open stateid",
                  do_write(f, sid, b"root was here", ROOT))
        do_close(f, sid, ROOT)
    expect_ok("C4", "root SETATTR mode 0640 on 1001's rootvictim",
              do_setattr(rv, {FATTR4_MODE: 0o640}, ROOT))
    expect_ok("C5", "root SETATTR owner/group 2002:2002 on rootvictim",
              do_setattr(rv, {FATTR4_OWNER: b"2002", FATTR4_OWNER_GROUP: b"2002"}, ROOT))
    expect_ok("C6", "root SETATTR explicit mtime on rootvictim",
              do_setattr(rv, {FATTR4_TIME_MODIFY_SET:
                              settime4(SET_TO_CLIENT_TIME4, nfstime4(1000000, 0))}, ROOT))
    st, a = getattrs(rv)
    expect_ok("C7", "rootvictim now 0640 2002:2002 mtime 1000000", st,
              a is not None and (a[FATTR4_MODE], a[FATTR4_OWNER], a[FATTR4_OWNER_GROUP],
                                 a[FATTR4_TIME_MODIFY].seconds)
              == (0o640, b"2002", b"2002", 1000000))
    expect_ok("C8", "root REMOVE rootdel in 1001's 0755 owned",
              do_remove(fh[b"/owned"], b"rootdel", ROOT))
    expect_ok("C9", "root RENAME 1001's sticky/rootmv -> mine/rootmoved",
              do_rename(fh[b"/sticky"], b"rootmv", fh[b"/mine"], b"rootmoved", ROOT))
    st, _ = do_lookup(fh[b"/private"], b"inside", ROOT)
    expect_ok("C10", "root LOOKUP in 1001's 0700 private", st)
    st, names = do_readdir(fh[b"/wonly"], ROOT)
    expect_ok("C11", "root READDIR 1001's 0300 wonly", st, names == [b"entry"])
    st, _ = do_mkdir(fh[b"/ro"], b"rootdir", 0o755, ROOT)
    expect_ok("C12", "root CREATE dir in 2002's 0555 ro", st)


def rm_tree(dirfh):
    st, names = do_readdir(dirfh, ROOT)
    if st != NFS4_OK:
        return st
    for n in names:
        s = do_remove(dirfh, n, ROOT)
        if s == NFS4ERR_NOTEMPTY:
            s2, sub = do_lookup(dirfh, n, ROOT)
            if s2 == NFS4_OK:
                rm_tree(sub)
            s = do_remove(dirfh, n, ROOT)
        if s != NFS4_OK:
            return s
    return NFS4_OK


def main():
    print("raw_perm: server %s, run directory /%s; uids: root 0, owner 1001 (gid 1001, "
          "groups 1001 3000), other 2002 (gid 2002, groups 2002)" % (args.server, RUNNAME.decode()),
          flush=True)
    try:
        setup()
    except SetupError as e:
        print("raw_perm: SETUP FAILED: %s" % e)
        return 2
    print("raw_perm: setup done (as root: %d objects)" % (len(fh) - 2), flush=True)
    positive_controls()
    before = snapshot()
    refusals()
    after = snapshot()
    compare(before, after)
    root_controls()
    if not args.keep:
        st = rm_tree(fh[b""])
        if st == NFS4_OK:
            st = do_remove(fh[b"/"], RUNNAME, ROOT)
        if st != NFS4_OK:
            print("raw_perm: cleanup of /%s: %s" % (RUNNAME.decode(), sname(st)))
    cl.compound([op.destroy_session(sess.sessionid)], ROOT)
    cl.compound([op.destroy_clientid(CLIENTID)], ROOT)
    nfail = sum(1 for _, ok in results if not ok)
    failed = [c for c, ok in results if not ok]
    print("raw_perm: %d checks, %d passed, %d failed%s" % (
        len(results), len(results) - nfail, nfail,
        (": " + " ".join(failed)) if failed else ""))
    return 1 if nfail else 0


try:
    rc = main()
except SetupError as e:
    print("raw_perm: SETUP FAILED: %s" % e)
    rc = 2
except Exception as e:           # connection lost, XDR error, server died
    import traceback
    traceback.print_exc()
    print("raw_perm: ERROR: %s: %s (after %d checks)" % (type(e).__name__, e, len(results)))
    rc = 2
sys.exit(rc)
