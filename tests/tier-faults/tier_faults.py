#!/usr/bin/python3
"""tests/tier-faults/tier_faults.py -- the object tier under faults, against
a real S3 server (issue 16, acceptance 4, host side).

    tier_faults.py --server HOST:PORT --strata CLI --fsck FSCK --dir DIR --local STRATA_LOCAL
                   --endpoint URL --bucket B --netrc FILE --swift SWIFT_SH --swift-dir D
                   [--rounds N] [--seed S] [--big] [--pynfs DIR]

Against MDS + 2 data servers started by scripts/strata-local with --tier
s3:URL/B (tests/tier-faults.sh), the bucket on OpenStack Swift (s3api)
started by tests/s3/swift.sh. Files are written through the MDS with a
raw NFSv4.1 client; the tier's steps go through the admin CLI.

  0. calibration: the MDS started with --failpoint tier-step:0 logs every
     step of each request (nfsd/tier_failstep.h: a call of the tier engine
     to the object store, the data servers or the namespace); an offload,
     a release and a recall of each file give each job's steps.
  a. ROUNDS crash rounds. Each picks a job (offload, release or recall of
     one file) and a point in it: "before step N" (the MDS started with
     --failpoint tier-step:N exits, status 137, right before that call)
     or "after the last step" (N = steps + 1: the job committed, its
     answer never sent), or, for a "timed" round, an outside SIGKILL a
     seeded random time into the job. The schedule first covers every
     kind of step of every job (the first and the last of a run of the
     same call: the first and last read of an upload, the first and last
     GET and write of a recall), shuffled by the seed, then picks at
     random. Each round: the file is brought to the job's starting state
     (by hand, the MDS without failpoint), the MDS is SIGKILLed and
     started with the failpoint, the job is asked for; once the MDS is
     gone strata-fsck (which checks the tier's invariants) must find the
     crash image clean; the MDS starts again and gives the left job up;
     then every file is LOCAL or BOTH with all its bytes on the data
     servers, or BOTH or OFFLOADED with its object in the bucket whose
     sha256 (by the independent client, curl) is the file's, no job
     left; and every file reads back its exact bytes through the MDS
     (READs retried through DELAY).
  b. the S3 server stopped during an offload: a 17 MiB file (a multipart
     upload) picked by a policy rule (idle 1 s, released 1 s after its
     offload); the proxy is SIGKILLed once the upload has begun (its
     first part being read, the upload created); the offload fails and is
     tried again by the policy's later passes (each retried request in
     the log, the failures in `strata tier status`), the file stays LOCAL
     with all its bytes on the data servers; a release of a BOTH file is
     refused meanwhile and it keeps its copy; the proxy started again,
     the offload completes, the file is released, and its object's
     sha256 by curl is the file's.
  c. with the proxy stopped again, a READ of the offloaded file answers
     NFS4ERR_DELAY and goes on waiting; the proxy back, the READs
     complete with the exact bytes.
  z. the orphan collector (the cluster runs with tier_gc_interval and
     tier_gc_grace of 1 s): an object of the tier's form that nothing
     names (put with curl) is deleted, the bucket's listing (curl) comes
     to hold exactly the objects the live files' residency names, and no
     multipart upload is left unfinished (curl's ListMultipartUploads:
     the upload (b) cut, whose abort failed while S3 was down, is
     aborted by the collector).

Prints PASS/FAIL per check, a summary of the rounds (the seed, each
round's job and point, the steps hit) and "N passed, N failed". Exit 0 all
passed, 1 a check failed, 2 setup error.
"""
import argparse
import os
import random
import re
import subprocess
import sys
import time

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--server", required=True)
ap.add_argument("--strata", required=True)
ap.add_argument("--fsck", required=True)
ap.add_argument("--dir", required=True)
ap.add_argument("--local", required=True)
ap.add_argument("--endpoint", required=True)
ap.add_argument("--bucket", required=True)
ap.add_argument("--netrc", required=True)
ap.add_argument("--swift", required=True, help="tests/s3/swift.sh")
ap.add_argument("--swift-dir", required=True)
ap.add_argument("--rounds", type=int, default=24)
ap.add_argument("--seed", type=int, default=None)
ap.add_argument("--big", action="store_true", help="a 64 MiB + 4321 file too (multipart)")
ap.add_argument("--skip-outage", action="store_true", help="rounds and collector only")
ap.add_argument("--pynfs", default=os.environ.get("PYNFS_DIR", ""))
args = ap.parse_args()
sys.dont_write_bytecode = True          # no __pycache__ in the checkout
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import raw41  # noqa: E402
raw41.load(args.pynfs, "tier-faults")
from tf_cluster import Cluster, Bucket, SetupError, sha, sname  # noqa: E402
from xdrdef.nfs4_const import NFS4ERR_DELAY  # noqa: E402

