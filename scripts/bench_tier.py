#!/usr/bin/python3
"""scripts/bench_tier.py -- the measuring half of `scripts/bench --tier`
(scripts/bench-tier starts the servers and calls this).

For each data set (16 x 64 MiB and 10,000 x 64 KiB; --smoke: 2 x 1 MiB and
20 x 64 KiB): the same random bytes are written to local files and, through
the MDS, into Strata (setup, not measured); then, each step timed with the
CPU it cost:
  upload    rclone copy LOCAL -> S3        (rclone's rusage)
  offload   strata tier offload PATH...    (strata-mds CPU from /proc/PID/stat)
  release   strata tier release PATH...    (Strata only: no rclone twin)
  download  rclone copy S3 -> LOCAL
  recall    strata tier recall PATH...
Data servers' CPU, the CLI's and Swift's (all of its processes) are measured
too and shown apart: the ratios against rclone use strata-mds's CPU only
(the issue's rule), and Swift's CPU is excluded from both sides. Then the
first byte of a cold file: a file released again, its first READ through
the MDS (no OPEN) until the first data, DELAYs retried after 1 ms, against
`rclone cat --count 1` of rclone's copy (from process start: what a user of
rclone waits) and a raw ranged GET (curl's time to first byte, the floor);
and the same READ in the middle of the file, released again (a recall by
parts fetches that part first).
Every file's content is checked: rclone's download and a sample read back
through the MDS after the recall, against the local source.

Writes OUT/table.txt (printed too) and OUT/results.json.
"""
import argparse
import datetime
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--server", required=True, help="the MDS, HOST:PORT")
ap.add_argument("--strata", required=True, help="the admin CLI")
ap.add_argument("--dir", required=True, help="the strata-local cluster DIR")
ap.add_argument("--mds-pid", type=int, required=True)
ap.add_argument("--ds-pids", required=True, help="PID,PID")
ap.add_argument("--swift-pids", required=True, help="PID,PID,...")
ap.add_argument("--rclone-conf", required=True, help="config file (mode 600)")
ap.add_argument("--remote", required=True, help="REMOTE:BUCKET")
ap.add_argument("--endpoint", required=True, help="http://HOST:PORT")
ap.add_argument("--bucket", required=True)
ap.add_argument("--netrc", required=True, help="curl's credentials")
ap.add_argument("--region", default="us-east-1")
ap.add_argument("--work", required=True, help="scratch for local copies")
ap.add_argument("--out", required=True)
ap.add_argument("--pynfs", default=os.environ.get("PYNFS_DIR", ""))
ap.add_argument("--smoke", action="store_true")
ap.add_argument("--note", default="", help="machine note for the table")
ap.add_argument("--sets", default="big,small", help="which data sets")
ap.add_argument("--files", type=int, default=10000,
                help="files of the small set (64 KiB each)")
ap.add_argument("--big-files", type=int, default=16,
                help="the large set's count of 64 MiB files (at least 3: "
                     "the first-byte reads take the last 3)")
ap.add_argument("--workers", default="", help="tier_workers, for the table")
ap.add_argument("--parallel", type=int, default=0,
                help="strata tier --parallel N (0: the CLI's default)")
ap.add_argument("--ds-metrics", default="",
                help="the data servers' metrics URLs, comma-separated: "
                     "their control calls per file are reported")
ap.add_argument("--perf", action="store_true",
                help="measured steps under perf record -a -g")
args = ap.parse_args()
sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "lib"))
import raw41  # noqa: E402
raw41.load(args.pynfs, "bench-tier")
import bench_tier_nfs as nfs  # noqa: E402
from xdrdef.nfs4_const import EXCHGID4_FLAG_USE_PNFS_MDS  # noqa: E402

MIB, GIB = 1 << 20, 1 << 30
SETS = ([("2x1MiB", "big", 2, MIB), ("20x64KiB", "small", 20, 64 << 10)]
        if args.smoke else
        [("%dx64MiB" % args.big_files, "big", args.big_files, 64 * MIB),
         ("%dx64KiB" % args.files, "small", args.files, 64 << 10)])
SETS = [st for st in SETS if st[1] in args.sets.split(",")]
FIRST_BYTE_N = 1 if args.smoke else 3   # cold reads per set (median)
HZ = os.sysconf("SC_CLK_TCK")
DS_PIDS = [int(p) for p in args.ds_pids.split(",")]
SWIFT_PIDS = [int(p) for p in args.swift_pids.split(",")]


def log(msg):
    print("bench-tier: %s" % msg, file=sys.stderr, flush=True)


