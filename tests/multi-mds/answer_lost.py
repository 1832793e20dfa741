#!/usr/bin/python3
"""tests/multi-mds/answer_lost.py -- an owner dies between a commit and its answer.

    answer_lost.py --owner HOST:PORT --front HOST:PORT --arm CMD --start CMD
                   [--pynfs DIR]

ARM (run with the shell) restarts the owner with the failpoint
peer-answer-exit (strata-mds --failpoint, nfsd/server.h): the owner exits
right after committing the first mutating sub-compound a front sends it,
before the answer leaves, like a SIGKILL at that exact point. START starts
it again (normally). Client C is a raw NFSv4.1 client (pynfs's library,
imported at run time) on the front; like the Linux client, it sends a
request that got NFS4ERR_DELAY again as a new request. Checks:

  L1  C's CREATE of a new directory through the front, sent while the owner
      is armed, answers NFS4_OK once the owner is back: not NFS4ERR_EXIST
      (what running it a second time gives) and not an error. The front
      held it and sent it again; the owner answered from the record it
      committed with the directory (docs/decisions/0024).
  L2  the directory is there (LOOKUP through the front) with the
      filehandle the CREATE returned, and READDIR of the root lists its
      name exactly once.
  L3  the owner really died after the commit (it was not running when
      START ran), so L1 was not a plain first run.

Exit 0 all passed, 1 a check failed, 2 setup or protocol error.
"""
import argparse
import os
import socket
import subprocess
import sys
import threading
import time

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--owner", required=True)
ap.add_argument("--front", required=True)
ap.add_argument("--arm", required=True, help="shell: restart the owner with the failpoint")
ap.add_argument("--start", required=True, help="shell: start the owner again")
ap.add_argument("--pynfs", default=os.environ.get("PYNFS_DIR", ""))
args = ap.parse_args()
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mmlib  # noqa: E402
nfs4client, op, nfs4lib, AuthSys = mmlib.load(args.pynfs, "answer_lost")
check = mmlib.Checks()

from xdrdef.nfs4_const import *                   # noqa: E402,F401,F403
from xdrdef.nfs4_type import createtype4          # noqa: E402

ROOT = AuthSys().init_cred(uid=0, gid=0, name=b"strata-answer", gids=[0])


def sname(st):
    return nfsstat4.get(st, str(st))


def hostport(where):
    h, _, p = where.rpartition(":")
    return h, int(p)


def owner_up():
    try:
        socket.create_connection(hostport(args.owner), timeout=1).close()
        return True
    except OSError:
        return False


def names_in_root(sess):
    """Every name READDIR of the root gives, all pages."""
    names, cookie, verf = [], 0, b"\0" * 8
    while True:
        res = sess.compound([op.putrootfh(), op.readdir(cookie, verf, 4096, 65536, [])])
        if res.status != NFS4_OK:
            raise RuntimeError("readdir: " + sname(res.status))
        rd = res.resarray[-1]
        for e in rd.reply.entries:
            names.append(e.name)
            cookie = e.cookie
        verf = rd.cookieverf
        if rd.reply.eof:
            return names


NAME = b"answer-lost-%d-%d" % (os.getpid(), int(time.time()))
try:
    if subprocess.call(args.arm, shell=True) != 0:
        raise RuntimeError("arm command failed")
    h, p = hostport(args.front)
    cc = nfs4client.NFS4Client(h, p, minorversion=1)
    cc.set_cred(ROOT)
    C = cc.new_client_session(b"strata-answer-C-%d" % os.getpid())
    # the front reaches the restarted owner (DELAY until its link is up)
    st = None
    for _ in range(50):
        st = C.compound([op.putrootfh(), op.getattr(1 << FATTR4_TYPE)]).status
        if st == NFS4_OK:
            break
        time.sleep(0.2)
    if st != NFS4_OK:
        raise RuntimeError("the front does not reach the owner: " + sname(st))

    out = {}

    def create():
        try:
            out["res"] = C.compound([op.putrootfh(),
                                     op.create(createtype4(NF4DIR), NAME, {FATTR4_MODE: 0o755}),
                                     op.getfh()])
        except Exception as e:      # reported below
            out["err"] = e

    t = threading.Thread(target=create, daemon=True)
    t.start()
    t0 = time.time()
    while owner_up() and time.time() - t0 < 20:
        time.sleep(0.1)
    died = not owner_up()
    check(died, "L3", "the owner exited after the commit (failpoint)",
          "%.1f s after the CREATE" % (time.time() - t0))
    if subprocess.call(args.start, shell=True) != 0:
        raise RuntimeError("start command failed")
    t.join(120)
    if t.is_alive() or "err" in out:
        raise RuntimeError("CREATE did not come back: %s" % out.get("err", "timeout"))
    res = out["res"]
    check(res.status == NFS4_OK, "L1", "the CREATE answers NFS4_OK across the owner's death",
          "%s after %.1f s" % (sname(res.status), time.time() - t0))
    fh = res.resarray[-1].object if res.status == NFS4_OK else None
    res = C.compound([op.putrootfh(), op.lookup(NAME), op.getfh()])
    same = res.status == NFS4_OK and res.resarray[-1].object == fh
    n = names_in_root(C).count(NAME)
    check(same and n == 1, "L2", "the directory exists once, with the CREATE's filehandle",
          "lookup %s, same fh %s, listed %d time(s)" % (sname(res.status), same, n))
except Exception as e:   # noqa: BLE001
    print("answer_lost: %s" % e, file=sys.stderr)
    sys.exit(2)
print("answer_lost: %d check(s) failed" % check.failed if check.failed else "answer_lost: all passed")
sys.exit(1 if check.failed else 0)