MIB = 1 << 20
PREFIX = "strata/v1/"
results = []


def check(cid, what, ok, got=""):
    results.append(bool(ok))
    print("%s %s %s%s" % ("PASS" if ok else "FAIL", cid, what,
                          "" if ok else ": got %s" % (got,)), flush=True)


c = Cluster(args)
bucket = Bucket(args.endpoint, args.bucket, args.netrc)
seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(3), "big")
rng = random.Random(seed)
print("tier-faults: seed %d (--seed %d repeats this run), %d rounds" % (seed, seed, args.rounds),
      flush=True)

FILES = {"tf-a": 5000, "tf-b": MIB + 17, "tf-c": 3 * MIB + 123}
if args.big:
    FILES["tf-big"] = 64 * MIB + 4321
data = {n: random.Random(seed * 31 + i).randbytes(s) for i, (n, s) in enumerate(FILES.items())}
want = {n: sha(d) for n, d in data.items()}
# what each job starts from and the step that gets it there from each state
START = {"offload": "local", "release": "both", "recall": "offloaded"}
STEP_RE = r"failpoint tier-step: (\w+) of fileid ([0-9a-f]+) (?:exiting before )?step (\d+) ([\w.]+)"


def state(name):
    return c.residency("/" + name)["state"]


def residencies():
    """{name: residency} of every file, in one CLI call."""
    return dict(zip(FILES, c.residency(*["/" + n for n in FILES])))


def bring(name, target):
    """NAME into state TARGET by hand (the MDS without a failpoint)."""
    for _ in range(4):
        st = state(name)
        if st == target:
            return
        if target == "local":
            # the same byte written back: the file changes (its object is
            # dropped, a delete record), its bytes stay
            c.write(name, data[name][:1], create=False)
            continue
        verb = {"local": "offload", "offloaded": "recall"}[st] if target == "both" \
            else ("offload" if st == "local" else "release")
        rc, _, err = c.step(verb, "/" + name)
        if rc != 0:
            raise SetupError("%s of %s: %s" % (verb, name, err))
    raise SetupError("%s did not get to %s (%s)" % (name, target, state(name)))


def steps_logged(text, verb, fileid):
    """[(n, name)] of VERB on FILEID in the failpoint's lines of TEXT."""
    return [(int(m.group(3)), m.group(4)) for m in re.finditer(STEP_RE, text)
            if m.group(1) == verb and int(m.group(2), 16) == fileid]


# ---- 0. calibration ------------------------------------------------------

