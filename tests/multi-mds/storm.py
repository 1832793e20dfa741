#!/usr/bin/python3
"""tests/multi-mds/storm.py -- a seeded rename storm over a spread cluster.

Issue 15, acceptance 4: names moved between directories of different
owners, renamed over existing names, hard links made and removed,
directories made and removed, while tests/multi-mds/storm.sh SIGKILLs and
restarts a random metadata node (the one this client talks to, too).

  storm.py run --port P --journal FILE --top NAME [--seed S] [--server H]
      One client, one operation at a time, through the node on P, until
      killed. Ops: create (OPEN + a FILE_SYNC WRITE + CLOSE), append, RENAME
      within a directory, into another, over an existing file, LINK,
      REMOVE of a file's name, mkdir, RMDIR of an empty directory, RENAME
      of a directory (with its files) within its parent or into another
      directory (its entry and its inode then often on two nodes). DELAY and
      GRACE are sent again later (RFC 8881 §15.1.1.3); any other error is a
      failure: the nodes behind the one it talks to must keep retried
      requests exact (decision 0024, "retried sub-compounds").
      When the node it talks to dies (the connection closes), the client
      connects again as a new client and finds out by looking whether the
      op in flight happened (a front's restart loses its reply cache, so
      sending it again could answer EXIST or NOENT legitimately); the
      journal gets the op line, or `refused LINE`.

  storm.py verify --port P --journal FILE [--journal FILE ...]
      With a fresh client: replays each journal (both outcomes of its last
      in-flight op allowed) and checks the tree under its top: exactly the
      journalled names and types; names of one file share a fileid and
      names of different files do not; each file's numlinks equals its
      names; each directory's size equals its entries and its numlinks is
      2 + its subdirectories; every acknowledged write reads back.

Journal lines (crash_workload.py's format: `pending LINE` before the
request, `LINE` after the answer, `refused LINE` when it did not happen):
  mkdir P | rmdir P | create P TAG | write TAG OFF LEN SHA256
  rename A B | link A B | remove P | mvdir A B
TAG names a file (an inode) for the journal; its names move with renames.
"""
import argparse
import hashlib
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "crash"))
import crash_workload as cw                                  # noqa: E402
from crash_workload import op, lookup_ops, parent_name       # noqa: E402
from xdrdef.nfs4_const import *                              # noqa: E402,F403
from xdrdef.nfs4_type import *                               # noqa: E402,F403
import nfs4lib                                               # noqa: E402
import rpc.rpc as rpcmod                                     # noqa: E402


class Lost(Exception):
    """The connection to the node closed (it died)."""


def _fail_pending_on_close():
    """pynfs leaves a call on a closed connection waiting 300 s: fill its
    waiters with an error as soon as the socket closes."""
    orig = rpcmod.ConnectionHandler._event_close

    def close(self, fd):
        pipe = self.sockets.get(fd)
        if pipe is not None:
            for d in list(getattr(pipe, "_pending", {}).values()):
                try:
                    d.fill(exception=Lost("connection closed"))
                except Exception:
                    pass
        orig(self, fd)
    rpcmod.ConnectionHandler._event_close = close
    # and a reply that never comes (a dead polling thread of pynfs's) is a
    # lost connection after 60 s, not 300: a front holds a request for an
    # owner that is down for its lease and grace at most (13 s here)
    wait = rpcmod.DeferredData.wait
    rpcmod.DeferredData.wait = lambda self, timeout=60: wait(self, min(timeout or 60, 60))


_fail_pending_on_close()
# A dead peer: these come back from a session whose node restarted.
SESSION_GONE = (NFS4ERR_BADSESSION, NFS4ERR_DEADSESSION,
                NFS4ERR_STALE_CLIENTID, NFS4ERR_EXPIRED)
RETRY = (NFS4ERR_GRACE, NFS4ERR_DELAY)
OWNER = b"storm-owner"  # the open owner of every OPEN (crash_workload.open_ops)


def attr_ops(bits):
    return op.getattr(nfs4lib.list2bitmap(bits))


