#!/usr/bin/python3
"""tests/multi-mds/several_owners.py -- one namespace whose partitions three nodes own.

    several_owners.py --node HOST:PORT --node HOST:PORT --node HOST:PORT
                      --status-cmd CMD [--pynfs DIR] [--files N] [--race]

A cluster of three metadata nodes, node I owning partition I-1
(`strata-local up --mds 3 --spread`, docs/decisions/0024). Raw NFSv4.1
clients (pynfs's client library, imported at run time from --pynfs or
$PYNFS_DIR): A on node 2, B on node 3, C on node 1. A name lives where
hash(directory, name) puts it, so one directory's entries spread over the
three nodes while the directory itself belongs to one of them.

  S1  A makes a directory and N files with distinct bytes plus N/10
      subdirectories in it: every CREATE and OPEN answers OK.
  S2  each node's entry count (CMD with {} replaced by the node's
      HOST:PORT prints it: `strata status --json`) grew by a share of what A made: no node
      holds more than 60% of them, none fewer than 10%.
  S3  B lists the directory (READDIR pages of 4 KiB, so a listing hops
      between nodes many times; never an empty page that is not the end)
      and gets exactly A's names, each once; C lists it with 64 KiB
      pages and gets the same.
  S4  B reads every file back through node 3: the bytes A wrote.
  S5  the directory's size and link count at its owner (through any
      node) come to the number of entries and 2 + subdirectories once
      the other nodes' deltas arrive (polled, 10 s at most); its change
      attribute grew with them.
  S6  A removes a third of the files and two subdirectories; B lists
      exactly the rest, and the directory's size follows.
  S7  RENAME within the directory: each succeeds and moves the name,
      whether both names are on one node's partition (committed there) or
      on two (the two-phase commit, nfsd/xtx_task.h; cross_rename.py
      tests those in depth).
  S9  A makes 12 more subdirectories: every CREATE's change_info is
      atomic (the directory's owner applied the delta and its before and
      after went into the held reply), each one's before is the last
      one's after, and the directory's change is the last after.
  S10 LOOKUPP from each subdirectory through node 3 gives the
      directory's handle (its owner may be another node), and a GETATTR
      after it is answered there.
  S8  for 12 new subdirectories: A makes it, B creates a file in it, and
      at once A's RMDIR of it answers NFS4ERR_NOTEMPTY. The file's entry
      is often on another node than the subdirectory: B's CREATE is
      answered only once the subdirectory's owner counted it (a reply
      waits for its directory deltas), else the RMDIR would find it
      empty and leave the file unreachable. With --race only S8 runs:
      against nodes started with `--failpoint delta-delay` (deltas leave
      300 ms late) the RMDIR would surely come first without that wait.
  S11 (--race too) the same race between two clients: B's CREATE of a
      subdirectory in the directory is sent and not waited for; once A
      sees the new name (LOOKUP through node 2), A's RMDIR of the
      directory answers NFS4ERR_NOTEMPTY, and B's CREATE OK. Before
      RMDIR took a guard on every partition (metadata/ns_rmguard.c) the
      owner, whose count had not yet seen B's entry, removed the
      directory and left B's entry unreachable.
  S12 a sticky directory (mode 1777): uid 1001 may not RMDIR the empty
      subdirectory uid 1000 made in it (NFS4ERR_PERM), uid 1000 may.
      S12b: nor REMOVE a file of uid 1000's that root renamed in it (most
      new names are on another node than the file: a cross-node
      transaction, whose front checks the sticky bit against the inode
      its plan read; it answered NFS4ERR_XDEV to everyone but root).

Exit 0 all passed, 1 a check failed, 2 setup or protocol error.
"""
import argparse
import json
import os
import subprocess
import sys
import time

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--node", action="append", required=True,
                help="HOST:PORT of nodes 1, 2, 3 (in order)")
ap.add_argument("--status-cmd", required=True,
                help="command that prints `strata status --json` of the "
                     "node whose HOST:PORT replaces {} in it")