def calibrate():
    """{(verb, file): [step names]} and {(verb, file): seconds}."""
    c.kill()
    c.start(["--failpoint", "tier-step:0"])
    steps, secs = {}, {}
    for name in FILES:
        bring(name, "local")
        fid = int(c.residency("/" + name)["fileid"], 16)
        for verb in ("offload", "release", "recall"):
            rc, _, err = c.step(verb, "/" + name)
            if rc != 0:
                raise SetupError("calibration %s of %s: %s" % (verb, name, err))
        text = c.log()
        for verb in ("offload", "release", "recall"):
            steps[(verb, name)] = [s for _, s in steps_logged(text, verb, fid)]
            m = re.search(r"tier: %s of fileid %x done in (\d+) ms" % (verb, fid), text)
            secs[(verb, name)] = int(m.group(1)) / 1000 if m else 0.1
    c.keep_log("calibration")
    c.kill()
    c.start()
    for (verb, name), s in sorted(steps.items()):
        print("  %-7s %-6s %2d steps, %.2f s: %s" % (verb, name, len(s), secs[(verb, name)],
                                                    " ".join(compress(s))), flush=True)
    return steps, secs


def compress(names):
    """"data.read x48" for runs."""
    out, i = [], 0
    while i < len(names):
        j = i
        while j < len(names) and names[j] == names[i]:
            j += 1
        out.append(names[i] + ("" if j - i == 1 else " x%d" % (j - i)))
        i = j
    return out


def kinds(names):
    """The crash points worth a round: N (1-based) of the first and the
    last call of each run of the same call, and len + 1 (after the last
    step); each with its label."""
    pts = {}
    i = 0
    while i < len(names):
        j = i
        while j < len(names) and names[j] == names[i]:
            j += 1
        pts[i + 1] = names[i] + ("" if j - i == 1 else " (first of %d)" % (j - i))
        if j - i > 1:
            pts[j] = names[i] + " (last of %d)" % (j - i)
        i = j
    pts[len(names) + 1] = "end (after the last step)"
    return pts


def schedule(steps, secs):
    """ROUNDS rounds: (verb, file, N or None, delay or None, label)."""
    groups = {}
    for (verb, name), names in sorted(steps.items()):
        for n, label in kinds(names).items():
            key = (verb, re.sub(r" \((first|last) of \d+\)", lambda m: " (" + m.group(1) + ")",
                                label))
            groups.setdefault(key, []).append((verb, name, n, None, label))
    cover = [rng.choice(v) for _, v in sorted(groups.items())]
    rng.shuffle(cover)
    plan = cover[:args.rounds]
    while len(plan) < args.rounds:
        verb, name = rng.choice(sorted(steps))
        names = steps[(verb, name)]
        if rng.random() < 0.5:
            n = rng.randint(1, len(names) + 1)
            plan.append((verb, name, n, None, kinds(names).get(n) or names[n - 1]))
        else:
            d = rng.uniform(0, secs[(verb, name)])
            plan.append((verb, name, None, d, "SIGKILL %.3f s into the job (%.3f s long)" % (
                d, secs[(verb, name)])))
    return plan, len(groups)


# ---- a. the rounds -------------------------------------------------------

def check_files(tag):
    """Every file: a full data copy or a verified object or both, no job
    left; then its exact bytes through the MDS. The states seen."""
    states = {}
    res = residencies()
    for name, size in FILES.items():
        r = res[name]
        st, states[name] = r["state"], r["state"]
        copy_ok = st in ("local", "both") and r["ds_bytes"] == size
        obj_ok = False
        if st in ("both", "offloaded") and r["object_key"]:
            obj_ok = r["tier_bytes"] == size and bucket.sha(r["object_key"]) == want[name]
        ok = {"local": copy_ok, "both": copy_ok and obj_ok, "offloaded": obj_ok}.get(st, False)
        check(tag + "." + name, "%s: %s, %s%s" % (
            name, st, "data-server copy of %d bytes" % r["ds_bytes"] if copy_ok else "no full copy",
            ", object verified by curl" if obj_ok else ""), ok, r)
        check(tag + "." + name + ".job", "%s: no job left after recovery" % name, r["job"] == "",
              r["job"])
    for name, size in FILES.items():
        got = c.read(name, size)
        check(tag + "." + name + ".bytes", "%s reads back its %d bytes (sha256)" % (name, size),
              isinstance(got, bytes) and sha(got) == want[name],
              sname(got) if not isinstance(got, bytes) else len(got))
    return states


