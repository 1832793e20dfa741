#!/usr/bin/python3
"""tests/tier-watermark/tier_watermark.py -- the tier policy's capacity
watermarks end to end, in a real strata-mds with 2 data servers.

    tier_watermark.py --server HOST:PORT --strata PATH --dir DIR
                      --ds-metrics URL,URL --high PCT --low PCT
                      --capacity BYTES [--pynfs DIR] [--deadline S]

Against MDS + 2 data servers started by tests/tier-watermark.sh with
scripts/strata-local --ds-capacity BYTES (each data server reports BYTES
as its capacity and the bytes under its data directory as used),
--tier dir:..., one shard (fileids in creation order), 64 KiB stripes
(every file spread over both servers), the rule "/wm access_idle=1d"
(nothing is idle: only the watermarks can move a file), high and low
marks, a pass every second. Raw NFSv4.1 (pynfs's client library) through
the MDS:

  a. eight 1 MiB files written in /wm: f0..f6 first (below the high
     mark), then f0 read (a use the MDS sees: the policy's heat) a clock
     second later, then f7 another second later, which takes the data
     servers above the high mark.
  b. the passes offload and then release files, oldest access first,
     until the fill is below the low mark: exactly f1..f6 (the six
     oldest by access; f0, the oldest written but read since, and f7,
     the newest, stay local); the fill (the data servers' own /metrics)
     below the low mark; nothing more moves in the passes of the next
     heartbeat + 3 seconds (a pass acting on the data servers' fill from
     before the releases would offload f0 and f7 too).
  c. `strata residency /wm` (--json and the table): the directory's
     totals (2 resident, 0 both, 6 offloaded, bytes on the data servers
     and in the tier); `strata tier status` (--json and the table) and
     the MDS's strata_tier_files / strata_tier_file_bytes metrics
     (promtool): the namespace's files per state the same (the only
     files there are).
  d. f1 reads back its exact bytes (recalled through the MDS).

Prints PASS/FAIL per check and "N passed, N failed". Exit 0 all passed,
1 a check failed, 2 setup or protocol error.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--server", required=True)
ap.add_argument("--strata", required=True, help="the admin CLI")
ap.add_argument("--dir", required=True, help="the cluster's strata-local DIR")
ap.add_argument("--ds-metrics", required=True, help="URL,URL: the data servers' /metrics")
ap.add_argument("--metrics", required=True, help="the MDS's /metrics")
ap.add_argument("--high", type=int, required=True)
ap.add_argument("--low", type=int, required=True)
ap.add_argument("--capacity", type=int, required=True, help="per data server")
ap.add_argument("--pynfs", default=os.environ.get("PYNFS_DIR", ""))
ap.add_argument("--deadline", type=float, default=25.0,
                help="seconds for the passes to bring the fill down")
ap.add_argument("--stable", type=float, default=6.0,
                help="seconds of passes that must move nothing after (b.3)")
args = ap.parse_args()
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import raw41  # noqa: E402
raw41.load(args.pynfs, "tier-watermark")
import nfs_ops  # noqa: E402
from xdrdef.nfs4_const import *  # noqa: E402,F401,F403
from xdrdef.nfs4_type import (open_owner4, openflag4, open_claim4,  # noqa: E402
                              createhow4, createtype4)

op = nfs_ops.NFS4ops()
IO = 256 * 1024
SIZE = 1 << 20
NFILES = 8
results = []


class SetupError(Exception):
    pass


def check(cid, what, ok, got=""):
    results.append(bool(ok))
    print("%s %s %s%s" % ("PASS" if ok else "FAIL", cid, what,
                          "" if ok else ": got %s" % (got,)), flush=True)


def need(res, what):
    if res.status != NFS4_OK:
        raise SetupError("%s: %s" % (what, nfsstat4.get(res.status, res.status)))
    return res


def pattern(n, seed):
    return bytes((i * 31 + seed * 7 + (i >> 11)) % 251 for i in range(n))


def cli(*a):
    p = subprocess.run([args.strata, "--dir", args.dir] + list(a),
                       capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def residency(path):
    rc, out, err = cli("--json", "residency", path)
    if rc != 0:
        raise SetupError("strata residency %s: %s" % (path, err.strip()))
    return json.loads(out)[0]


def tier_status():
    rc, out, err = cli("--json", "tier", "status")
    if rc != 0:
        raise SetupError("strata tier status: %s" % err.strip())
    return json.loads(out)


def next_second():
    """Wait for the wall clock's next whole second (the policy's times
    are seconds): a wait on the clock itself, bounded."""
    t = int(time.time())
    deadline = time.time() + 2
    while int(time.time()) == t and time.time() < deadline:
        time.sleep(0.01)


def open_in(s, dirfh, name, create, access):
    owner = open_owner4(s.client.clientid, b"wm-owner")
    how = (openflag4(OPEN4_CREATE, createhow4(UNCHECKED4, {FATTR4_MODE: 0o644}))
           if create else openflag4(OPEN4_NOCREATE))
    res = need(s.compound([
        op.putfh(dirfh),
        op.open(0, access | OPEN4_SHARE_ACCESS_WANT_NO_DELEG, OPEN4_SHARE_DENY_NONE,
                owner, how, open_claim4(CLAIM_NULL, name)),
        op.getfh()]), "OPEN %s" % name)
    return res.resarray[-1].object, res.resarray[-2].stateid


def write_file(s, dirfh, name, data):
    fh, sid = open_in(s, dirfh, name, True, OPEN4_SHARE_ACCESS_BOTH)
    for off in range(0, len(data), IO):
        need(s.compound([op.putfh(fh), op.write(sid, off, FILE_SYNC4, data[off:off + IO])]),
             "WRITE %s" % name)
    need(s.compound([op.putfh(fh), op.close(0, sid)]), "CLOSE %s" % name)


def read_file(s, dirfh, name, size, retry_s=30):
    """The whole file through the MDS, each READ retried through DELAY."""
    fh, sid = open_in(s, dirfh, name, False, OPEN4_SHARE_ACCESS_READ)
    out = bytearray()
    deadline = time.time() + retry_s
    while len(out) < size:
        res = s.compound([op.putfh(fh), op.read(sid, len(out), IO)],
                         handle_state_errors=False)
        if res.status == NFS4ERR_DELAY and time.time() < deadline:
            time.sleep(0.05)
            continue
        need(res, "READ %s" % name)
        r = res.resarray[-1].switch.switch
        out += r.data
        if r.eof:
            break
    need(s.compound([op.putfh(fh), op.close(0, sid)]), "CLOSE %s" % name)
    return bytes(out)


def ds_fill():
    """(used, capacity) summed over the data servers' own /metrics."""
    used = cap = 0
    for url in args.ds_metrics.split(","):
        page = urllib.request.urlopen(url, timeout=5).read().decode()
        m = {k: float(v) for k, v in re.findall(
            r"^(strata_store_(?:size|avail)_bytes) (\S+)$", page, re.M)}
        cap += m["strata_store_size_bytes"]
        used += m["strata_store_size_bytes"] - m["strata_store_avail_bytes"]
    return used, cap