class Storm:
    def __init__(self, a, journal):
        self.a = a
        self.j = journal
        self.rng = random.Random(a.seed)
        self.top = a.top
        self.dirs = []      # paths
        self.names = {}     # file path -> tag
        self.tags = {}      # tag -> size
        self.ctr = 0
        self.acked = self.refused = self.reconnects = 0
        self.sess = None
        self.connect()

    # -- the connection
    def connect(self):
        deadline = time.monotonic() + 120
        while True:
            try:
                _, self.sess = cw.connect(
                    self.a.server, self.a.port,
                    b"strata-storm-%s-%d-%d" % (self.top.encode(), os.getpid(),
                                                self.reconnects))
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def compound(self, ops):
        try:
            res = self.sess.compound(ops)
        except Lost:
            raise
        except (OSError, EOFError, rpcmod.RPCError) as e:
            raise Lost(str(e))
        if res.status in SESSION_GONE:
            raise Lost(cw.status_name(res.status))
        return res

    def call(self, ops, what, ok=(NFS4_OK,)):
        deadline = time.monotonic() + 120
        pause = 0.05
        while True:
            res = self.compound(ops)
            if res.status not in RETRY or time.monotonic() > deadline:
                break
            if res.status == NFS4ERR_GRACE:
                self.compound([op.reclaim_complete(FALSE)])
            time.sleep(pause)
            pause = min(pause * 2, 1.0)
        if res.status not in ok:
            raise cw.WorkloadError("%s: %s" % (what, cw.status_name(res.status)),
                                   res.status)
        return res

    def fileid(self, path):
        """The fileid PATH names, or None (NOENT)."""
        res = self.call(lookup_ops(path) + [attr_ops([FATTR4_FILEID])],
                        "LOOKUP " + path, ok=(NFS4_OK, NFS4ERR_NOENT))
        if res.status == NFS4ERR_NOENT:
            return None
        return res.resarray[-1].obj_attributes[FATTR4_FILEID]

    # -- journalled ops
    def journalled(self, line, ops, done_if, refusable=()):
        """Send OPS for LINE. On a lost connection, reconnect and ask
        DONE_IF() whether it happened. True: acknowledged."""
        self.j.line("pending " + line)
        try:
            res = self.call(ops, line, ok=(NFS4_OK,) + refusable)
            done = res.status == NFS4_OK
        except Lost:
            done = self.after_loss(done_if)
        self.j.line(line if done else "refused " + line)
        if done:
            self.acked += 1
        else:
            self.refused += 1
        return done

    def reconnect(self):
        self.reconnects += 1
        self.connect()

    def after_loss(self, done_if):
        """Connect again and ask DONE_IF() (again, if the node dies
        meanwhile too)."""
        while True:
            self.reconnect()
            try:
                return done_if()
            except Lost:
                continue

    def new_name(self, prefix):
        self.ctr += 1
        return "%s%06d" % (prefix, self.ctr)

    def write(self, tag, path, off):
        """A FILE_SYNC write to PATH (file TAG) through an open of its own;
        sent again after a lost connection (it is idempotent)."""
        data = self.rng.randbytes(self.rng.randint(1024, 16 * 1024))
        line = "write %s %d %d %s" % (tag, off, len(data),
                                      hashlib.sha256(data).hexdigest())
        self.j.line("pending " + line)
        lost = cw.Workload.STATE_LOST
        for attempt in range(20):
            try:
                res = self.call(cw.open_ops(path, False, OWNER),
                                "OPEN " + path)
                sid = res.resarray[-2].stateid
                fh = res.resarray[-1].object
                w = self.call([op.putfh(fh), op.write(sid, off, FILE_SYNC4, data)],
                              "WRITE " + path, ok=(NFS4_OK,) + lost)
                if w.status != NFS4_OK:
                    continue  # the owner restarted: its open is gone
                self.call([op.putfh(fh), op.close(0, sid)], "CLOSE " + path,
                          ok=(NFS4_OK,) + lost)
                break
            except Lost:
                self.reconnect()
        else:
            raise cw.WorkloadError("WRITE %s: 20 attempts" % path)
        self.j.line(line)
        self.acked += 1
        self.tags[tag] = max(self.tags[tag], off + len(data))

    def op_mkdir(self, path):
        d, n = parent_name(path)
        ops = (lookup_ops(d) if d else [op.putrootfh()]) + \
            [op.create(createtype4(NF4DIR), n.encode(), {FATTR4_MODE: 0o755})]
        if self.journalled("mkdir " + path, ops,
                           lambda: self.fileid(path) is not None):
            self.dirs.append(path)

    def op_mkdir_under(self, parent):
        """A new directory in PARENT, two levels below the top at most (a
        RENAME's COMPOUND looks up both paths within the session's 16
        operations)."""
        if parent.count("/") < 2:
            self.op_mkdir(parent + "/" + self.new_name("d"))

    def op_create(self):
        path = self.rng.choice(self.dirs) + "/" + self.new_name("f")
        tag = "i%d" % self.ctr
        ops = cw.open_ops(path, True, OWNER)
        if not self.journalled("create %s %s" % (path, tag), ops,
                               lambda: self.fileid(path) is not None):
            return
        self.names[path] = tag
        self.tags[tag] = 0
        self.write(tag, path, 0)
        # the open of the create is closed by its state's lease: a file
        # opened and not closed is what a crash leaves too

    def op_append(self):
        path = self.rng.choice(sorted(self.names))
        tag = self.names[path]
        self.write(tag, path, self.tags[tag])

    def op_rename(self, kind):
        old = self.rng.choice(sorted(self.names))
        tag = self.names[old]
        od = parent_name(old)[0]
        if kind == "over":
            cands = [p for p in sorted(self.names) if self.names[p] != tag]
            if not cands:
                return
            new = self.rng.choice(cands)
        else:
            nd = od if kind == "within" else self.rng.choice(self.dirs)
            new = nd + "/" + self.new_name("r")
        ops = cw.rename_ops(old, new)
        fid = self.fileid(old)

        def happened():
            return self.fileid(old) is None and self.fileid(new) == fid
        if self.journalled("rename %s %s" % (old, new), ops, happened):
            self.names.pop(old)
            self.names[new] = tag

    def op_link(self):
        old = self.rng.choice(sorted(self.names))
        new = self.rng.choice(self.dirs) + "/" + self.new_name("l")
        nd, nn = parent_name(new)
        ops = lookup_ops(old) + [op.savefh()] + lookup_ops(nd) + \
            [op.link(nn.encode())]
        if self.journalled("link %s %s" % (old, new), ops,
                           lambda: self.fileid(new) is not None):
            self.names[new] = self.names[old]

    def op_remove(self):
        path = self.rng.choice(sorted(self.names))
        d, n = parent_name(path)
        if self.journalled("remove " + path, lookup_ops(d) + [op.remove(n.encode())],
                           lambda: self.fileid(path) is None):
            self.names.pop(path)

    def empty_dirs(self):
        full = set(parent_name(p)[0] for p in self.names) | \
            set(parent_name(d)[0] for d in self.dirs)
        return [d for d in self.dirs if d != self.top and d not in full]

    def op_rmdir(self):
        cands = self.empty_dirs()
        if not cands:
            return self.op_mkdir_under(self.rng.choice(self.dirs))
        path = self.rng.choice(sorted(cands))
        d, n = parent_name(path)
        if self.journalled("rmdir " + path, lookup_ops(d) + [op.remove(n.encode())],
                           lambda: self.fileid(path) is None):
            self.dirs.remove(path)

    def op_mvdir(self, kind):
        """RENAME of a directory that has no subdirectories (its files go
        with it), within its parent or into the top or a directory just
        below it: paths stay as deep as mkdir makes them (a RENAME's
        COMPOUND looks up both paths within the session's 16 operations)."""
        parents = set(parent_name(d)[0] for d in self.dirs)
        cands = [d for d in self.dirs if d != self.top and d not in parents]
        if not cands:
            return self.op_mkdir_under(self.rng.choice(self.dirs))
        old = self.rng.choice(sorted(cands))
        od = parent_name(old)[0]
        if kind == "within":
            nd = od
        else:
            nd = self.rng.choice([d for d in self.dirs
                                  if d.count("/") < 2 and d != old])
        new = nd + "/" + self.new_name("m")
        fid = self.fileid(old)

        def happened():
            return self.fileid(old) is None and self.fileid(new) == fid
        if not self.journalled("mvdir %s %s" % (old, new),
                               cw.rename_ops(old, new), happened):
            return
        self.dirs[self.dirs.index(old)] = new
        for p in [p for p in self.names if p.startswith(old + "/")]:
            self.names[new + p[len(old):]] = self.names.pop(p)

    def run(self):
        self.op_mkdir(self.top)
        for i in range(6):
            self.op_mkdir("%s/d%02d" % (self.top, i))
        while True:
            try:
                self.one_op()
            except Lost:
                # lost before its request was sent (a lookup of its own):
                # nothing journalled as pending
                self.reconnect()

    # The mix: (cumulative probability, op). Fewer than 8 files: create.
    MIX = ((0.24, lambda s: s.op_create()),
           (0.32, lambda s: s.op_append()),
           (0.44, lambda s: s.op_rename("within")),
           (0.56, lambda s: s.op_rename("across")),
           (0.62, lambda s: s.op_rename("over")),
           (0.70, lambda s: s.op_link()),
           (0.82, lambda s: s.op_remove()),
           (0.85, lambda s: s.op_mvdir("within")),
           (0.89, lambda s: s.op_mvdir("across")),
           (0.95, lambda s: s.op_mkdir_under(s.rng.choice(s.dirs))),
           (1.00, lambda s: s.op_rmdir()))

    def one_op(self):
        r = self.rng.random()
        if len(self.names) < 8:
            r = 0.0
        next(fn for p, fn in self.MIX if r < p)(self)