def one_round(i, plan_item):
    verb, name, n, delay, label = plan_item
    tag = "a%d" % i
    tt = [time.time()]
    bring(name, START[verb])
    tt.append(time.time())
    fid = int(c.residency("/" + name)["fileid"], 16)
    c.kill()
    c.start(["--failpoint", "tier-step:%d" % (n if n else 0)])
    pid = c.mds_pid()
    t0 = time.time()
    p = c.step_bg(verb, "/" + name)
    if delay is not None:
        # the delay counts from the job's first step (the log polled)
        c.wait_log(r"%s of fileid %x step 1 " % (verb, fid), 30)
        t0 = time.time()
        while time.time() - t0 < delay and p.poll() is None:
            time.sleep(0.002)
        c.kill()
    crashed = c.wait_exit(pid, 120)
    p.wait(timeout=60)
    text = c.log()
    hit = steps_logged(text, verb, fid)
    m = re.search(r"exiting before step (\d+) ([\w.]+)", text)
    e = re.search(r"exiting after its last step (\d+)", text)
    nsteps = len(steps_by[(verb, name)])
    if n is not None and n <= nsteps:
        what = "exited before step %d %s" % (n, m.group(2)) if m else "no exit"
        check(tag + ".hit", "%s of %s: the MDS exited right before step %d (%s)" % (
            verb, name, n, label), crashed and m and int(m.group(1)) == n, (crashed, what))
        point = (verb, re.sub(r" of \d+\)", ")", label), n)
    elif n is not None:
        what = "exited after its last step %s" % (e.group(1) if e else "?")
        check(tag + ".hit", "%s of %s: the MDS exited after its last step (%d), before the "
              "answer" % (verb, name, nsteps), crashed and e and int(e.group(1)) == nsteps
              and p.returncode != 0, (crashed, what, p.returncode))
        point = (verb, "end (after the last step)", n)
    else:
        last = hit[-1] if hit else (0, "(none)")
        what = "killed after step %d %s%s" % (last + (" (the job done)" if p.returncode == 0
                                                       else "",))
        point = (verb, "SIGKILL after %s" % (last[1] if p.returncode else "the end"), last[0])
    c.keep_log("r%d" % i)
    tt.append(time.time())
    if i == 1:
        # the CLI against the MDS down: a clear error, and (ASan build)
        # nothing leaked on that path
        rc, _, err = c.cli("--json", "residency", "/" + name,
                           env={"ASAN_OPTIONS": "detect_leaks=1"})
        check(tag + ".cli", "with the MDS down, `strata --json residency` fails clearly and "
              "leaks nothing", rc == 1 and "Connection refused" in err
              and "LeakSanitizer" not in err, (rc, err[-300:]))
    rc, out = c.fsck()
    check(tag + ".fsck", "strata-fsck of the crash image is clean", rc == 0, out[-400:])
    c.start()
    rec = c.wait_log(r"tier: recovery: (\d+) jobs given up", 30)
    check(tag + ".rec", "the restarted MDS recovered (%s jobs given up)" % (
        rec.group(1) if rec else "?"), rec is not None)
    tt.append(time.time())
    states = check_files(tag)
    tt.append(time.time())
    print("round %d/%d: %s of %s (%d B), %s: %s; recovery gave up %s; now %s; "
          "s: prepare %.1f, crash %.1f, fsck+restart %.1f, check %.1f" % (
              i, args.rounds, verb, name, FILES[name], label, what, rec.group(1) if rec else "?",
              " ".join("%s=%s" % kv for kv in sorted(states.items())),
              *[b - a for a, b in zip(tt, tt[1:])]), flush=True)
    return point


