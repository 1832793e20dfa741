#!/usr/bin/python3
"""tests/crash/crash_workload.py — crash-consistency workload and verifier.

Uses pynfs's NFSv4.1 client library (tree from $STRATA_PYNFS, default
/var/tmp/strata-suites/pynfs; built by scripts/build-suites.sh).

  crash_workload.py run --port P --journal FILE --top NAME [--seed S]
                        [--max-ops N] [--server HOST] [--survive-restarts]
                        [--xdev-ok]
      Creates directory /NAME on the export and, one operation at a time
      (single-threaded, so at most one operation is ever in flight), runs a
      seeded mix: OPEN(create)+WRITE FILE_SYNC+CLOSE, OPEN(create)+WRITE
      UNSTABLE+COMMIT+CLOSE, appends to existing files, RENAME within and
      across directories (also over an existing file), REMOVE and mkdir
      (CREATE NF4DIR). It runs until killed (or --max-ops).
      --survive-restarts: the server (or a metadata node behind the one it
      talks to) may restart under it: an open whose state the restart took
      is opened again and the op sent again, an UNSTABLE write whose
      COMMIT verifier changed is written again FILE_SYNC. Any other non-OK
      reply is still a workload error (a retried CREATE answering EXIST,
      a REMOVE answering NOENT).
      --xdev-ok: a RENAME answered NFS4ERR_XDEV (names on two metadata
      nodes) did nothing: journalled `refused LINE`, not an error.

  crash_workload.py verify --port P --journal FILE [--journal FILE ...]
      With a fresh client: replays each journal into the expected namespace
      and checks that the tree under its top directory is exactly that
      namespace (allowing both outcomes of the one unacknowledged in-flight
      operation), then reads back every acknowledged FILE_SYNC/COMMITted
      write and compares its sha256. Exit 0 if all hold, 1 otherwise.

Journal (append-only, one line per event, each written with os.write and
fsync'ed):
  pending <op line>                 written BEFORE the request is sent
  create NAME                       OPEN(create) reply received
  mkdir NAME                        CREATE(NF4DIR) reply received
  write NAME OFFSET LEN SHA256 FILE_SYNC|COMMITTED
                                    WRITE FILE_SYNC reply, or COMMIT reply
                                    with the WRITE's verifier
  rename OLD NEW                    RENAME reply received
  remove NAME                       REMOVE reply received
NAMEs are paths from the export root ("top/d03/f000012"). Every op line
follows its own pending line; a final pending line without its op line is
the op that was in flight when the server was killed: it may or may not
have happened, and the verifier accepts both outcomes. A failed (non-OK)
reply is a workload error (exit 2), never journalled as acknowledged.
One workload process = one journal = one top directory; several may run
at once on disjoint top directories.
"""
import argparse
import logging
import hashlib
import io
import contextlib
import os
import time
import random
import sys

PYNFS = os.environ.get("STRATA_PYNFS", "/var/tmp/strata-suites/pynfs")
sys.path[0:0] = [os.path.join(PYNFS, "nfs4.1"), os.path.join(PYNFS, "xdr"),
                 PYNFS]
with contextlib.redirect_stdout(io.StringIO()):  # "Could not find gssapi"
    import nfs4client                                      # noqa: E402
    import nfs4lib                                         # noqa: E402
    from rpc.security import AuthSys                       # noqa: E402
    from xdrdef.nfs4_const import *                        # noqa: E402,F401,F403
    from xdrdef.nfs4_type import *                         # noqa: E402,F401,F403
    import nfs_ops                                         # noqa: E402

op = nfs_ops.NFS4ops()
logging.disable(logging.INFO)   # pynfs logs every connection at INFO
MAXIO = 1 << 20


class WorkloadError(Exception):
    def __init__(self, msg, status=None):
        super().__init__(msg)
        self.status = status


def connect(host, port, name):
    """A fresh client + session with channel sizes big enough for 64 KiB."""
    c = nfs4client.NFS4Client(host, port, minorversion=1)
    c.create_tag = lambda: b"strata-crash"      # inspect.stack() is slow
    c.set_cred(AuthSys().init_cred(uid=os.getuid(), gid=os.getgid(),
                                   name=b"strata-crash"))
    verf = os.urandom(8)
    clnt = c.new_client(name, verf=verf)
    attrs = channel_attrs4(0, MAXIO + 65536, MAXIO + 65536, 8192, 16, 8, [])
    sess = clnt.create_session(fore_attrs=attrs)
    res = sess.compound([op.reclaim_complete(FALSE)])
    nfs4lib.check(res, msg="RECLAIM_COMPLETE")
    return c, sess