def cpu_s(pid):
    """utime + stime of PID (every thread), seconds."""
    with open("/proc/%d/stat" % pid) as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) / HZ


def cpu_sum(pids):
    return sum(cpu_s(p) for p in pids)


def ds_calls():
    """The data servers' control calls served so far (every call the MDS
    makes on them: CREATE, WRITE, COMMIT, READ, ...), or None without
    --ds-metrics."""
    if not args.ds_metrics:
        return None
    total = 0
    for url in args.ds_metrics.split(","):
        with urllib.request.urlopen(url, timeout=10) as f:
            for line in f.read().decode().splitlines():
                if line.startswith("strata_ctl_calls_total "):
                    total += int(float(line.split()[1]))
    return total


def run_measured(cmd, stdout_path):
    """Run CMD (its stdout to STDOUT_PATH): wall seconds, its own CPU
    (rusage), and the CPU deltas of the MDS, data servers and Swift.
    With --perf, strata-mds is sampled meanwhile (`perf record
    --call-graph dwarf -p PID`, STDOUT_PATH.perf.data); perf's own CPU
    then falls on the MDS's (the kernel's sampling) and the machine."""
    perf = None
    if args.perf:
        perf = subprocess.Popen(["perf", "record", "-q", "-F", "499",
                                 "--call-graph", "dwarf,16384", "-p",
                                 str(args.mds_pid), "-o",
                                 stdout_path + ".perf.data"],
                                stdout=subprocess.DEVNULL)
        time.sleep(1)  # perf attached
    calls0 = ds_calls()
    before = (cpu_s(args.mds_pid), cpu_sum(DS_PIDS), cpu_sum(SWIFT_PIDS))
    t0 = time.monotonic()
    with open(stdout_path, "w") as out, open(stdout_path + ".err", "w") as err:
        p = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    after = (cpu_s(args.mds_pid), cpu_sum(DS_PIDS), cpu_sum(SWIFT_PIDS))
    calls1 = ds_calls()
    if perf:
        perf.send_signal(2)
        perf.wait()
    if p.returncode != 0:
        with open(stdout_path + ".err") as f:
            sys.exit("bench-tier: %s failed (exit %d): %s" %
                     (cmd[0], p.returncode, f.read()[-2000:]))
    return {"wall": wall, "self_cpu": ru.ru_utime + ru.ru_stime,
            "mds_cpu": after[0] - before[0], "ds_cpu": after[1] - before[1],
            "swift_cpu": after[2] - before[2],
            "ds_calls": None if calls0 is None else calls1 - calls0}


def strata_step(verb, paths, tag, want_state):
    """`strata --json tier VERB PATH...`, measured; every file must end in
    WANT_STATE as the CLI printed it."""
    out = os.path.join(args.out, "%s-%s.json" % (tag, verb))
    par = ["--parallel", str(args.parallel)] if args.parallel else []
    m = run_measured([args.strata, "--dir", args.dir, "--json", "tier", verb]
                     + par + paths, out)
    with open(out) as f:
        res = json.load(f)
    bad = [r["path"] for r in res if r.get("state") != want_state]
    if len(res) != len(paths) or bad:
        sys.exit("bench-tier: %s: %d of %d not %s (%s)" %
                 (verb, len(bad), len(paths), want_state, bad[:3]))
    return m


# The AWS SDK inside rclone fails on AWS_CA_BUNDLE with rclone's own HTTP
# transport ("LoadCustomCABundleError"); the endpoint is plain http anyway.
os.environ.pop("AWS_CA_BUNDLE", None)


def rclone(*a):
    return ["rclone", "--config", args.rclone_conf, "-q"] + list(a)


def sha(b):
    return hashlib.sha256(b).hexdigest()


def make_set(s, name, dirname, n, size):
    """Local source files and the same bytes in Strata under /DIRNAME."""
    src = os.path.join(args.work, "src", dirname)
    os.makedirs(src, exist_ok=True)
    names = ["f%05d" % i for i in range(n)]
    sums = {}
    nfs.mkdir(s, dirname)
    t0 = time.monotonic()
    batch = []
    for nm in names:
        data = os.urandom(size)
        sums[nm] = sha(data)
        with open(os.path.join(src, nm), "wb") as f:
            f.write(data)
        if size <= nfs.IO:
            batch.append((nm, data))
            if len(batch) >= 256:
                nfs.write_small(s, dirname, batch)
                batch = []
        else:
            nfs.write_large(s, dirname, nm, data)
    if batch:
        nfs.write_small(s, dirname, batch)
    log("%s: %d files written locally and through the MDS in %.1f s (setup)"
        % (name, n, time.monotonic() - t0))
    return src, names, sums