def orphans():
    """z: the collector deletes an orphan; the bucket holds exactly the
    objects the files name."""
    live = {}
    res = residencies()
    if c.cli("residency", "/tf-out")[0] == 0:     # left by an earlier run in DIR
        res["tf-out"] = c.residency("/tf-out")
    for name, r in res.items():
        if r["state"] != "local":
            live[name] = r["object_key"]
    if not live:
        bring("tf-a", "both")
        live["tf-a"] = c.residency("/tf-a")["object_key"]
    k = sorted(live.values())[0]
    head, ver = k.rsplit("-", 1)
    planted = "%s-%016x" % (head, int(ver, 16) + 0x100)
    p = bucket.curl("-f", "-X", "PUT", "--data-binary", "orphan",
                    "%s/%s/%s" % (args.endpoint, args.bucket, planted))
    if p.returncode != 0:
        raise SetupError("PUT %s: %s" % (planted, p.stderr.decode()))
    t0 = time.time()
    keys = ups = None
    ups0 = bucket.uploads(PREFIX)
    while time.time() - t0 < 60:
        keys = sorted(bucket.keys(PREFIX))
        ups = bucket.uploads(PREFIX)
        if keys == sorted(live.values()) and not ups:
            break
        time.sleep(0.5)
    dt = time.time() - t0
    check("z.1", "an orphan put with curl was deleted by the collector (%.1f s)" % dt,
          planted not in (keys or []), keys)
    check("z.2", "the bucket (listed by curl) holds exactly the %d objects the live files' "
          "residency names, no orphan" % len(live), keys == sorted(live.values()),
          (keys, sorted(live.values())))
    aborted = sum(int(n) for n in re.findall(r"unfinished uploads, \d+ orphaned, (\d+) aborted",
                                             c.log()))
    check("z.3", "no multipart upload left unfinished in the bucket (curl; %d when this check "
          "began; %d aborted by the collector, the log says%s)" % (
              len(ups0), aborted, ": the one the outage cut" if not args.skip_outage else ""),
          not ups and (aborted >= 1 or args.skip_outage), (ups, aborted))
    m = re.findall(r"tier: orphan collector: (\d+) objects listed, (\d+) orphans", c.log())
    check("z.4", "the collector logged its pass (%s)" % (m[-1:],), bool(m))


# ---- b, c. the S3 server stopped ------------------------------------------

def proxy(cmd):
    p = subprocess.run([args.swift, "proxy-" + cmd, args.swift_dir], capture_output=True,
                       text=True)
    if p.returncode != 0:
        raise SetupError("swift.sh proxy-%s: %s%s" % (cmd, p.stdout, p.stderr))