ap.add_argument("--pynfs", default=os.environ.get("PYNFS_DIR", ""))
ap.add_argument("--files", type=int, default=120)
ap.add_argument("--race", action="store_true", help="S8 only")
args = ap.parse_args()
if len(args.node) != 3:
    sys.exit("several_owners: three --node please")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mmlib  # noqa: E402
nfs = mmlib.load(args.pynfs, "several_owners")
check = mmlib.Checks()
from xdrdef.nfs4_const import (  # noqa: E402
    NFS4_OK, NFS4ERR_NOTEMPTY, FATTR4_SIZE, FATTR4_NUMLINKS, FATTR4_CHANGE)

DEADLINE_S = 10


def entries(where):
    cmd = [w.replace("{}", where) for w in args.status_cmd.split()]
    out = subprocess.run(cmd, check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)["servers"][0]["namespace"]["entries"]


def dir_attrs(cl, fh):
    st, a = cl.getattr(fh, [FATTR4_SIZE, FATTR4_NUMLINKS, FATTR4_CHANGE])
    if st != NFS4_OK:
        return None
    return a[FATTR4_SIZE], a[FATTR4_NUMLINKS], a[FATTR4_CHANGE]


def settle(cl, fh, size, nlink):
    """The directory's (size, nlink, change) once they are SIZE and NLINK,
    or the last seen after DEADLINE_S (the other nodes' deltas are sent
    after their commits)."""
    end = time.monotonic() + DEADLINE_S
    while True:
        a = dir_attrs(cl, fh)
        if a and a[0] == size and a[1] == nlink or time.monotonic() > end:
            return a
        time.sleep(0.05)


def rmdir_race():
    """S8 in directory D."""
    bad = []
    for i in range(12):
        sub = b"rm-%d" % i
        st, sd = A.mkdir(d, sub)
        if st != NFS4_OK:
            bad.append((sub, "mkdir", st))
            continue
        st, _ = B.create_file(sd, b"inside-%d" % i, b"x")
        if st != NFS4_OK:
            bad.append((sub, "create", st))
            continue
        st, _ = A.remove(d, sub)
        if st != NFS4ERR_NOTEMPTY:
            bad.append((sub, "rmdir", st))
    check(not bad, "S8", "RMDIR right after a create in the directory "
          "through another node answers NOTEMPTY",
          "wrong: %s" % bad[:4] if bad else "")


def rmdir_race_two_clients():
    """S11 in directory D: B's CREATE is in flight while A removes."""
    bad, raced = [], 0
    for i in range(12):
        sub = b"rm2-%d" % i
        st, sd = A.mkdir(d, sub)
        if st != NFS4_OK:
            bad.append((sub, "mkdir", st))
            continue
        name = b"in-%d" % i
        slot = B.s.compound_async([B.op.putfh(sd), B.op.create(
            B.t.createtype4(B.k.NF4DIR), name, {B.k.FATTR4_MODE: 0o755})])
        end = time.monotonic() + DEADLINE_S
        seen = False
        while not seen and time.monotonic() < end:
            seen = A.lookup(sd, name)[0] == NFS4_OK
        st_rm, _ = A.remove(d, sub)
        res = B.s.listen(slot)
        raced += seen
        if st_rm != NFS4ERR_NOTEMPTY or res.status != NFS4_OK:
            bad.append((sub, "rmdir", st_rm, "create", res.status))
    check(not bad and raced == 12, "S11", "RMDIR while another client's "
          "CREATE in the directory (seen, not yet answered) answers NOTEMPTY",
          "%d of 12 seen before the RMDIR; wrong: %s" % (raced, bad[:4]))


