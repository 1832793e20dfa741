#!/usr/bin/python3
"""tests/multi-mds/spread_tier.py -- every owner of a spread cluster tiers its own files.

    spread_tier.py --node HOST:PORT (x3) --dir DIR --objects OBJDIR
                   --strata CMD [--pynfs DIR] [--files N]

A cluster of three metadata nodes, node I owning partition I-1, two data
servers, and one object store every node tiers to (`strata-local up --mds
3 --spread --data-servers 2 --tier dir:OBJDIR`, DIR its directory), each
node with the policy "/ access_idle=2 modify_idle=2 release_after=3", a
pass every second and the orphan collector every second with a grace of 1 s
(decision 0037). Raw NFSv4.1 clients (pynfs): A on node 2, B on node 1,
C on node 3.

  T1  A creates N files of distinct bytes through node 2; their inodes
      (fileid -> shard -> partition -> node) are on all three nodes.
  T2  Left idle, every file is offloaded and released by its own node
      within 30 s: an object of its fileid is in the store, no stripe of
      it is left on the data servers. `strata tier status` of the cluster
      (CMD: the admin CLI with --dir DIR, which lists every node) sums
      exactly N offloaded files, and each node's line counts exactly the
      files it owns.
  T3  B reads every file through node 1: A's bytes (each owner recalls
      its files).
  T4  An orphan is planted for each node (a copy of one of its files'
      objects under an unused version): each is deleted within 15 s by
      its node's collector, while every live object stays; C then reads
      every file through node 3: A's bytes. (A collector that judged
      other nodes' objects would find them referenced by nothing in its
      namespace and delete them: files lost.)
  T5  The admin CLI by path, asked of node 1 only (CMD): `strata
      residency` answers every file with its own fileid (a name or inode
      on another node is followed there: EREMOTE redirects), and `strata
      tier recall` of one file of each node brings it back (state both).
  T6  `strata residency DIR` of the test's directory, asked of node 1 and
      of node 3 (--server; admin.conf lists every node), after a nested
      subdirectory sub/ (6 files) with sub/deeper/ (3 files) and two hard
      links (sub/link0 to a file of DIR, sub/deeper/link1 to one of sub/)
      are made: the totals are the WHOLE subtree's, as the per-file
      answers of `strata residency PATH...` of every file (and link)
      give them: files and bytes per state, each file once, ds_bytes,
      tier_bytes, 2 directories, `skipped` 0. (A walk on one node counts
      only its own partitions' entries and inodes: fewer files and
      `skipped` > 0.) The policy moves states meanwhile, so the check is
      retried until the per-file answers before and after the two
      totals agree (30 s at most).

Exit 0 all passed, 1 a check failed, 2 setup or protocol error.
"""
import argparse
import glob
import json
import os
import shlex
import shutil
import subprocess
import sys
import time

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--node", action="append", required=True,
                help="HOST:PORT of nodes 1, 2, 3 (in order)")
ap.add_argument("--dir", required=True, help="the cluster's strata-local directory")
ap.add_argument("--objects", required=True, help="the dir: tier's directory")
ap.add_argument("--strata", required=True,
                help="the admin CLI with --dir DIR (shell words)")
ap.add_argument("--pynfs", default=os.environ.get("PYNFS_DIR", ""))
ap.add_argument("--files", type=int, default=12)
args = ap.parse_args()
if len(args.node) != 3:
    sys.exit("spread_tier: three --node please")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mmlib  # noqa: E402
nfs = mmlib.load(args.pynfs, "spread_tier")
check = mmlib.Checks()
from xdrdef.nfs4_const import NFS4_OK, FATTR4_FILEID  # noqa: E402

PARTITIONS = 3      # strata-local --spread: node I owns partition I-1
SETTLE_S = 30
GC_S = 15


class SetupError(Exception):
    pass


def owner_of(fileid):
    """pnfs/cmap.h: the shard is the fileid's top 8 bits, its partition
    shard mod P."""
    return (fileid >> 56) % PARTITIONS + 1


def objects_of(fileid):
    return glob.glob(os.path.join(args.objects, "*", "v1", "*", "%016x-*" % fileid))


def stripes_of(fileid):
    return glob.glob(os.path.join(args.dir, "ds[0-9]*", "stripes", "*", "%016x.*" % fileid))


def data_of(i):
    return os.urandom(4000 + 37 * i)


def read_all(c, d, files):
    """Names whose bytes through C differ from A's."""
    bad = []
    for f in files:
        st, got = c.read_all(d, f["name"])
        if st != NFS4_OK or got != f["data"]:
            bad.append("%s (node %d): %s" % (f["name"].decode(), f["node"],
                                             st if st != NFS4_OK else "%d bytes" % len(got or b"")))
    return bad