def comps(path):
    return [p.encode() for p in path.split("/")]


def lookup_ops(path):
    return [op.putrootfh()] + [op.lookup(x) for x in comps(path)]


def compound_retry(sess, ops, secs=60.0):
    """SESS.compound(OPS), sent again while it answers DELAY or GRACE (a
    name a cross-node transaction left in doubt reads NFS4ERR_DELAY until
    it is resolved; RFC 8881 §15.1.1.3), for SECS at most."""
    deadline = time.monotonic() + secs
    while True:
        res = sess.compound(ops)
        if res.status not in (NFS4ERR_DELAY, NFS4ERR_GRACE) or \
                time.monotonic() > deadline:
            return res
        time.sleep(0.1)


def rename_ops(old, new):
    """RENAME of path OLD to path NEW: SAVEFH of OLD's directory, then NEW's."""
    od, on = parent_name(old)
    nd, nn = parent_name(new)
    return lookup_ops(od) + [op.savefh()] + lookup_ops(nd) + \
        [op.rename(on.encode(), nn.encode())]


def parent_name(path):
    d, _, n = path.rpartition("/")
    return d, n


def open_ops(path, create, owner):
    """LOOKUPs to PATH's directory, OPEN (GUARDED create, or an existing
    file) for OWNER, GETFH."""
    d, n = parent_name(path)
    if create:
        how = openflag4(OPEN4_CREATE,
                        createhow4(GUARDED4, {FATTR4_MODE: 0o644}))
    else:
        how = openflag4(OPEN4_NOCREATE)
    return lookup_ops(d) + [
        op.open(0, OPEN4_SHARE_ACCESS_BOTH | OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
                OPEN4_SHARE_DENY_NONE, open_owner4(0, owner),
                how, open_claim4(CLAIM_NULL, n.encode())),
        op.getfh()]


def status_name(st):
    return nfsstat4.get(st, str(st))


# ------------------------------------------------------------------ workload

class Journal:
    def __init__(self, path):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def line(self, s):
        b = (s + "\n").encode()
        if os.write(self.fd, b) != len(b):
            raise OSError("short journal write")
        os.fsync(self.fd)