def sticky_rmdir():
    """S12: a sticky directory of root's, a subdirectory of uid 1000's."""
    from xdrdef.nfs4_const import NFS4ERR_PERM, FATTR4_MODE
    st, t = A.mkdir(d, b"sticky")
    if st == NFS4_OK:
        st = A.comp([A.op.putfh(t), A.op.setattr(
            B.t.stateid4(0, b"\0" * 12), {FATTR4_MODE: 0o1777})]).status
    if st != NFS4_OK:
        check(False, "S12", "a sticky directory", "setup: status %d" % st)
        return
    u1 = mmlib.Client(nfs, args.node[2], tag + b"-U1000", uid=1000, gid=1000)
    u2 = mmlib.Client(nfs, args.node[0], tag + b"-U1001", uid=1001, gid=1001)
    got = []
    for i in range(6):  # names on every node's partitions
        n = b"u-%d" % i
        st, _ = u1.mkdir(t, n)
        got.append((n, st, u2.remove(t, n)[0], u1.remove(t, n)[0]))
    check(all(g[1:] == (NFS4_OK, NFS4ERR_PERM, NFS4_OK) for g in got), "S12",
          "in a sticky directory only the owner removes a subdirectory",
          "(name, mkdir, rmdir by 1001, rmdir by 1000): %s" % got)
    # files of 1000's renamed by root: most new names are on another node
    # than the file, so their REMOVE is a transaction whose front checks
    # the sticky bit against the inode its plan read
    got = []
    for i in range(8):
        f, g = b"uf-%d" % i, b"ug-%d" % i
        st, _ = u1.create_file(t, f, b"x")
        if st == NFS4_OK:
            st = A.rename(t, f, t, g)
        got.append((g, st, u2.remove(t, g)[0], u1.remove(t, g)[0]))
    check(all(g[1:] == (NFS4_OK, NFS4ERR_PERM, NFS4_OK) for g in got),
          "S12b", "in a sticky directory only the owner removes a file, "
          "whichever node its name and its inode are on",
          "(name, create+rename, remove by 1001, remove by 1000): %s" % got)


tag = b"strata-owners-%d-%d" % (os.getpid(), int(time.time()))
C = mmlib.Client(nfs, args.node[0], tag + b"-C")
A = mmlib.Client(nfs, args.node[1], tag + b"-A")
B = mmlib.Client(nfs, args.node[2], tag + b"-B")
dname = b"owners-%d%s" % (os.getpid(), b"-race" if args.race else b"")
st, d = A.mkdir(A.root(), dname)
if st != NFS4_OK:
    sys.exit("several_owners: mkdir through node 2: status %d" % st)
if args.race:
    rmdir_race()
    rmdir_race_two_clients()
    sys.exit(1 if check.failed else 0)
before = [entries(n) for n in args.node]