# ------------------------------------------------------------------ verifier

class Model:
    def __init__(self):
        self.ns = {}      # path -> "dir" | tag
        self.writes = {}  # tag -> [(off, len, sha)]

    def clone(self):
        m = Model()
        m.ns = dict(self.ns)
        m.writes = {k: list(v) for k, v in self.writes.items()}
        return m

    def _need(self, cond, what):
        if not cond:
            raise ValueError(what)

    def _parent(self, p):
        d, _ = parent_name(p)
        self._need(not d or self.ns.get(d) == "dir", "parent of %s missing" % p)

    def apply(self, f):
        k = f[0]
        if k == "mkdir":
            self._need(f[1] not in self.ns, "%s exists" % f[1])
            self._parent(f[1])
            self.ns[f[1]] = "dir"
        elif k == "rmdir":
            self._need(self.ns.get(f[1]) == "dir", "rmdir of no dir")
            self._need(not any(parent_name(p)[0] == f[1] for p in self.ns),
                       "rmdir of a full dir")
            del self.ns[f[1]]
        elif k == "create":
            self._need(f[1] not in self.ns, "%s exists" % f[1])
            self._parent(f[1])
            self.ns[f[1]] = f[2]
            self.writes[f[2]] = []
        elif k == "write":
            self._need(f[1] in self.writes, "write to unknown file")
            self.writes[f[1]].append((int(f[2]), int(f[3]), f[4]))
        elif k == "rename":
            t = self.ns.get(f[1])
            self._need(t not in (None, "dir"), "rename of no file")
            self._need(self.ns.get(f[2]) != "dir", "rename over a dir")
            self._parent(f[2])
            del self.ns[f[1]]
            self.ns[f[2]] = t
        elif k == "link":
            t = self.ns.get(f[1])
            self._need(t not in (None, "dir"), "link of no file")
            self._need(f[2] not in self.ns, "link over a name")
            self._parent(f[2])
            self.ns[f[2]] = t
        elif k == "mvdir":
            self._need(self.ns.get(f[1]) == "dir", "mvdir of no dir")
            self._need(f[2] not in self.ns, "mvdir over a name")
            self._need(not f[2].startswith(f[1] + "/"), "mvdir into itself")
            self._parent(f[2])
            for p in [p for p in self.ns if p == f[1] or p.startswith(f[1] + "/")]:
                self.ns[f[2] + p[len(f[1]):]] = self.ns.pop(p)
        elif k == "remove":
            self._need(self.ns.get(f[1]) not in (None, "dir"), "remove of no file")
            del self.ns[f[1]]
        else:
            raise ValueError("unknown op %r" % k)