class Workload:
    def __init__(self, sess, journal, top, rng, survive=False):
        self.survive = survive  # state lost to a server restart: open again
        self.s = sess
        self.j = journal
        self.top = top
        self.rng = rng
        self.dirs = []          # directories of the tree (paths)
        self.files = {}         # path -> size (acknowledged bytes)
        self.ctr = 0
        self.owner = b"crash-owner"
        self.acked = 0
        self.refused = 0
        # A cluster whose partitions have several owners answers a RENAME
        # of names on two nodes NFS4ERR_XDEV (docs/decisions/0024): with
        # --xdev-ok that is a refusal, not a failure.
        self.xdev_ok = False

    # -- helpers
    # Like the Linux client: NFS4ERR_GRACE (the server restarted and other
    # clients may still reclaim) and NFS4ERR_DELAY mean "not done, send it
    # again later" (RFC 8881 §8.4.2, §15.1.1.3); retried with backoff for
    # up to two minutes.
    RETRY = (NFS4ERR_GRACE, NFS4ERR_DELAY)
    RETRY_FOR = 120.0

    def call(self, ops, what):
        deadline = time.monotonic() + self.RETRY_FOR
        pause = 0.1
        while True:
            res = self.s.compound(ops)
            if res.status not in self.RETRY or time.monotonic() > deadline:
                break
            if res.status == NFS4ERR_GRACE and self.survive:
                # RFC 8881 §18.51.3: after a restart (SEQUENCE said
                # RESTART_RECLAIM_NEEDED) no new lock is granted before
                # the client's RECLAIM_COMPLETE; there is nothing here to
                # reclaim (a lost open is opened again), so say so.
                self.s.compound([op.reclaim_complete(False)])
            time.sleep(pause)
            pause = min(pause * 2, 2.0)
        if res.status != NFS4_OK:
            raise WorkloadError("%s: %s" % (what, status_name(res.status)),
                                res.status)
        return res

    # The per-file state a restarted server lost (its grace over, or the
    # stateid of an open answered from before the restart): with
    # --survive-restarts the workload opens the file again and sends the
    # op again, as a client that recovered its state would.
    STATE_LOST = (NFS4ERR_STALE_STATEID, NFS4ERR_BAD_STATEID,
                  NFS4ERR_EXPIRED, NFS4ERR_ADMIN_REVOKED)

    def stateful(self, path, fh, stateid, ops_of, what):
        """Send ops_of(stateid); if the state is lost, reopen PATH and
        retry once. Returns (reply, stateid in use)."""
        try:
            return self.call(ops_of(stateid), what), stateid
        except WorkloadError as e:
            if not self.survive or e.status not in self.STATE_LOST:
                raise
        res = self.call(self.open_ops(path, False), "reopen " + path)
        stateid = res.resarray[-2].stateid
        return self.call(ops_of(stateid), what), stateid

    def close(self, path, fh, stateid):
        try:
            self.call([op.putfh(fh), op.close(0, stateid)], "CLOSE " + path)
        except WorkloadError as e:
            if not self.survive or e.status not in self.STATE_LOST:
                raise   # else: nothing left to close

    def journalled(self, line, ops, refusable=()):
        """Send ops with `pending LINE` before and `LINE` after the reply;
        a status in REFUSABLE (nothing was done) is journalled `refused
        LINE` and returns None."""
        self.j.line("pending " + line)
        try:
            res = self.call(ops, line)
        except WorkloadError as e:
            if e.status not in refusable:
                raise
            self.j.line("refused " + line)
            self.refused += 1
            return None
        self.j.line(line)
        self.acked += 1
        return res

    def new_name(self, prefix):
        self.ctr += 1
        return "%s%06d" % (prefix, self.ctr)

    def data(self):
        n = self.rng.randint(4 * 1024, 64 * 1024)
        return self.rng.randbytes(n)

    def open_ops(self, path, create):
        return open_ops(path, create, self.owner)

    def write_one(self, path, fh, stateid, off, stable):
        data = self.data()
        sha = hashlib.sha256(data).hexdigest()
        line = "write %s %d %d %s %s" % (
            path, off, len(data), sha,
            "FILE_SYNC" if stable else "COMMITTED")
        def wops(sid):
            return [op.putfh(fh),
                    op.write(sid, off, FILE_SYNC4 if stable else UNSTABLE4,
                             data)]
        if stable:
            self.j.line("pending " + line)
        res, stateid = self.stateful(
            path, fh, stateid, wops,
            ("WRITE " if stable else "WRITE unstable ") + path)
        w = res.resarray[-1]
        w = getattr(getattr(w, "switch", w), "switch", w)
        if w.count != len(data):
            raise WorkloadError("WRITE %s: short count %d < %d"
                                % (path, w.count, len(data)))
        if stable:
            if w.committed != FILE_SYNC4:
                raise WorkloadError("WRITE %s FILE_SYNC answered as %d"
                                    % (path, w.committed))
        else:
            self.j.line("pending " + line)
            cres = self.call([op.putfh(fh), op.commit(off, len(data))],
                             "COMMIT " + path)
            cv = cres.resarray[-1]
            cv = getattr(cv, "writeverf", None) or \
                getattr(getattr(cv, "resok4", cv), "writeverf")
            if cv != w.writeverf:
                if not self.survive:
                    raise WorkloadError("COMMIT %s: verifier changed" % path)
                # RFC 8881 §18.3.3: the server restarted, the unstable
                # data may be gone: write it again, stable this time
                # (its open may have gone with the restart too)
                _, stateid = self.stateful(
                    path, fh, stateid,
                    lambda sid: [op.putfh(fh),
                                 op.write(sid, off, FILE_SYNC4, data)],
                    "WRITE again " + path)
        self.j.line(line)
        self.acked += 1
        self.files[path] = off + len(data)
        return stateid

    # -- operations
    def op_mkdir(self, path):
        d, n = parent_name(path)
        ops = lookup_ops(d) if d else [op.putrootfh()]
        ops += [op.create(createtype4(NF4DIR), n.encode(),
                          {FATTR4_MODE: 0o755})]
        self.journalled("mkdir " + path, ops)
        self.dirs.append(path)

    def op_create(self, stable):
        path = self.rng.choice(self.dirs) + "/" + self.new_name("f")
        res = self.journalled("create " + path, self.open_ops(path, True))
        stateid = res.resarray[-2].stateid
        fh = res.resarray[-1].object
        self.files[path] = 0
        stateid = self.write_one(path, fh, stateid, 0, stable)
        self.close(path, fh, stateid)

    def op_append(self):
        path = self.rng.choice(sorted(self.files))
        res = self.call(self.open_ops(path, False), "OPEN " + path)
        stateid = res.resarray[-2].stateid
        fh = res.resarray[-1].object
        stateid = self.write_one(path, fh, stateid, self.files[path],
                                 self.rng.random() < 0.5)
        self.close(path, fh, stateid)

    def op_rename(self, kind):
        old = self.rng.choice(sorted(self.files))
        od = parent_name(old)[0]
        if kind == "over":
            cands = [f for f in sorted(self.files) if f != old]
            if not cands:
                return
            new = self.rng.choice(cands)
        else:
            nd = od if kind == "within" else self.rng.choice(self.dirs)
            new = nd + "/" + self.new_name("r")
        ops = rename_ops(old, new)
        refusable = (NFS4ERR_XDEV,) if self.xdev_ok else ()
        if self.journalled("rename %s %s" % (old, new), ops,
                           refusable) is None:
            return
        self.files[new] = self.files.pop(old)

    def op_remove(self):
        path = self.rng.choice(sorted(self.files))
        d, n = parent_name(path)
        self.journalled("remove " + path, lookup_ops(d) + [op.remove(n.encode())])
        del self.files[path]

    def run(self, max_ops):
        self.op_mkdir(self.top)
        for i in range(6):
            self.op_mkdir("%s/d%02d" % (self.top, i))
        for _ in range(max_ops):
            r = self.rng.random()
            nfiles = len(self.files)
            if nfiles < 8 or r < 0.28:
                self.op_create(stable=True)
            elif r < 0.46:
                self.op_create(stable=False)
            elif r < 0.54:
                self.op_append()
            elif r < 0.64:
                self.op_rename("within")
            elif r < 0.74:
                self.op_rename("across")
            elif r < 0.81:
                self.op_rename("over")
            elif r < 0.97:
                self.op_remove()
            else:
                parent = self.rng.choice(self.dirs)
                if parent.count("/") < 3:
                    self.op_mkdir(parent + "/" + self.new_name("d"))