def outage():
    name, size = "tf-out", 17 * MIB + 99
    body = random.Random(seed + 7).randbytes(size)
    bring("tf-a", "both")
    c.kill()
    c.start(["--failpoint", "tier-step:0", "--tier-scan-interval", "1",
             "--tier-policy", "/%s access_idle=1 modify_idle=1 release_after=1" % name])
    c.write(name, body)
    fid = int(c.residency("/" + name)["fileid"], 16)
    st0 = c.status()
    m = c.wait_log(r"offload of fileid %x step 3 data\.read" % fid, 60)
    if not m:
        raise SetupError("the policy did not start the offload of %s" % name)
    # SIGKILLed (swift.sh proxy-stop): at once, while the first part is
    # read, before any part is uploaded
    proxy("stop")
    t_down = time.time()
    try:
        # a failure, then the policy's next pass starts the offload again
        t0 = time.time()
        while time.time() - t0 < 60:
            text = c.log()
            fails = len(re.findall(r"tier: offload of fileid %x: " % fid, text))
            tries = len(re.findall(r"offload of fileid %x step 1 " % fid, text))
            if fails >= 1 and tries >= 2:
                break
            time.sleep(0.1)
        r = c.residency("/" + name)
        rc, _, err = c.step("release", "/tf-a")
        ra = c.residency("/tf-a")
        st1 = c.status()
    finally:
        proxy("start")
    text = c.log()
    retried = len(re.findall(r"retrying in", text))
    failed = st1["steps"]["offload"]["failed"] - st0["steps"]["offload"]["failed"]
    check("b.1", "with the S3 proxy stopped mid-upload the offload failed (%d failed in tier "
          "status, %d requests retried with backoff in the log) and was started again by the "
          "policy (%d attempts in %.1f s)" % (failed, retried, tries, time.time() - t_down),
          fails >= 1 and failed >= 1 and tries >= 2 and retried >= 1,
          (fails, failed, tries, retried))
    check("b.2", "nothing was released: the file is local with its %d bytes on the data servers"
          % size, r["state"] == "local" and r["ds_bytes"] == size, r)
    check("b.3", "a release of a BOTH file failed meanwhile and it keeps its data-server copy",
          rc != 0 and ra["state"] == "both" and ra["ds_bytes"] == FILES["tf-a"], (rc, err, ra))
    t0 = time.time()
    while time.time() - t0 < 120:
        r = c.residency("/" + name)
        if r["state"] == "offloaded":
            break
        time.sleep(0.2)
    check("b.4", "the proxy back, the policy's offload completed and released the file "
          "(%.1f s)" % (time.time() - t0), r["state"] == "offloaded" and r["ds_bytes"] == 0, r)
    check("b.5", "its object's sha256 by curl is the file's",
          r["object_key"] and bucket.sha(r["object_key"]) == sha(body), r["object_key"])
    # c. a READ of the offloaded file while the proxy is down waits
    c.session()             # the waits above may have outlived the lease
    proxy("stop")
    try:
        t0 = time.time()
        fh, sid = c.open(name)
        seen = []
        while time.time() - t0 < 3:
            res = c.s.compound([c_op.putfh(fh), c_op.read(sid, 0, 4096)],
                               handle_state_errors=False)
            seen.append(res.status)
            time.sleep(0.1)
        c.close(fh, sid)
    finally:
        proxy("start")
    check("c.1", "with the proxy stopped a READ of the offloaded file answers DELAY (%d times in "
          "3 s), never an error" % len(seen), seen and set(seen) == {NFS4ERR_DELAY},
          [sname(s) for s in set(seen)])
    got = c.read(name, size, retry_s=120)
    check("c.2", "the proxy back, the READs complete with the exact bytes (%.1f s)" % (
        time.time() - t0), isinstance(got, bytes) and sha(got) == sha(body),
          sname(got) if not isinstance(got, bytes) else len(got))


def main():
    global steps_by
    t_all = time.time()
    bucket.create()
    c.session()
    for name in FILES:
        c.write(name, data[name])
    steps_by, secs = calibrate()
    plan, ngroups = schedule(steps_by, secs)
    hit = []
    t0 = time.time()
    for i, item in enumerate(plan, 1):
        hit.append(one_round(i, item))
    dt = time.time() - t0
    kinds_hit = sorted({(v, s) for v, s, _ in hit})
    print("tier-faults: %d rounds in %.0f s (seed %d); %d of %d kinds of crash point covered; "
          "steps hit:" % (len(plan), dt, seed, min(len(plan), ngroups), ngroups))
    for verb in ("offload", "release", "recall"):
        print("  %-7s %s" % (verb, ", ".join("%s" % s for v, s in kinds_hit if v == verb)))
    if not args.skip_outage:
        outage()
    orphans()
    nfail = results.count(False)
    print("tier-faults: %d passed, %d failed (%.0f s)" % (len(results) - nfail, nfail,
                                                        time.time() - t_all))
    return 1 if nfail else 0


import nfs_ops  # noqa: E402
c_op = nfs_ops.NFS4ops()
steps_by = {}
raw41.run(main, "tier-faults", (SetupError, subprocess.CalledProcessError))