def check_dir(d, names, sums, what):
    for nm in names:
        with open(os.path.join(d, nm), "rb") as f:
            if sha(f.read()) != sums[nm]:
                sys.exit("bench-tier: %s: %s differs" % (what, nm))


def median(v):
    return statistics.median(v) if v else float("nan")


def rclone_first_byte(obj):
    """Seconds from starting `rclone cat --count 1 OBJ` to its first byte."""
    t0 = time.monotonic()
    p = subprocess.Popen(rclone("cat", "--count", "1", obj),
                         stdout=subprocess.PIPE)
    b = p.stdout.read(1)
    dt = time.monotonic() - t0
    p.stdout.read()
    p.wait()
    if p.returncode != 0 or len(b) != 1:
        sys.exit("bench-tier: rclone cat %s failed" % obj)
    return dt


def curl_first_byte(key):
    out = subprocess.run(
        ["curl", "-sS", "-f", "--netrc-file", args.netrc, "--aws-sigv4",
         "aws:amz:%s:s3" % args.region, "-H",
         "x-amz-content-sha256:UNSIGNED-PAYLOAD", "-r", "0-262143",
         "-o", "/dev/null", "-w", "%{time_starttransfer}",
         "%s/%s/%s" % (args.endpoint, args.bucket, key)],
        capture_output=True, text=True, check=True)
    return float(out.stdout)