def walk(sess, top):
    """{path: (type, fileid, numlinks, size, fh)} under TOP."""
    out = {}
    bits = [FATTR4_TYPE, FATTR4_FILEID, FATTR4_NUMLINKS, FATTR4_SIZE]
    res = cw.compound_retry(sess, lookup_ops(top) + [op.getfh(), attr_ops(bits)])
    if res.status == NFS4ERR_NOENT:
        return out
    nfs4lib.check(res, msg="LOOKUP " + top)
    stack = [(top, res.resarray[-2].object)]
    while stack:
        path, fh = stack.pop()
        r = cw.compound_retry(sess, [op.putfh(fh), attr_ops(bits)])
        nfs4lib.check(r, msg="GETATTR " + path)
        a = r.resarray[-1].obj_attributes
        t = {NF4DIR: "dir", NF4REG: "file"}.get(a[FATTR4_TYPE], "other")
        out[path] = (t, a[FATTR4_FILEID], a[FATTR4_NUMLINKS], a[FATTR4_SIZE], fh)
        if t != "dir":
            continue
        cookie, verf = 0, b"\0" * 8
        bm = nfs4lib.list2bitmap([FATTR4_FILEHANDLE])
        while True:
            r = cw.compound_retry(sess, [op.putfh(fh),
                                         op.readdir(cookie, verf, 8192, 32768, bm)])
            nfs4lib.check(r, msg="READDIR " + path)
            rd = r.resarray[-1]
            reply = getattr(rd, "reply", None) or rd.resok4.reply
            for e in reply.entries:
                p = path + "/" + e.name.decode()
                if p in out or any(s[0] == p for s in stack):
                    raise cw.WorkloadError("READDIR %s: %s listed twice" % (path, p))
                stack.append((p, e.attrs[FATTR4_FILEHANDLE]))
                cookie = e.cookie
            if reply.eof:
                break
            verf = getattr(rd, "cookieverf", None) or rd.resok4.cookieverf
    return out