def cmd_run(a):
    rng = random.Random(a.seed)
    j = Journal(a.journal)
    _, sess = connect(a.server, a.port,
                      b"strata-crash-%s-%d" % (a.top.encode(), os.getpid()))
    w = Workload(sess, j, a.top, rng, a.survive_restarts)
    w.xdev_ok = a.xdev_ok
    try:
        w.run(a.max_ops)
    except WorkloadError as e:
        print("crash_workload: server error: %s" % e, file=sys.stderr)
        return 2
    print("crash_workload: finished %d ops (%d refused)"
          % (w.acked, w.refused))
    return 0


# ------------------------------------------------------------------ verifier

class Model:
    """Namespace: path -> ('dir', None) | ('file', [acknowledged writes]).
    Only files are renamed, and there are no hard links, so a file's write
    list moves with it and is never shared."""

    def __init__(self):
        self.ns = {}

    def clone(self):
        m = Model()
        m.ns = {k: (t, list(o) if o is not None else None)
                for k, (t, o) in self.ns.items()}
        return m

    def apply(self, f):
        """Apply an op line's fields; raise ValueError if inconsistent."""
        kind = f[0]
        if kind == "mkdir":
            self._absent(f[1])
            self._parent(f[1])
            self.ns[f[1]] = ("dir", None)
        elif kind == "create":
            self._absent(f[1])
            self._parent(f[1])
            self.ns[f[1]] = ("file", [])
        elif kind == "write":
            t = self.ns.get(f[1])
            if not t or t[0] != "file":
                raise ValueError("write to missing file")
            t[1].append((int(f[2]), int(f[3]), f[4], f[5]))
        elif kind == "rename":
            t = self.ns.get(f[1])
            if not t:
                raise ValueError("rename of missing name")
            self._parent(f[2])
            self.ns.pop(f[1])
            self.ns[f[2]] = t
        elif kind == "remove":
            if f[1] not in self.ns:
                raise ValueError("remove of missing name")
            self.ns.pop(f[1])
        else:
            raise ValueError("unknown op %r" % kind)

    def _absent(self, p):
        if p in self.ns:
            raise ValueError("%s already exists" % p)

    def _parent(self, p):
        d, _ = parent_name(p)
        if d and self.ns.get(d, ("",))[0] != "dir":
            raise ValueError("parent %s missing" % d)