def wait_until(cond, seconds):
    end = time.time() + seconds
    while True:
        r = cond()
        if r or time.time() > end:
            return r
        time.sleep(0.2)


def main():
    a = mmlib.Client(nfs, args.node[1], b"tier-a-%d" % os.getpid())
    dpath = "/tiered-%d" % os.getpid()
    st, d = a.mkdir(a.root(), dpath[1:].encode())
    if st != NFS4_OK:
        raise SetupError("mkdir: %s" % st)

    # T1
    # Files land on hash(dir, name), and the directory differs per run:
    # 12 names miss one of three nodes one run in 40. Go on past
    # ARGS.FILES until every node has one (64 names at most).
    files = []
    i = -1
    while i + 1 < 64 and (len(files) < args.files or
                          len({f["node"] for f in files}) < 3):
        i += 1
        name = b"f%02d" % i
        data = data_of(i)
        st, fh = a.create_file(d, name, data)
        if st != NFS4_OK:
            raise SetupError("create %s: %s" % (name, st))
        st, at = a.getattr(fh, [FATTR4_FILEID])
        if st != NFS4_OK:
            raise SetupError("GETATTR %s: %s" % (name, st))
        fid = at[FATTR4_FILEID]
        files.append(dict(name=name, data=data, fileid=fid, node=owner_of(fid)))
    nodes = sorted({f["node"] for f in files})
    check(nodes == [1, 2, 3], "T1", "%d files made through node 2 live on all three "
          "nodes" % len(files), "nodes %s" % nodes)

    # T2
    def all_tiered():
        return all(objects_of(f["fileid"]) and not stripes_of(f["fileid"]) for f in files)
    t0 = time.time()
    ok = wait_until(all_tiered, SETTLE_S)
    left = ["%s (node %d): %d objects, %d stripes" % (f["name"].decode(), f["node"],
                                                      len(objects_of(f["fileid"])),
                                                      len(stripes_of(f["fileid"])))
            for f in files if not objects_of(f["fileid"]) or stripes_of(f["fileid"])]
    check(ok, "T2", "every idle file offloaded and released by its own node "
          "(%.1f s)" % (time.time() - t0), "; ".join(left))

    ts = cli_json("tier", "status")
    try:
        total = ts["states"]["offloaded"]["files"]
        per = [n["states"]["offloaded"]["files"] for n in ts["nodes"]]
    except (KeyError, TypeError):
        raise SetupError("strata tier status: %s" % str(ts)[:300])
    want = [sum(1 for f in files if f["node"] == n) for n in (1, 2, 3)]
    check(total == len(files) and per == want, "T2", "`strata tier status` sums the "
          "nodes: %d offloaded, per node %s" % (len(files), want),
          "got %s, per node %s" % (total, per))

    # T3
    b = mmlib.Client(nfs, args.node[0], b"tier-b-%d" % os.getpid())
    bad = read_all(b, d, files)
    check(not bad, "T3", "B reads every file's bytes through node 1 (recalled by "
          "their owners)", "; ".join(bad))

    # T4
    planted = []
    for n in (1, 2, 3):
        f = next(f for f in files if f["node"] == n)
        live = objects_of(f["fileid"])
        if not live:
            raise SetupError("no object of %s to copy" % f["name"])
        src = sorted(live)[0]
        fid, gen, ver = os.path.basename(src).split("-")
        orphan = os.path.join(os.path.dirname(src), "%s-%s-%016x" % (fid, gen, int(ver, 16) + 0x1000))
        shutil.copyfile(src, orphan)
        planted.append(orphan)
    gone = wait_until(lambda: not any(os.path.exists(p) for p in planted), GC_S)
    check(gone, "T4", "each node's collector deletes the orphan planted for it",
          "left: %s" % [os.path.basename(p) for p in planted if os.path.exists(p)])
    missing = [f["name"].decode() for f in files if not objects_of(f["fileid"])
               and not stripes_of(f["fileid"])]
    check(not missing, "T4", "... and no file lost both its object and its stripes",
          "; ".join(missing))
    # a new client: A's, B's leases may have run out while they waited
    c = mmlib.Client(nfs, args.node[2], b"tier-c-%d" % os.getpid())
    bad = read_all(c, d, files)
    check(not bad, "T4", "C reads every file's bytes through node 3", "; ".join(bad))

    # T5
    dname = os.path.basename(dpath)
    paths = ["/%s/%s" % (dname, f["name"].decode()) for f in files]
    got = cli_json("residency", *paths)
    ids = {r.get("path"): (r.get("fileid"), r.get("state"), r.get("error")) for r in got}
    bad = ["%s: %s" % (p, ids.get(p)) for p, f in zip(paths, files)
           if ids.get(p, (None,))[0] != "%016x" % f["fileid"] or ids[p][2]]
    check(not bad, "T5", "`strata residency PATH` through node 1 answers all %d files, "
          "each with its fileid" % len(files), "; ".join(bad))
    pick = [next(i for i, f in enumerate(files) if f["node"] == n) for n in (1, 2, 3)]
    got = cli_json("tier", "recall", *[paths[i] for i in pick])
    states = [(r.get("path"), r.get("state"), r.get("error")) for r in got]
    check(len(states) == 3 and all(s == "both" and not e for _, s, e in states), "T5",
          "`strata tier recall PATH` of a file of each node: back (both)", str(states))

    # T6
    t6(dpath, d, files, paths)
    return 1 if check.failed else 0