# S1
names, data, bad = [], {}, []
nsub = max(2, args.files // 10)
for i in range(args.files):
    if i % 10 == 0:  # B and C wait: SEQUENCE renews their leases (RFC
        B.comp([])   # 8881 §8.3), which a slow build under load would
        C.comp([])   # let run out before S3 (BADSESSION)
    n = b"f-%04d-%s" % (i, b"x" * (i % 23))
    data[n] = (b"%d:" % i) * (1 + i % 50)
    st, _ = A.create_file(d, n, data[n])
    if st != NFS4_OK:
        bad.append((n, st))
    names.append(n)
subs, subfh = [], {}
for i in range(nsub):
    n = b"d-%03d" % i
    st, subfh[n] = A.mkdir(d, n)
    if st != NFS4_OK:
        bad.append((n, st))
    subs.append(n)
check(not bad, "S1", "%d files and %d directories made through node 2"
      % (args.files, nsub), "failed: %s" % bad[:5] if bad else "")

# S2
after = [entries(n) for n in args.node]
grew = [a - b for a, b in zip(after, before)]
total = sum(grew)
shares = ["%.0f%%" % (100.0 * g / total) for g in grew] if total else []
check(total >= args.files + nsub and
      all(0.10 * total <= g <= 0.60 * total for g in grew), "S2",
      "entries spread over the three nodes", "nodes 1-3 got %s of %d (%s)"
      % (grew, total, ", ".join(shares)))

# S3
want = sorted(names + subs)
st, got = B.names(d, maxcount=4096)
check(st == NFS4_OK and sorted(got) == want and len(got) == len(set(got)),
      "S3", "node 3 lists exactly what was made (4 KiB pages)",
      "status %d, %d names of %d, missing %s, extra %s"
      % (st, len(got), len(want), sorted(set(want) - set(got))[:3],
         sorted(set(got) - set(want))[:3]))
st, got = C.names(d, maxcount=65536)
check(st == NFS4_OK and sorted(got) == want, "S3b",
      "node 1 lists the same (64 KiB pages)", "status %d, %d names"
      % (st, len(got)))

# S4
wrong = []
for n in names:
    st, b = B.read_all(d, n)
    if st != NFS4_OK or b != data[n]:
        wrong.append((n, st))
check(not wrong, "S4", "node 3 reads every file's bytes",
      "wrong: %s" % wrong[:5] if wrong else "")

# S10: LOOKUPP from each subdirectory (on whichever node made its entry)
# to the directory (maybe another node's), then GETATTR there
bad = []
for n in subs:
    res = B.comp([B.op.putfh(subfh[n]), B.op.lookupp(), B.op.getfh(),
                  B.op.getattr(B.lib.list2bitmap([FATTR4_SIZE]))])
    if res.status != NFS4_OK or res.resarray[-2].object != d:
        bad.append((n, res.status))
check(not bad, "S10", "LOOKUPP from every subdirectory through node 3 "
      "reaches the directory", "wrong: %s" % bad[:4] if bad else "")

# S5
a = settle(B, d, len(want), 2 + nsub)
check(a is not None and a[0] == len(want) and a[1] == 2 + nsub, "S5",
      "the directory's size and link count count every node's entries",
      "size %s nlink %s, want %d and %d" % (a and a[0], a and a[1],
                                            len(want), 2 + nsub))
change0 = a[2] if a else 0

# S6
gone = names[::3] + subs[:2]
bad = [n for n in gone if A.remove(d, n)[0] != NFS4_OK]
keep = sorted(set(want) - set(gone))
st, got = B.names(d, maxcount=4096)
check(not bad and st == NFS4_OK and sorted(got) == keep, "S6",
      "after removes through node 2, node 3 lists exactly the rest",
      "remove failed %s; status %d, %d names of %d" % (bad[:3], st, len(got),
                                                       len(keep)))
a = settle(C, d, len(keep), 2 + nsub - 2)
check(a is not None and a[0] == len(keep) and a[1] == nsub and
      a[2] > change0, "S6b", "the directory's size, links and change follow",
      "attrs %s, want size %d nlink %d change > %d" % (a, len(keep), nsub,
                                                      change0))

# S7
moved, wrong = 0, []
for i, n in enumerate([x for x in keep if x.startswith(b"f-")][:24]):
    new = b"r-%d-%s" % (i, n)
    st = A.rename(d, n, d, new)
    old_there = A.lookup(d, n)[0] == NFS4_OK
    new_there = A.lookup(d, new)[0] == NFS4_OK
    if st == NFS4_OK and new_there and not old_there:
        moved += 1
    else:
        wrong.append((n, st, old_there, new_there))
check(not wrong and moved == 24, "S7",
      "RENAME moves every name, on one partition or across two",
      "%d moved, wrong %s" % (moved, wrong[:3]))

# S9
cis, bad = [], []
for i in range(12):
    st, _, ci = A.mkdir_ci(d, b"ci-%d" % i)
    if st != NFS4_OK:
        bad.append((i, st))
    else:
        cis.append(ci)
chained = all(cis[i].before == cis[i - 1].after for i in range(1, len(cis)))
a = dir_attrs(A, d)
check(not bad and all(ci.atomic and ci.after > ci.before for ci in cis) and
      chained and a is not None and cis and a[2] == cis[-1].after, "S9",
      "CREATE's change_info is atomic and chained through any node",
      "failed %s; atomic %s; chained %s; change %s, last after %s"
      % (bad[:3], [bool(ci.atomic) for ci in cis], chained, a and a[2],
         cis and cis[-1].after))

rmdir_race()
sticky_rmdir()
sys.exit(1 if check.failed else 0)