def check_tree(m, actual, log):
    """Problems of ACTUAL against model M (a list of strings)."""
    bad = []
    exp = {p: ("dir" if t == "dir" else "file") for p, t in m.ns.items()}
    got = {p: v[0] for p, v in actual.items()}
    if exp != got:
        for p in sorted(set(exp) - set(got)):
            bad.append("missing %s %s" % (exp[p], p))
        for p in sorted(set(got) - set(exp)):
            bad.append("unexpected %s %s" % (got[p], p))
        for p in sorted(p for p in exp if p in got and exp[p] != got[p]):
            bad.append("%s is %s, expected %s" % (p, got[p], exp[p]))
        return bad
    fid_of = {}
    for p, t in m.ns.items():
        if t == "dir":
            continue
        fid = actual[p][1]
        if fid_of.setdefault(t, fid) != fid:
            bad.append("%s: fileid %d, its other names %d" % (p, fid, fid_of[t]))
    if len(set(fid_of.values())) != len(fid_of):
        bad.append("two files share a fileid")
    for p, t in m.ns.items():
        kids = [q for q in m.ns if parent_name(q)[0] == p]
        if t == "dir":
            nsub = sum(1 for q in kids if m.ns[q] == "dir")
            if actual[p][3] != len(kids):
                bad.append("dir %s: size %d, %d entries" % (p, actual[p][3], len(kids)))
            if actual[p][2] != 2 + nsub:
                bad.append("dir %s: numlinks %d, %d subdirectories" % (p, actual[p][2], nsub))
        else:
            n = sum(1 for q in m.ns if m.ns[q] == t)
            if actual[p][2] != n:
                bad.append("%s: numlinks %d, %d names" % (p, actual[p][2], n))
    return bad


def verify_journal(sess, path, log):
    top, acked, inflight, cands = cw.journal_models(path, Model, log)
    if top is None:
        return True
    actual = walk(sess, top)
    results = [(label, m, check_tree(m, actual, log)) for label, m in cands]
    ok_one = [r for r in results if not r[2]]
    nfiles = sum(1 for t in cands[0][1].ns.values() if t != "dir")
    log("  %s: %d acknowledged ops, in flight: %s"
        % (cw.short(path), len(acked), inflight or "none"))
    if not ok_one:
        log("  FAIL the tree differs from the journal (both outcomes of the "
            "in-flight op tried):")
        for p in results[0][2][:40]:
            log("    " + p)
        for p in sorted(set(p.split()[-1] for p in results[0][2] if p.startswith(("missing", "unexpected"))))[:10]:
            log("    [journal of %s: %s]" % (p, cw.history(acked, p)))
        return False
    label, m, _ = ok_one[0]
    log("  tree OK (%s): %d names of files, %d dirs; numlinks, sizes and "
        "fileids exact" % (label, nfiles, sum(1 for t in m.ns.values() if t == "dir")))
    nw = nbad = 0
    first = {}
    for p, t in sorted(m.ns.items()):
        if t != "dir":
            first.setdefault(t, p)
    for t, p in sorted(first.items()):
        for off, ln, sha in m.writes.get(t, []):
            nw += 1
            got = cw.read_range(sess, actual[p][4], off, ln)
            if len(got) != ln or hashlib.sha256(got).hexdigest() != sha:
                nbad += 1
                log("    DATA MISMATCH %s [%d,+%d): read %d bytes" % (p, off, ln, len(got)))
    log("  data: %d acknowledged writes read back, %d mismatched" % (nw, nbad))
    return nbad == 0


def cmd_run(a):
    s = Storm(a, cw.Journal(a.journal))
    try:
        s.run()
    except cw.WorkloadError as e:
        print("storm: server error: %s (after %d ops)" % (e, s.acked), file=sys.stderr)
        return 2
    return 0


def cmd_verify(a):
    return cw.cmd_verify(a, verify_journal, b"strata-storm-verify")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--journal", required=True)
    r.add_argument("--top", required=True)
    r.add_argument("--seed", type=int, default=1)
    v = sub.add_parser("verify")
    v.add_argument("--journal", action="append", required=True)
    for s in (r, v):
        s.add_argument("--server", default="127.0.0.1")
        s.add_argument("--port", type=int, required=True)
    a = p.parse_args()
    return cmd_run(a) if a.cmd == "run" else cmd_verify(a)


if __name__ == "__main__":
    sys.exit(main())