STATES = {"local": "resident", "both": "both", "offloaded": "offloaded"}


def per_file_totals(paths):
    """The totals the per-file answers of PATHS give (a fileid once), or
    the errors."""
    got = cli_json("residency", *paths)
    bad = ["%s: %s" % (r.get("path"), r.get("error")) for r in got if r.get("error")]
    if bad or len(got) != len(paths):
        return None, bad or ["%d answers for %d paths" % (len(got), len(paths))]
    files = {n: 0 for n in STATES.values()}
    nbytes = dict(files)
    ds = tier = 0
    for fid, r in {r["fileid"]: r for r in got}.items():
        state = STATES.get(r.get("state"))
        if state is None:
            return None, ["%s: state %s" % (r.get("path"), r.get("state"))]
        files[state] += 1
        nbytes[state] += r["size"]
        ds += r["ds_bytes"]
        tier += r["tier_bytes"]
    return dict(files=files, bytes=nbytes, ds_bytes=ds, tier_bytes=tier,
                directories=2, skipped=0), []


def dir_totals(dpath, via):
    got = cli_json("residency", dpath, via=via)
    if len(got) != 1:
        return "%d answers" % len(got)
    r = got[0]
    if r.get("error") or "totals" not in r:
        return "error %s" % r.get("error")
    t = r["totals"]
    return {k: t.get(k) for k in ("files", "bytes", "ds_bytes", "tier_bytes",
                                  "directories", "skipped")}


def t6(dpath, d, files, paths):
    e = mmlib.Client(nfs, args.node[1], b"tier-e-%d" % os.getpid())
    st, sub = e.mkdir(d, b"sub")
    if st == NFS4_OK:
        st, deeper = e.mkdir(sub, b"deeper")
    if st != NFS4_OK:
        raise SetupError("mkdir sub, sub/deeper: %s" % st)
    nested = []
    fhs = {}
    for where, fh, prefix, n in (("sub", sub, "g", 6), ("sub/deeper", deeper, "h", 3)):
        for i in range(n):
            name = b"%s%02d" % (prefix.encode(), i)
            st, fhs[name] = e.create_file(fh, name, os.urandom(1000 + 111 * i))
            if st != NFS4_OK:
                raise SetupError("create %s/%s: %s" % (where, name, st))
            nested.append("%s/%s/%s" % (dpath, where, name.decode()))
    st, top = e.lookup(d, files[0]["name"])
    if st == NFS4_OK:
        st = e.link(top, sub, b"link0")
    if st == NFS4_OK:
        st = e.link(fhs[b"g00"], deeper, b"link1")
    if st != NFS4_OK:
        raise SetupError("link: %s" % st)
    links = [dpath + "/sub/link0", dpath + "/sub/deeper/link1"]
    every = paths + nested + links
    end = time.time() + 30
    tries = 0
    while True:
        tries += 1
        before, bad = per_file_totals(every)
        got1 = dir_totals(dpath, None)
        got3 = dir_totals(dpath, args.node[2])
        after, bad2 = per_file_totals(every)
        ok = not bad and not bad2 and before == after and got1 == before == got3
        if ok or time.time() > end:
            break
        time.sleep(0.5)
    n = len(files) + len(nested)
    check(ok, "T6", "`strata residency %s` through node 1 and node 3: the whole "
          "subtree's totals (%d files, 2 levels, 2 hard links counted once), "
          "skipped 0 (try %d)" % (dpath, n, tries),
          "per-file %s%s; node 1 %s; node 3 %s" % (before, bad + bad2, got1, got3))
    if ok:
        print("  T6 totals: %s" % json.dumps(got1, sort_keys=True))


def cli_json(*words, via=None):
    server = ["--server", via] if via else []
    out = subprocess.run(shlex.split(args.strata) + server + ["--json"] + list(words),
                         capture_output=True, text=True)
    try:
        return json.loads(out.stdout)
    except ValueError:
        raise SetupError("strata %s: %s %s" % (" ".join(words), out.stdout[:200],
                                               out.stderr[:300]))


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
    import raw41
    raw41.run(main, "spread_tier", (SetupError,))