def parse_journal(path):
    """-> (top, acked op lines, in-flight op line or None, warnings)."""
    with open(path, "rb") as fh:
        raw = fh.read().decode()
    lines = raw.split("\n")
    partial = lines.pop()  # text after the last newline: an unfinished write
    acked, pending, warn = [], None, []
    for ln in lines:
        if not ln:
            continue
        if ln.startswith("pending "):
            if pending is not None:
                raise ValueError("%s: two pending lines in a row" % path)
            pending = ln[len("pending "):]
        elif ln.startswith("refused "):
            if pending != ln[len("refused "):]:
                raise ValueError("%s: %r does not match pending %r"
                                 % (path, ln, pending))
            pending = None
        else:
            if pending != ln:
                raise ValueError("%s: ack %r does not match pending %r"
                                 % (path, ln, pending))
            pending = None
            acked.append(ln)
    if partial:
        # An unfinished line: a pending line means the request was not sent
        # yet; an unfinished ack is covered by its complete pending line.
        warn.append("unfinished journal line %r ignored" % partial)
    inflight = pending
    top = None
    for ln in acked + ([inflight] if inflight else []):
        top = ln.split()[1].split("/")[0]
        break
    return top, acked, inflight, warn


def walk(sess, top):
    """Actual tree under top: {path: 'dir'|'file'|other}, {path: fh}."""
    out, fhs = {}, {}
    res = compound_retry(sess, lookup_ops(top) + [op.getfh()])
    if res.status == NFS4ERR_NOENT:
        return out, fhs
    if res.status != NFS4_OK:
        raise WorkloadError("LOOKUP %s: %s" % (top, status_name(res.status)))
    out[top] = "dir"
    stack = [(top, res.resarray[-1].object)]
    bm = nfs4lib.list2bitmap([FATTR4_TYPE, FATTR4_FILEHANDLE])
    while stack:
        path, fh = stack.pop()
        cookie, verf = 0, b"\0" * 8
        while True:
            r = compound_retry(sess, [op.putfh(fh),
                                      op.readdir(cookie, verf, 8192, 32768,
                                                 bm)])
            if r.status != NFS4_OK:
                raise WorkloadError("READDIR %s: %s"
                                    % (path, status_name(r.status)))
            rd = r.resarray[-1]
            reply = getattr(rd, "reply", None) or rd.resok4.reply
            for e in reply.entries:
                p = path + "/" + e.name.decode()
                t = e.attrs[FATTR4_TYPE]
                tn = {NF4DIR: "dir", NF4REG: "file"}.get(t, "type%d" % t)
                if p in out:
                    raise WorkloadError("READDIR %s: %s listed twice"
                                        % (path, p))
                out[p] = tn
                fhs[p] = e.attrs[FATTR4_FILEHANDLE]
                if tn == "dir":
                    stack.append((p, e.attrs[FATTR4_FILEHANDLE]))
                cookie = e.cookie
            if reply.eof:
                break
            verf = getattr(rd, "cookieverf", None) or rd.resok4.cookieverf
    return out, fhs


def read_range(sess, fh, off, length):
    buf = b""
    while len(buf) < length:
        r = compound_retry(sess, [op.putfh(fh),
                                  op.read(stateid4(0, b"\0" * 12),
                                          off + len(buf), length - len(buf))])
        if r.status != NFS4_OK:
            raise WorkloadError("READ: %s" % status_name(r.status))
        rr = r.resarray[-1]
        rr = getattr(getattr(rr, "switch", rr), "switch", rr)
        if not rr.data:
            break
        buf += rr.data
        if rr.eof:
            break
    return buf


def journal_models(path, model_cls, log):
    """-> (top, acked, inflight, candidates): the journal replayed into
    MODEL_CLS() without and, when it applies, with its in-flight op."""
    top, acked, inflight, warn = parse_journal(path)
    for w in warn:
        log("  note: %s" % w)
    base = model_cls()
    for i, ln in enumerate(acked):
        try:
            base.apply(ln.split())
        except ValueError as e:
            raise WorkloadError("%s: journal line %d %r inconsistent: %s"
                                % (path, i + 1, ln, e))
    cands = [("without in-flight op", base)]
    if inflight:
        alt = base.clone()
        try:
            alt.apply(inflight.split())
            cands.append(("with in-flight op", alt))
        except ValueError as e:
            log("  note: in-flight %r cannot apply (%s)" % (inflight, e))
    return top, acked, inflight, cands