def states(names):
    return {n: residency("/wm/" + n)["state"] for n in names}


def main():
    s = raw41.session(args.server, EXCHGID4_FLAG_USE_PNFS_MDS, "tier-watermark")
    res = need(s.compound([op.putrootfh(), op.create(createtype4(NF4DIR), b"wm",
                                                     {FATTR4_MODE: 0o755}),
                           op.getfh()]), "CREATE /wm")
    dirfh = res.resarray[-1].object
    names = ["f%d" % i for i in range(NFILES)]
    data = {n: pattern(SIZE, i) for i, n in enumerate(names)}

    # a. f0..f6, then f0 read a second later, then f7 a second after that
    for n in names[:-1]:
        write_file(s, dirfh, n.encode(), data[n])
    used, cap = ds_fill()
    check("a.1", "seven files written: the data servers report the knob's capacity "
          "(%d bytes) and are below the high mark (%.0f%% < %d%%)"
          % (cap, 100 * used / cap, args.high),
          cap == 2 * args.capacity and used < cap * args.high / 100
          and used >= (NFILES - 1) * SIZE, (used, cap))
    check("a.2", "below the high mark nothing moved",
          set(states(names[:-1]).values()) == {"local"}, states(names[:-1]))
    next_second()
    got = read_file(s, dirfh, b"f0", SIZE)
    if got != data["f0"]:
        raise SetupError("f0 read back wrong")
    next_second()
    t_cross = time.time()
    write_file(s, dirfh, names[-1].encode(), data[names[-1]])

    # b. the passes bring the fill below the low mark, oldest access first
    want = {n: "offloaded" for n in names[1:-1]}
    want.update({"f0": "local", names[-1]: "local"})
    deadline = time.time() + args.deadline
    st = {}
    while time.time() < deadline:
        st = states(names)
        if st == want:
            break
        time.sleep(0.2)
    took = time.time() - t_cross
    check("b.1", "above the high mark: f1..f6 (the six oldest by access) offloaded and "
          "released, f0 (written first, read since) and f7 (the newest) local "
          "(%.1f s after f7)" % took, st == want, st)
    used, cap = ds_fill()
    deadline = time.time() + 5   # the data servers' metrics are cached a second
    while used >= cap * args.low / 100 and time.time() < deadline:
        time.sleep(0.2)
        used, cap = ds_fill()
    check("b.2", "the data servers' fill below the low mark (%.1f%% < %d%%)"
          % (100 * used / cap, args.low), used < cap * args.low / 100, (used, cap))
    st0 = tier_status()["steps"]
    # b.3 watches the passes that follow, past the next heartbeat: a pass
    # that acted on the fill from before the releases (the data servers'
    # last heartbeat answers) would offload f0 and f7 too
    end = time.time() + args.stable
    stable = True
    while time.time() < end:
        if states(names) != want:
            stable = False
            break
        time.sleep(0.3)
    st1 = tier_status()["steps"]
    check("b.3", "the passes of the next %.0f s move nothing (no overshoot on a fill "
          "from before the releases)" % args.stable,
          stable and st1 == st0 and st1["offload"]["done"] == 6
          and st1["release"]["done"] == 6, (stable, st0, st1))

    # c. the directory's totals and the namespace's per-state counts
    r = residency("/wm")
    t = r.get("totals", {})
    check("c.1", "strata --json residency /wm: 2 resident, 0 both, 6 offloaded; "
          "bytes on the data servers 2 MiB, in the tier 6 MiB",
          r["state"] == "dir"
          and t.get("files") == {"resident": 2, "both": 0, "offloaded": 6}
          and t.get("bytes") == {"resident": 2 * SIZE, "both": 0, "offloaded": 6 * SIZE}
          and t.get("ds_bytes") == 2 * SIZE and t.get("tier_bytes") == 6 * SIZE
          and r["ds_bytes"] == 2 * SIZE and r["tier_bytes"] == 6 * SIZE
          and t.get("directories") == 0 and t.get("skipped") == 0, r)
    rc, out, err = cli("residency", "/wm")
    check("c.2", "strata residency /wm prints the totals line",
          rc == 0 and re.search(r"^/wm +dir +2\.0 MiB +6\.0 MiB", out, re.M)
          and re.search(r"files: 2 resident \(2\.0 MiB\), 0 both \(0 B\), "
                        r"6 offloaded \(6\.0 MiB\); 0 directories", out, re.M),
          (rc, out, err))
    sj = tier_status()
    check("c.3", "strata --json tier status: files per state 2 resident, 0 both, "
          "6 offloaded, with their bytes",
          sj.get("states") == {"resident": {"files": 2, "bytes": 2 * SIZE},
                               "both": {"files": 0, "bytes": 0},
                               "offloaded": {"files": 6, "bytes": 6 * SIZE}},
          sj.get("states"))
    rc, out, err = cli("tier", "status")
    check("c.4", "strata tier status prints the states",
          rc == 0 and re.search(r"^ +resident +2 +2\.0 MiB$", out, re.M)
          and re.search(r"^ +offloaded +6 +6\.0 MiB$", out, re.M),
          (rc, out, err))

    want_m = {("strata_tier_files", "resident"): 2, ("strata_tier_files", "both"): 0,
              ("strata_tier_files", "offloaded"): 6,
              ("strata_tier_file_bytes", "resident"): 2 * SIZE,
              ("strata_tier_file_bytes", "both"): 0,
              ("strata_tier_file_bytes", "offloaded"): 6 * SIZE}
    deadline = time.time() + 5   # the page is cached for a second
    while True:
        page = urllib.request.urlopen(args.metrics, timeout=5).read().decode()
        got_m = {(n, st): int(float(v)) for n, st, v in re.findall(
            r'^(strata_tier_file(?:s|_bytes))\{state="(\w+)"\} (\S+)$', page, re.M)}
        if got_m == want_m or time.time() > deadline:
            break
        time.sleep(0.2)
    pt = subprocess.run(["promtool", "check", "metrics"], input=page, text=True,
                        capture_output=True)
    check("c.5", "the MDS's metrics strata_tier_files and strata_tier_file_bytes by "
          "state say the same, and the page passes promtool check metrics",
          got_m == want_m and pt.returncode == 0,
          (got_m, (pt.stdout + pt.stderr).strip()[:300]))

    # d. a released file reads back exact
    got = read_file(s, dirfh, b"f1", SIZE)
    check("d.1", "f1 reads back its exact bytes (recalled)", got == data["f1"],
          len(got))

    print("%d passed, %d failed" % (results.count(True), results.count(False)))
    return 0 if all(results) else 1


raw41.run(main, "tier-watermark", (SetupError,))
