#!/usr/bin/python3
"""tests/multi-mds/cross_rename.py -- RENAME across metadata nodes (two-phase commit).

    cross_rename.py --node HOST:PORT (x3) --map CLUSTER.MAP [--pynfs DIR]
                    [--phase before|after] [--state FILE] [--metrics URL (x3)]
    cross_rename.py --node ... --map ... --crash FP --arm CMD --start CMD

Three nodes of `strata-local up --mds 3 --spread` (node I owns partition
I-1); a raw NFSv4.1 client (pynfs's library, imported at run time) on each.
Which node holds an entry is computed from the map as the server does
(hash(directory, name), metadata/ns_codec.c), so every rename below is
one whose old and new names are on two different nodes: the front that
receives it coordinates the transaction (nfsd/xtx_task.h).

--phase before (the default) checks, then writes what must survive to
STATE; --phase after (run once every node was restarted) checks it again:

  X1  12 files renamed within one directory, each through another node's
      client, old and new names on two nodes: every RENAME answers OK.
  X2  through every node: LOOKUP of each new name gives the file's fileid
      from before, the old name is NOENT, OPEN by name + READ gives its
      bytes, and READDIR lists exactly the new names (each once).
  X3  8 files renamed into another directory (names on two nodes), 2 of
      them over an existing file of a third node: OK; the target reads
      the source's bytes, the source directory lists none of them.
  X4  both directories' size comes to their listing's count (the
      directories' owners got the deltas; polled, 10 s at most).
  X5  4 renamed names removed, each through another node: OK, and NOENT
      through every node afterwards; the listing follows.
  X6  a renamed name is renamed again (across nodes) and back: OK.
  X10 12 RENAMEs within one directory, both names on a node other than
      the directory's (its change goes there by a delta), each asked to
      be cached and sent again on its slot with the same seqid: the
      replay's reply is the first one (the change_info the delta patched
      into the first reply is in the cached copy too).
  X11 OPEN of a file whose entry and inode are on a node other than the
      root's, then FREE_STATEID of the current stateid in the same
      COMPOUND (pynfs CSID9's shape): NFS4ERR_LOCKS_HELD from the file's
      node (an open stateid is not freed; RFC 8881 §18.38.3), not
      BAD_STATEID from the root's node, through each front.
  X12 a file's last link taken out by a transaction (RENAME over it, twice;
      REMOVE of a name renamed across nodes, once) while a client of the
      third front has it open: it reads the old bytes until its CLOSE,
      then its handle is stale (the file's node kept it, then let go).
  X9  3 files of d1 linked into d2 under names on another node than the
      file's, each through another front: OK; through every node the new
      name gives the file's fileid and bytes and numlinks is 2, d2 lists
      them; then each old name removed (through a third front): the new
      name still reads the bytes, numlinks 1.
  (after) X7  X2's checks for the names STATE lists, after every node's
      restart: present with their bytes, old and removed names gone.

--crash FP: ARM (shell) restarts one node with failpoint FP, START starts
it again normally; the rename goes through the coordinator node given as
--node's first (it coordinates) and touches the others:

  C1  the armed node exits at its step (it is not running afterwards).
  C1b (participant failpoints) the client, whose front lives, gets an
      answer: OK (xtx-finish-exit; xtx-prepare-exit when its resend of
      the DELAYed rename ran once the node was back) or DELAY.
  C2  once it is back and the resolvers ran (polled, 30 s at most),
      exactly one of the old and the new name exists through every node:
      the old one for xtx-prepared-exit (nothing was decided: presumed
      abort), the new one for xtx-decided-exit (the decision was
      durable); for the participant failpoints the one the client's
      answer says. Never both, never neither; the file's bytes intact.
  C3  the name left is removable (no transaction holds its keys any more).
  C4  (with --metrics) every node's strata_xtx_records comes to 0: the
      resolvers finished and dropped every record (polled, 30 s at most).
  (X8, with --metrics: the same after the renames of --phase before.)

Exit 0 all passed, 1 a check failed, 2 setup or protocol error.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--node", action="append", required=True)
ap.add_argument("--map", required=True)
ap.add_argument("--pynfs", default=os.environ.get("PYNFS_DIR", ""))
ap.add_argument("--phase", choices=["before", "after"], default="before")
ap.add_argument("--state", default="")
ap.add_argument("--crash", default="")
ap.add_argument("--arm", default="")
ap.add_argument("--start", default="")
ap.add_argument("--metrics", action="append", default=[],
                help="a node's /metrics URL (each node's): transaction "
                     "records must come to 0")
args = ap.parse_args()
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mmlib  # noqa: E402
NFS = mmlib.load(args.pynfs, "cross_rename")
check = mmlib.Checks()

from xdrdef.nfs4_const import (NFS4_OK, NFS4ERR_NOENT, NFS4ERR_DELAY,  # noqa: E402
                               FATTR4_FILEID, FATTR4_SIZE, FATTR4_NUMLINKS,
                               nfsstat4)

M64 = (1 << 64) - 1


def read_map(path):
    """(shards, partitions, owner[partition]) of a cluster map."""
    shards = parts = 0
    owner, node = {}, None
    for line in open(path):
        line = line.split("#")[0].strip()
        if not line or line.startswith("["):
            if line.startswith("[node"):
                node = int(line.strip("[]").split()[-1].strip('"'))
            continue
        k, _, v = (x.strip() for x in line.partition("="))
        if k == "shards":
            shards = int(v)
        elif k == "partitions" and node is None:
            parts = int(v)
        elif k == "partitions" and node is not None:
            for r in v.split(","):
                a, _, b = r.partition("-")
                for p in range(int(a), int(b or a) + 1):
                    owner[p] = node
    return shards, parts, owner


SHARDS, PARTS, OWNER = read_map(args.map)


def entry_node(parent, name):
    """The node holding entry NAME of directory PARENT (fileid): the
    placement hash of metadata/ns_codec.c, then the map."""
    h = 0xcbf29ce484222325
    for b in parent.to_bytes(8, "big") + name:
        h = ((h ^ b) * 0x100000001b3) & M64
    h ^= h >> 33
    h = (h * 0xff51afd7ed558ccd) & M64
    h ^= h >> 33
    h = (h * 0xc4ceb9fe1a85ec53) & M64
    h ^= h >> 33
    return OWNER[(h % SHARDS) % PARTS]


def sname(st):
    return nfsstat4.get(st, str(st))


def hostport(where):
    h, _, p = where.rpartition(":")
    return h, int(p)


def up(where):
    try:
        socket.create_connection(hostport(where), timeout=1).close()
        return True
    except OSError:
        return False


def client(i, tag):
    """A client of node I (1-based), retried while the node starts."""
    for _ in range(100):
        try:
            return mmlib.Client(NFS, args.node[i - 1], tag + b"-%d" % os.getpid())
        except Exception:  # noqa: BLE001 (connection refused while it starts)
            time.sleep(0.2)
    raise RuntimeError("node %d does not answer" % i)


def fileid(c, fh):
    st, a = c.getattr(fh, [FATTR4_FILEID])
    return a[FATTR4_FILEID] if st == NFS4_OK else None


def name_on(parent, prefix, want, avoid=()):
    """A name PREFIX-k whose entry is on node WANT (not in AVOID)."""
    for k in range(100000):
        n = b"%s-%d" % (prefix, k)
        if entry_node(parent, n) == want and n not in avoid:
            return n
    raise RuntimeError("no name on node %d" % want)


def retry(f, *a):
    """F(*A) again while it answers DELAY (a transaction holds a key):
    bounded, 15 s."""
    t0 = time.time()
    while True:
        r = f(*a)
        st = r[0] if isinstance(r, tuple) else r
        if st != NFS4ERR_DELAY or time.time() - t0 > 15:
            return r
        time.sleep(0.1)


def mkdir(c, parent, name):
    st, fh = c.mkdir(parent, name)
    if st != NFS4_OK:
        raise RuntimeError("mkdir %s: %s" % (name, sname(st)))
    return fh


def make_file(c, d, name, data):
    st, fh = c.create_file(d, name, data)
    if st != NFS4_OK:
        raise RuntimeError("create %s: %s" % (name, sname(st)))
    return fh


def seen_everywhere(cs, d, name, fid, data):
    """'' when every client finds NAME in D with fileid FID and DATA;
    else what was wrong."""
    for i, c in enumerate(cs, 1):
        st, fh = c.lookup(d, name)
        if st != NFS4_OK:
            return "node %d: lookup %s" % (i, sname(st))
        if fileid(c, fh) != fid:
            return "node %d: fileid %s, want %s" % (i, fileid(c, fh), fid)
        st, got = c.read_all(d, name)
        if st != NFS4_OK or got != data:
            return "node %d: open+read %s, %s bytes" % (
                i, sname(st), None if got is None else len(got))
    return ""


def gone_everywhere(cs, d, name):
    for i, c in enumerate(cs, 1):
        st = c.lookup(d, name)[0]
        if st != NFS4ERR_NOENT:
            return "node %d: lookup %s" % (i, sname(st))
    return ""


def listings(cs, d, want):
    """'' when every client lists exactly WANT (a set) in D."""
    for i, c in enumerate(cs, 1):
        st, got = c.names(d, maxcount=4096)
        if st != NFS4_OK or sorted(got) != sorted(want):
            extra = sorted(set(got) - set(want))[:3]
            miss = sorted(set(want) - set(got))[:3]
            return "node %d: %s, %d names, extra %s, missing %s" % (
                i, sname(st), len(got), extra, miss)
    return ""


def settle_size(c, d, n):
    t0 = time.time()
    while True:
        st, a = c.getattr(d, [FATTR4_SIZE])
        if st == NFS4_OK and a[FATTR4_SIZE] == n or time.time() - t0 > 10:
            return a[FATTR4_SIZE] if st == NFS4_OK else None
        time.sleep(0.1)


def records():
    """strata_xtx_records of every --metrics node (None: unreadable)."""
    out = []
    for url in args.metrics:
        try:
            text = urllib.request.urlopen(url, timeout=5).read().decode()
            v = [ln.split()[1] for ln in text.splitlines()
                 if ln.startswith("strata_xtx_records ")]
            out.append(int(v[0]) if v else None)
        except OSError:
            out.append(None)
    return out


def records_settle(cid, what):
    """Check that no node keeps a transaction record (polled, 30 s)."""
    if not args.metrics:
        return
    t0 = time.time()
    while True:
        r = records()
        if all(x == 0 for x in r) or time.time() - t0 > 30:
            break
        time.sleep(0.2)
    check(all(x == 0 for x in r), cid, what, "records per node %s after "
          "%.1f s" % (r, time.time() - t0))


def open_keep(c, d, name):
    """OPEN NAME of D for reading and keep it open: (status, fh, stateid)."""
    k, t, op = c.k, c.t, c.op
    c.n += 1
    res = c.comp([op.putfh(d),
                  op.open(0, k.OPEN4_SHARE_ACCESS_READ | k.OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
                          k.OPEN4_SHARE_DENY_NONE,
                          t.open_owner4(c.clientid, b"keep-%d" % c.n),
                          t.openflag4(k.OPEN4_NOCREATE),
                          t.open_claim4(k.CLAIM_NULL, name)),
                  op.getfh()])
    if res.status != NFS4_OK:
        return res.status, None, None
    return NFS4_OK, res.resarray[-1].object, res.resarray[-2].stateid


def read_kept(c, fh, sid):
    """READ through an open kept by open_keep: (status, bytes)."""
    res = c.comp([c.op.putfh(fh), c.op.read(sid, 0, 1 << 20)])
    if res.status != NFS4_OK:
        return res.status, None
    return NFS4_OK, res.resarray[-1].switch.switch.data


def x12(cs, A, top):
    """X12: a file's last link taken out by a cross-node transaction
    (RENAME over it, REMOVE of a name renamed across nodes) while a client
    of another front has it open: that client reads the old bytes on
    until its CLOSE (the file's node keeps it, nfsd/state/orphan.h), and
    after the CLOSE its handle is stale."""
    d4n = b"d4-%d" % os.getpid()
    d4 = mkdir(A, top, d4n)
    i4 = fileid(A, d4)
    bad = []
    for k in range(3):
        t = k + 1                  # the victim's entry (and inode) node
        s = t % 3 + 1              # another node: the rename crosses nodes
        reader = cs[(t + 1) % 3]   # a client of the third node's front
        victim = name_on(i4, b"victim-%d" % k, t)
        data = b"old bytes of victim %d " % k * 50
        make_file(A, d4, victim, data)
        if k < 2:  # RENAME of a file of node s over it
            src = name_on(i4, b"new-%d" % k, s)
            make_file(A, d4, src, b"replacement %d" % k)
            what = "rename over"
            st, fh, sid = open_keep(reader, d4, victim)
            if st == NFS4_OK:
                st = retry(cs[k % 3].rename, d4, src, d4, victim)
        else:      # move it to node s's name, then REMOVE that name
            far = name_on(i4, b"far-%d" % k, s)
            st = retry(cs[0].rename, d4, victim, d4, far)
            what = "remove of a name renamed across nodes"
            if st == NFS4_OK:
                st, fh, sid = open_keep(reader, d4, far)
            if st == NFS4_OK:
                st = retry(cs[1].remove, d4, far)[0]
        if st != NFS4_OK:
            bad.append((k, what, sname(st)))
            continue
        st, got = read_kept(reader, fh, sid)
        if st != NFS4_OK or got != data:
            bad.append((k, what, "read while open: %s, %s bytes"
                        % (sname(st), None if got is None else len(got))))
        st = reader.comp([reader.op.putfh(fh), reader.op.close(0, sid)]).status
        st2, _ = reader.getattr(fh, [FATTR4_SIZE])
        if st != NFS4_OK or st2 == NFS4_OK:
            bad.append((k, what, "CLOSE %s, then GETATTR %s (want STALE)"
                        % (sname(st), sname(st2))))
    check(not bad, "X12", "a file's last link taken out across nodes while "
          "another front's client has it open: it reads the old bytes until "
          "its CLOSE, then the handle is stale", "%s" % bad[:3])


def before():
    cs = [client(i, b"xr-%d" % i) for i in (1, 2, 3)]
    A = cs[0]
    top = mkdir(A, A.root(), b"xr-%d-%d" % (os.getpid(), int(time.time())))
    d1, d2 = mkdir(A, top, b"d1"), mkdir(A, top, b"d2")
    i1, i2 = fileid(A, d1), fileid(A, d2)
    files = {}  # name in d1 -> (fileid, bytes)
    for k in range(24):
        n = b"f-%d" % k
        data = b"file %d of cross_rename " % k * (k + 1)
        files[n] = (fileid(A, make_file(A, d1, n, data)), data)
    names = sorted(files)
    # X1: within d1, each to a name on another node, via rotating fronts
    moved, bad = {}, []
    for k, n in enumerate(names[:12]):
        src = entry_node(i1, n)
        new = name_on(i1, b"g-%d" % k, src % 3 + 1)
        st = retry(cs[k % 3].rename, d1, n, d1, new)
        if st != NFS4_OK:
            bad.append((n, sname(st)))
        moved[new] = files[n]
    check(not bad, "X1", "12 renames within a directory, names on two "
          "nodes each, through every front", "failed %s" % bad[:3])
    # X2
    wrong = []
    for (new, (fid, data)), old in zip(sorted(moved.items()), names[:12]):
        w = seen_everywhere(cs, d1, new, fid, data) or \
            gone_everywhere(cs, d1, old)
        if w:
            wrong.append((new, w))
    want1 = set(moved) | set(names[12:])
    lw = listings(cs, d1, want1)
    check(not wrong and not lw, "X2", "every node finds, opens and reads "
          "each new name, not the old one, and lists exactly the new names",
          "%s %s" % (wrong[:2], lw))
    # X3: into d2, names on two nodes; two of them over a file of a third
    into, bad, over = {}, [], []
    for k, n in enumerate(names[12:20]):
        src = entry_node(i1, n)
        dst = src % 3 + 1
        new = name_on(i2, b"h-%d" % k, dst)
        if k < 2:  # a target to replace, made through the third node
            make_file(cs[3 - src - dst], d2, new, b"to be replaced")
            over.append(new)
        st = retry(cs[(k + 1) % 3].rename, d1, n, d2, new)
        if st != NFS4_OK:
            bad.append((n, sname(st)))
        into[new] = files[n]
    wrong = [(n, w) for n, (fid, data) in sorted(into.items())
             if (w := seen_everywhere(cs, d2, n, fid, data))]
    want1 -= set(names[12:20])
    lw = listings(cs, d1, want1) or listings(cs, d2, set(into))
    check(not bad and not wrong and not lw, "X3", "8 renames into another "
          "directory (2 over an existing file): OK, found with their bytes "
          "everywhere, listings exact", "%s %s %s" % (bad[:2], wrong[:2], lw))
    # X4
    s1, s2 = settle_size(A, d1, len(want1)), settle_size(A, d2, len(into))
    check(s1 == len(want1) and s2 == len(into), "X4", "the directories' "
          "sizes follow (deltas)", "d1 %s of %d, d2 %s of %d"
          % (s1, len(want1), s2, len(into)))
    # X5: remove 4 renamed names, each through another node
    gone, bad = sorted(moved)[:4], []
    for k, n in enumerate(gone):
        st = retry(cs[(k + 2) % 3].remove, d1, n)[0]
        w = gone_everywhere(cs, d1, n)
        if st != NFS4_OK or w:
            bad.append((n, sname(st), w))
        del moved[n]
    want1 -= set(gone)
    lw = listings(cs, d1, want1)
    check(not bad and not lw, "X5", "renamed names removed through other "
          "nodes: gone everywhere, listing exact", "%s %s" % (bad[:2], lw))
    # X6: a renamed name moves on, across nodes, and back
    n = sorted(moved)[0]
    fid, data = moved[n]
    far = name_on(i2, b"back", entry_node(i1, n) % 3 + 1)
    st1 = retry(cs[1].rename, d1, n, d2, far)
    st2 = retry(cs[2].rename, d2, far, d1, n)
    w = seen_everywhere(cs, d1, n, fid, data) or gone_everywhere(cs, d2, far)
    check(st1 == NFS4_OK and st2 == NFS4_OK and not w, "X6", "a renamed "
          "name renamed again across nodes and back", "%s %s %s"
          % (sname(st1), sname(st2), w))
    # X9: LINK across nodes, then the first name removed
    linked, bad, wrong = {}, [], []
    for k, n in enumerate(names[20:23]):
        fid, data = files[n]
        new = name_on(i2, b"l-%d" % k, entry_node(i1, n) % 3 + 1)
        st, fh = A.lookup(d1, n)
        st = retry(cs[(k + 1) % 3].link, fh, d2, new) if st == NFS4_OK else st
        if st != NFS4_OK:
            bad.append((n, "link", sname(st)))
            continue
        w = seen_everywhere(cs, d2, new, fid, data) or \
            seen_everywhere(cs, d1, n, fid, data)
        st, a = cs[k % 3].getattr(fh, [FATTR4_NUMLINKS])
        if w or st != NFS4_OK or a[FATTR4_NUMLINKS] != 2:
            wrong.append((new, w, a and a.get(FATTR4_NUMLINKS)))
        linked[new] = (n, fh, fid, data)
    lw = listings(cs, d2, set(into) | set(linked))
    for k, (new, (n, fh, fid, data)) in enumerate(sorted(linked.items())):
        st = retry(cs[(k + 2) % 3].remove, d1, n)[0]
        w = seen_everywhere(cs, d2, new, fid, data) or gone_everywhere(cs, d1, n)
        st2, a = cs[k % 3].getattr(fh, [FATTR4_NUMLINKS])
        if st != NFS4_OK or w or st2 != NFS4_OK or a[FATTR4_NUMLINKS] != 1:
            wrong.append((n, "after remove", sname(st), w,
                          a and a.get(FATTR4_NUMLINKS)))
    check(not bad and not wrong and not lw and len(linked) == 3, "X9",
          "3 LINKs across nodes: both names read the file, numlinks 2, "
          "then the old name removed: numlinks 1",
          "%s %s %s" % (bad[:2], wrong[:2], lw))
    # X10: replays of RENAMEs whose change_info a delta patched
    B, op = cs[1], cs[1].op
    d3n = b"d3-%d" % os.getpid()
    d3 = mkdir(A, top, d3n)
    i3 = fileid(A, d3)
    home = OWNER[(i3 >> 56) % PARTS]   # the directory's node
    diff = []
    for k in range(12):
        # both names on one node, not the directory's: the RENAME runs
        # there and the directory's change goes to its node by a delta
        at = [x for x in (1, 2, 3) if x != home][k % 2]
        n1 = name_on(i3, b"r-%d-a" % k, at)
        n2 = name_on(i3, b"r-%d-b" % k, at)
        make_file(B, B.lookup(top, d3n)[1], n1, b"replay %d" % k)
        ops = [op.putfh(top), op.lookup(d3n), op.savefh(), op.rename(n1, n2)]
        r1 = B.s.compound(ops, cache_this=True)
        r2 = B.s.compound(ops, cache_this=True, seq_delta=0)
        r1.tag = r2.tag = b""
        if r1.status != NFS4_OK or not B.lib.test_equal(r1, r2):
            diff.append((k, sname(r1.status), sname(r2.status)))
    check(not diff, "X10", "12 RENAMEs sent again on their slot: each "
          "replay answers the first reply's bytes", "%s" % diff[:3])
    # X11: FREE_STATEID of the current stateid after an OPEN
    k_, t_ = B.k, B.t
    rootnode = OWNER[0]
    itop = fileid(A, top)
    bad = []
    for i, c in enumerate(cs, 1):
        nm = name_on(itop, b"cs-%d" % i, [x for x in (1, 2, 3) if x != rootnode][i % 2])
        how = t_.openflag4(k_.OPEN4_CREATE,
                           t_.createhow4(k_.GUARDED4, {k_.FATTR4_MODE: 0o644}))
        cur = t_.stateid4(1, b"\0" * 12)
        res = c.comp([c.op.putfh(top),
                      c.op.open(0, k_.OPEN4_SHARE_ACCESS_BOTH |
                                k_.OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
                                k_.OPEN4_SHARE_DENY_NONE,
                                t_.open_owner4(c.clientid, b"cs-%d" % i), how,
                                t_.open_claim4(k_.CLAIM_NULL, nm)),
                      c.op.free_stateid(cur)])
        st = res.status  # the last op's: OPEN's if it failed
        if st != k_.NFS4ERR_LOCKS_HELD or len(res.resarray) != 3:
            bad.append((i, sname(st), len(res.resarray)))
    check(not bad, "X11", "OPEN, then FREE_STATEID of the current stateid, "
          "through every front: LOCKS_HELD from the file's node", "%s" % bad)
    x12(cs, A, top)
    records_settle("X8", "no transaction record left on any node")
    if args.state:
        json.dump({"d1": d1.hex(), "d2": d2.hex(),
                   "have": [[1, n.hex(), f, d.hex()] for n, (f, d) in moved.items()] +
                           [[2, n.hex(), f, d.hex()] for n, (f, d) in into.items()] +
                           [[2, n.hex(), f, d.hex()] for n, (_, _, f, d) in linked.items()] +
                           [[1, n.hex()] + [files[n][0], files[n][1].hex()]
                            for n in names[23:]],
                   "gone": [[1, n.hex()] for n in gone + names[:23]]},
                  open(args.state, "w"))


def after():
    s = json.load(open(args.state))
    cs = [client(i, b"xr-after-%d" % i) for i in (1, 2, 3)]
    dirs = {1: bytes.fromhex(s["d1"]), 2: bytes.fromhex(s["d2"])}
    wrong = []
    for d, n, fid, data in s["have"]:
        w = seen_everywhere(cs, dirs[d], bytes.fromhex(n), fid, bytes.fromhex(data))
        if w:
            wrong.append((bytes.fromhex(n), w))
    for d, n in s["gone"]:
        w = gone_everywhere(cs, dirs[d], bytes.fromhex(n))
        if w:
            wrong.append((bytes.fromhex(n), w))
    want = {1: set(), 2: set()}
    for d, n, _, _ in s["have"]:
        want[d].add(bytes.fromhex(n))
    lw = listings(cs, dirs[1], want[1]) or listings(cs, dirs[2], want[2])
    check(not wrong and not lw, "X7", "after every node's restart: each "
          "renamed file by its new name everywhere, old and removed names "
          "gone, listings exact", "%s %s" % (wrong[:2], lw))


def crash():
    """One rename whose coordinator is node 1 (the client's front), old
    name on node 2, new on node 3, with failpoint --crash armed."""
    fp = args.crash
    keep_new = fp in ("xtx-decided-exit", "xtx-finish-exit")
    B = client(2, b"xc-B")
    top = mkdir(B, B.root(), b"xc-%s-%d" % (fp.encode(), os.getpid()))
    it = fileid(B, top)
    old, new = name_on(it, b"old", 2), name_on(it, b"new", 3)
    data = b"crash %s\n" % fp.encode() * 100
    fid = fileid(B, make_file(B, top, old, data))
    if subprocess.call(args.arm, shell=True) != 0:
        raise RuntimeError("arm command failed")
    A = client(1, b"xc-A")
    armed = args.node[{"xtx-prepared-exit": 0, "xtx-decided-exit": 0,
                       "xtx-prepare-exit": 1, "xtx-finish-exit": 2}[fp]]
    out = {}

    def rename():
        try:
            out["st"] = A.rename(top, old, top, new)
        except Exception as e:  # noqa: BLE001 (its front died)
            out["err"] = e

    t = threading.Thread(target=rename, daemon=True)
    t.start()
    t0 = time.time()
    while up(armed) and time.time() - t0 < 20:
        time.sleep(0.1)
    died = not up(armed)
    check(died, "C1", "%s: the armed node exited at its step" % fp,
          "after %.1f s; the rename: %s" % (
              time.time() - t0, sname(out["st"]) if "st" in out else out.get("err", "waiting")))
    if subprocess.call(args.start, shell=True) != 0:
        raise RuntimeError("start command failed")
    cs = [client(i, b"xc-%d" % i) for i in (1, 2, 3)]
    if armed != args.node[0]:
        # its front lives: the client gets an answer (pynfs sends a
        # DELAYed request again, as the Linux client does), and that
        # answer says which name is left
        t.join(60)
        st = out.get("st")
        keep_new = st == NFS4_OK
        check(st in (NFS4_OK, NFS4ERR_DELAY), "C1b", "%s: the client's "
              "rename answers" % fp, sname(st) if st is not None else
              out.get("err", "no answer in 60 s"))
    want, other = (new, old) if keep_new else (old, new)
    t0 = time.time()
    while True:
        w = seen_everywhere(cs, top, want, fid, data) or gone_everywhere(cs, top, other)
        if not w or time.time() - t0 > 30:
            break
        time.sleep(0.2)
    check(not w, "C2", "%s: exactly the %s name is left, everywhere, with "
          "its bytes" % (fp, "new" if keep_new else "old"),
          "%s after %.1f s" % (w, time.time() - t0))
    st = retry(cs[2].remove, top, want)[0]
    w = gone_everywhere(cs, top, want)
    check(st == NFS4_OK and not w, "C3", "%s: the name left is removable" % fp,
          "%s %s" % (sname(st), w))
    records_settle("C4", "%s: every transaction record resolved and "
                   "dropped (resolvers)" % fp)


try:
    if args.crash:
        crash()
    elif args.phase == "after":
        after()
    else:
        before()
except Exception as e:  # noqa: BLE001
    print("cross_rename: %s" % e, file=sys.stderr)
    sys.exit(2)
print("cross_rename: %d check(s) failed" % check.failed if check.failed
      else "cross_rename: all passed")
sys.exit(1 if check.failed else 0)
