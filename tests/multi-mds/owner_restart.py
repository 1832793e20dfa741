#!/usr/bin/python3
"""tests/multi-mds/owner_restart.py -- an owner SIGKILLed under a front's client.

    owner_restart.py --owner HOST:PORT --front HOST:PORT --restart CMD
                     [--restart-front CMD] [--pynfs DIR] [--status-cmd CMD]

Client A (a raw NFSv4.1 client, pynfs's library imported at run time) works
through the front; the owner holds its per-file state (docs/decisions/0024).
CMD (run with the shell) SIGKILLs the owner and starts it again. Checks:

  K1  before: A creates a file, writes known bytes (FILE_SYNC), holds a
      write lock on it.
  K2  after the restart, A's SEQUENCE through the front says
      SEQ4_STATUS_RESTART_RECLAIM_NEEDED within 10 s (the front saw the
      owner's new boot epoch), while A's session at the front lives on.
  K3  A reclaims through the front: OPEN CLAIM_PREVIOUS, LOCK with
      reclaim, RECLAIM_COMPLETE; then the flag is gone.
  K4  B, a new client on the owner, is denied a read lock (A's reclaimed
      lock holds); A reads its bytes back with the reclaimed stateid.
  K5  (with --restart-front) the front is SIGKILLed and restarted: its
      clients' sessions are gone, so the owner drops A's state when it sees
      the front's new boot epoch, and B gets the lock within 10 s (without
      that the owner would hold A's lock for ever).

With --status-cmd (a command printing `strata status --json` of the node
whose address replaces {}), the partitions have several owners
(strata-local up --spread): the file's name is chosen so that its entry,
and so the file and its state, are the owner's (a name is created through
the front, kept if the owner's entry count grew, else removed and another
tried).

Exit 0 all passed, 1 a check failed, 2 setup or protocol error.
"""
import argparse
import json
import os
import subprocess
import sys
import time

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--owner", required=True)
ap.add_argument("--front", required=True)
ap.add_argument("--restart", required=True, help="shell command: kill and restart the owner")
ap.add_argument("--restart-front", help="shell command: kill and restart the front")
ap.add_argument("--pynfs", default=os.environ.get("PYNFS_DIR", ""))
ap.add_argument("--status-cmd", help="spread cluster: see above")
args = ap.parse_args()
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mmlib  # noqa: E402
nfs4client, op, nfs4lib, AuthSys = mmlib.load(args.pynfs, "owner_restart")
check = mmlib.Checks()

from xdrdef.nfs4_const import *                   # noqa: E402,F401,F403
from xdrdef.nfs4_type import (                    # noqa: E402
    open_owner4, openflag4, open_claim4,
    createhow4, lock_owner4,
    open_to_lock_owner4, locker4)

ROOT = AuthSys().init_cred(uid=0, gid=0, name=b"strata-restart", gids=[0])


def sname(st):
    return nfsstat4.get(st, str(st))


def connect(where, name):
    h, _, p = where.rpartition(":")
    c = nfs4client.NFS4Client(h, int(p), minorversion=1)
    c.set_cred(ROOT)
    tag = b"strata-restart-%s-%d-%d" % (name, os.getpid(), int(time.time()))
    return c, c.new_client_session(tag)


def seq_flags(sess):
    """SEQUENCE alone; its status flags (-1: it failed)."""
    slot, seq_op = sess._prepare_compound({})
    res = sess.c.compound([seq_op])
    sess.update_seq_state(res, slot)
    return res.resarray[0].sr_status_flags if res.status == NFS4_OK else -1


def lock_args(sess, open_sid, name, ltype, reclaim=False):
    lo = open_to_lock_owner4(0, open_sid, 0, lock_owner4(sess.client.clientid, name))
    return op.lock(ltype, reclaim, 0, NFS4_UINT64_MAX, locker4(True, open_owner=lo))


DATA = b"owner restart " * 500
def owner_entries():
    cmd = [w.replace("{}", args.owner) for w in args.status_cmd.split()]
    out = subprocess.run(cmd, check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)["servers"][0]["namespace"]["entries"]


def create(A, owner, name):
    """GRACE (a cluster started again on old data) is waited out."""
    t0 = time.time()
    while True:
        res = A.compound([op.putrootfh(),
                          op.open(0, OPEN4_SHARE_ACCESS_BOTH | OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
                                  OPEN4_SHARE_DENY_NONE, owner,
                                  openflag4(OPEN4_CREATE, createhow4(GUARDED4, {FATTR4_MODE: 0o644})),
                                  open_claim4(CLAIM_NULL, name)),
                          op.getfh()])
        if res.status != NFS4ERR_GRACE or time.time() - t0 > 60:
            break
        time.sleep(0.5)
    if res.status != NFS4_OK:
        raise RuntimeError("create: " + sname(res.status))
    return res