def one_set(s, name, dirname, n, size):
    total = n * size
    src, names, sums = make_set(s, name, dirname, n, size)
    paths = ["/%s/%s" % (dirname, nm) for nm in names]
    rdir = "%s/rclone/%s" % (args.remote, dirname)
    r = {"set": name, "files": n, "bytes": total}
    log("%s: rclone upload" % name)
    r["upload"] = run_measured(rclone("copy", src, rdir),
                               os.path.join(args.out, name + "-upload.out"))
    log("%s: strata tier offload" % name)
    r["offload"] = strata_step("offload", paths, name, "both")
    log("%s: strata tier release" % name)
    r["release"] = strata_step("release", paths, name, "offloaded")
    dl = os.path.join(args.work, "dl", dirname)
    log("%s: rclone download" % name)
    r["download"] = run_measured(rclone("copy", rdir, dl),
                                 os.path.join(args.out, name + "-download.out"))
    check_dir(dl, names, sums, "rclone download")
    log("%s: strata tier recall" % name)
    r["recall"] = strata_step("recall", paths, name, "both")
    # content after the recall, through the MDS: every file of a small
    # set, a sample of a large one
    sample = names if n <= 20 else names[:: max(1, n // 20)]
    for nm in sample:
        fh = nfs.lookup(s, "/%s/%s" % (dirname, nm))
        if sha(nfs.read_all(s, fh, size)) != sums[nm]:
            sys.exit("bench-tier: %s/%s reads back wrong after the recall"
                     % (dirname, nm))
    # a cold file's first byte
    fb, delays, rc_fb, curl_fb, mid, mid_delays = [], [], [], [], [], []
    for nm in names[-FIRST_BYTE_N:]:
        path = "/%s/%s" % (dirname, nm)
        strata_step("release", [path], name + "-cold", "offloaded")
        fh = nfs.lookup(s, path)
        dt, nd = nfs.first_byte(s, fh)
        fb.append(dt)
        delays.append(nd)
        # and in the middle of the file, cold again (recall by parts:
        # the part read is fetched before the ones in front of it)
        strata_step("release", [path], name + "-cold", "offloaded")
        fh = nfs.lookup(s, path)
        dt, nd = nfs.first_byte(s, fh, off=size // 2 // nfs.IO * nfs.IO)
        mid.append(dt)
        mid_delays.append(nd)
        rc_fb.append(rclone_first_byte("%s/%s" % (rdir, nm)))
        curl_fb.append(curl_first_byte("rclone/%s/%s" % (dirname, nm)))
    r["first_byte"] = {"strata": median(fb), "strata_all": fb,
                       "delays": delays, "rclone": median(rc_fb),
                       "middle": median(mid), "middle_all": mid,
                       "middle_delays": mid_delays,
                       "rclone_all": rc_fb, "curl": median(curl_fb)}
    subprocess.run(["rm", "-rf", src, dl], check=True)
    return r


def ratio(a, b):
    return a / b if b else float("nan")


def table(results):
    now = datetime.datetime.now(datetime.timezone.utc)
    lines = ["Object tier vs rclone, %s UTC%s" % (now.strftime("%Y-%m-%d %H:%M"),
                                                   " (smoke)" if args.smoke else ""),
             "machine: %d cores%s" % (os.cpu_count(),
                                      ("; " + args.note) if args.note else ""),
             "strata: tier_workers %s, strata tier --parallel %s; rclone "
             "copy with its defaults (--transfers 4)" %
             (args.workers or "default (4)", args.parallel or "default (8)"),
             "CPU s/GiB: strata = strata-mds only (data servers and the CLI "
             "apart); rclone = its rusage; Swift's CPU excluded from both",
             ""]
    hdr = ("%-12s %-8s %9s %9s %6s  %9s %9s %6s  %7s %6s %9s" %
           ("set", "step", "strata", "rclone", "ratio", "mds cpu", "rclone",
            "ratio", "ds cpu", "cli", "swift s/G"))
    lines += [hdr, "%-12s %-8s %9s %9s %6s  %9s %9s %6s  %7s %6s %9s" %
              ("", "", "MiB/s", "MiB/s", "", "s/GiB", "s/GiB", "", "s/GiB",
               "s/GiB", "st/rc"), "-" * len(hdr)]
    verdict = []
    for r in results:
        gib = r["bytes"] / GIB
        for step, ref in (("offload", "upload"), ("recall", "download"),
                          ("release", None)):
            m = r[step]
            tp = r["bytes"] / MIB / m["wall"]
            mc = m["mds_cpu"] / gib
            if ref:
                q = r[ref]
                rtp = r["bytes"] / MIB / q["wall"]
                rc = q["self_cpu"] / gib
                lines.append("%-12s %-8s %9.1f %9.1f %6.2f  %9.2f %9.2f %6.2f"
                             "  %7.2f %6.2f %4.1f/%4.1f" %
                             (r["set"], step, tp, rtp, ratio(tp, rtp), mc, rc,
                              ratio(mc, rc), m["ds_cpu"] / gib,
                              m["self_cpu"] / gib, m["swift_cpu"] / gib,
                              q["swift_cpu"] / gib))
                verdict.append("%s %s: throughput %.2fx rclone (target >= 0.8: %s),"
                               " CPU/GiB %.2fx rclone (target <= 0.5: %s)" %
                               (r["set"], step, ratio(tp, rtp),
                                "PASS" if ratio(tp, rtp) >= 0.8 else "MISS",
                                ratio(mc, rc),
                                "PASS" if ratio(mc, rc) <= 0.5 else "MISS"))
            else:
                lines.append("%-12s %-8s %9.1f %9s %6s  %9.2f %9s %6s  %7.2f"
                             " %6.2f %4.1f" %
                             (r["set"], step, tp, "-", "-", mc, "-", "-",
                              m["ds_cpu"] / gib, m["self_cpu"] / gib,
                              m["swift_cpu"] / gib))
    for r in results:
        if r["offload"].get("ds_calls") is not None:
            lines.append("%-12s data-server control calls per file: offload %.1f, "
                         "release %.1f, recall %.1f" %
                         ((r["set"],) + tuple(r[s]["ds_calls"] / r["files"]
                                              for s in ("offload", "release",
                                                        "recall"))))
    lines += ["", "first byte of a cold file (median of %d): strata READ "
              "through the MDS vs `rclone cat --count 1` (process start "
              "included) and a raw ranged GET (curl)" % FIRST_BYTE_N]
    for r in results:
        f = r["first_byte"]
        lines.append("%-12s strata %8.1f ms (DELAYs %s)  rclone %7.1f ms  "
                     "ratio %5.2f  curl GET %6.1f ms" %
                     (r["set"], f["strata"] * 1e3, f["delays"],
                      f["rclone"] * 1e3, ratio(f["strata"], f["rclone"]),
                      f["curl"] * 1e3))
        lines.append("%-12s strata %8.1f ms (DELAYs %s) reading in the "
                     "middle of the file instead" %
                     (r["set"], f["middle"] * 1e3, f["middle_delays"]))
    lines += ["", "targets (issue 16): throughput >= 0.8x rclone, CPU per GiB "
              "<= 0.5x rclone"] + verdict
    return "\n".join(lines) + "\n"


def main():
    os.makedirs(args.out, exist_ok=True)
    s = raw41.session(args.server, EXCHGID4_FLAG_USE_PNFS_MDS, "bench-tier")
    results = [one_set(s, *st) for st in SETS]
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    t = table(results)
    with open(os.path.join(args.out, "table.txt"), "w") as f:
        f.write(t)
    print(t, end="")
    return 0


sys.exit(main())