def verify_journal(sess, path, log):
    top, acked, inflight, cands = journal_models(path, Model, log)
    if top is None:
        log("  journal %s is empty: nothing to check" % path)
        return True
    actual, fhs = walk(sess, top)
    match = None
    for label, m in cands:
        exp = {p: t for p, (t, _) in m.ns.items()}
        if exp == actual:
            match = (label, m)
            break
    log("  %s: %d acknowledged ops, in flight: %s"
        % (short(path), len(acked), inflight or "none"))
    ok = True
    if match is None:
        ok = False
        label, m = cands[0]
        exp = {p: t for p, (t, _) in m.ns.items()}
        missing = sorted(p for p in exp if p not in actual)
        extra = sorted(p for p in actual if p not in exp)
        wrong = sorted(p for p in exp if p in actual and exp[p] != actual[p])
        log("  FAIL namespace differs from the journal (both outcomes of the "
            "in-flight op tried)")
        for p in missing:
            log("    missing (acknowledged): %s %s  [journal: %s]"
                % (exp[p], p, history(acked, p)))
        for p in extra:
            log("    unexpected: %s %s  [journal: %s]"
                % (actual[p], p, history(acked, p)))
        for p in wrong:
            log("    wrong type: %s is %s, expected %s"
                % (p, actual[p], exp[p]))
        if inflight:
            log("    in-flight op: %s" % inflight)
        # still check the data of the acknowledged files that exist
        m_ns = {p: v for p, v in m.ns.items() if p in actual}
    else:
        label, m = match
        m_ns = m.ns
        log("  namespace OK (%s): %d dirs, %d files"
            % (label, sum(1 for t, _ in m.ns.values() if t == "dir"),
               sum(1 for t, _ in m.ns.values() if t == "file")))
    nw = nbad = 0
    for p, (t, writes) in sorted(m_ns.items()):
        if t != "file" or actual.get(p) != "file":
            continue
        for off, ln, sha, how in writes:
            nw += 1
            got = read_range(sess, fhs[p], off, ln)
            gsha = hashlib.sha256(got).hexdigest()
            if len(got) != ln or gsha != sha:
                nbad += 1
                ok = False
                log("    DATA MISMATCH %s [%d,+%d) %s: read %d bytes sha256 "
                    "%s, expected %s" % (p, off, ln, how, len(got), gsha, sha))
    log("  data: %d acknowledged writes read back, %d mismatched" % (nw, nbad))
    return ok


def short(path):
    return os.path.join(os.path.basename(os.path.dirname(path)),
                        os.path.basename(path))


def history(acked, p):
    h = [ln for ln in acked if p in ln.split()[1:3]]
    return "; ".join(h[-4:]) if h else "never acknowledged"


def cmd_verify(a, verify=None, name=b"strata-crash-verify"):
    """Verify every journal of A with VERIFY (default: this workload's)."""
    verify = verify or verify_journal
    _, sess = connect(a.server, a.port, b"%s-%d" % (name, os.getpid()))
    ok = True
    for j in a.journal:
        try:
            ok = verify(sess, j, print) and ok
        except (WorkloadError, ValueError) as e:
            print("  FAIL %s: %s" % (j, e))
            ok = False
    print("verify: %s" % ("OK" if ok else "FAILED"))
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("run", "verify"):
        s = sub.add_parser(name)
        s.add_argument("--server", default="127.0.0.1")
        s.add_argument("--port", type=int, required=True)
        if name == "run":
            s.add_argument("--journal", required=True)
            s.add_argument("--top", required=True)
            s.add_argument("--seed", type=int, default=1)
            s.add_argument("--max-ops", type=int, default=1000000)
            s.add_argument("--survive-restarts", action="store_true")
            s.add_argument("--xdev-ok", action="store_true")
        else:
            s.add_argument("--journal", action="append", required=True)
    a = p.parse_args()
    return cmd_run(a) if a.cmd == "run" else cmd_verify(a)


if __name__ == "__main__":
    sys.exit(main())