def create_at_owner(A, owner):
    """A name whose entry the owner holds (a spread cluster)."""
    for i in range(40):
        name = b"restart-%d-%d-%d" % (os.getpid(), int(time.time()), i)
        before = owner_entries()
        res = create(A, owner, name)
        if owner_entries() == before + 1:
            return name, res
        A.compound([op.putfh(res.resarray[-1].object),
                    op.close(0, res.resarray[-2].stateid)])
        A.compound([op.putrootfh(), op.remove(name)])
    raise RuntimeError("no name of 40 landed on the owner")


NAME = b"restart-%d-%d" % (os.getpid(), int(time.time()))
try:
    ac, A = connect(args.front, b"A")
    owner = open_owner4(A.client.clientid, b"restart-open")
    # K1
    if args.status_cmd:
        NAME, res = create_at_owner(A, owner)
    else:
        res = create(A, owner, NAME)
    fh, osid = res.resarray[-1].object, res.resarray[-2].stateid
    st = A.compound([op.putfh(fh), op.write(osid, 0, FILE_SYNC4, DATA)]).status
    res = A.compound([op.putfh(fh), lock_args(A, osid, b"restart-lock", WRITE_LT)])
    check(st == NFS4_OK and res.status == NFS4_OK, "K1",
          "A writes and locks through the front", "%s, %s" % (sname(st), sname(res.status)))
    # the restart
    rc = subprocess.call(args.restart, shell=True)
    if rc != 0:
        raise RuntimeError("restart command failed: %d" % rc)
    # K2
    flags, t0 = 0, time.time()
    while time.time() - t0 < 10:
        flags = max(seq_flags(A), 0)
        if flags & SEQ4_STATUS_RESTART_RECLAIM_NEEDED:
            break
        time.sleep(0.2)
    check(flags & SEQ4_STATUS_RESTART_RECLAIM_NEEDED, "K2",
          "the front says RESTART_RECLAIM_NEEDED", "after %.1f s, flags %#x" % (time.time() - t0, flags))
    # K3
    st = None
    for _ in range(50):   # the owner may still be starting: DELAY
        res = A.compound([op.putfh(fh),
                          op.open(0, OPEN4_SHARE_ACCESS_BOTH | OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
    OPEN4_SHARE_DENY_NONE, owner, openflag4(OPEN4_NOCREATE),
    open_claim4(CLAIM_PREVIOUS, None, OPEN_DELEGATE_NONE))])
        st = res.status
        if st != NFS4ERR_DELAY:
            break
        time.sleep(0.2)
    check(st == NFS4_OK, "K3", "A reclaims its open (CLAIM_PREVIOUS)", sname(st))
    osid = res.resarray[-1].stateid if st == NFS4_OK else osid
    res = A.compound([op.putfh(fh), lock_args(A, osid, b"restart-lock2", WRITE_LT, True)])
    check(res.status == NFS4_OK, "K3", "A reclaims its lock", sname(res.status))
    res = A.compound([op.reclaim_complete(False)])
    check(res.status == NFS4_OK, "K3", "RECLAIM_COMPLETE", sname(res.status))
    flags = seq_flags(A)
    check(flags >= 0 and not flags & SEQ4_STATUS_RESTART_RECLAIM_NEEDED, "K3",
          "the flag is gone", "flags %#x" % flags)
    # K4
    bc, B = connect(args.owner, b"B")
    bowner = open_owner4(B.client.clientid, b"restart-b")
    st = None
    for _ in range(100):  # grace may still run for other clients
        res = B.compound([op.putrootfh(),
                          op.open(0, OPEN4_SHARE_ACCESS_READ | OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
    OPEN4_SHARE_DENY_NONE, bowner, openflag4(OPEN4_NOCREATE),
    open_claim4(CLAIM_NULL, NAME))])
        st = res.status
        if st != NFS4ERR_GRACE:
            break
        time.sleep(0.2)
    if st == NFS4_OK:
        bsid = res.resarray[-1].stateid
        st = B.compound([op.putfh(fh), lock_args(B, bsid, b"restart-b-lock", READ_LT)]).status
    check(st == NFS4ERR_DENIED, "K4", "B is denied: A's reclaimed lock holds", sname(st))
    res = A.compound([op.putfh(fh), op.read(osid, 0, 1 << 16)])
    got = res.resarray[-1].switch.switch.data if res.status == NFS4_OK else None
    check(got == DATA, "K4", "A reads its bytes back", "%s, %d bytes" % (sname(res.status), len(got or b"")))
    # K5
    if args.restart_front:
        if subprocess.call(args.restart_front, shell=True) != 0:
            raise RuntimeError("front restart command failed")
        t0 = time.time()
        while time.time() - t0 < 10:
            st = B.compound([op.putfh(fh), lock_args(B, bsid, b"restart-b-lock2", READ_LT)]).status
            if st != NFS4ERR_DENIED:
                break
            time.sleep(0.2)
        check(st == NFS4_OK, "K5", "after the front's restart the owner let A's lock go",
              "%s after %.1f s" % (sname(st), time.time() - t0))
except Exception as e:
    print("owner_restart: ERROR: %s: %s" % (type(e).__name__, e))
    sys.exit(2)

print("owner_restart: %s" % ("all passed" if not check.failed else "%d FAILED" % check.failed))
sys.exit(1 if check.failed else 0)
