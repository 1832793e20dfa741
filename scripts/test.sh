#!/bin/bash
# scripts/test.sh — install, build and pass every test (what .ci/run calls).
#
#   1. Debian packages (scripts/install-deps.sh)
#   2. build: build/ (debug), build-asan/ (ASan + UBSan), build-release/
#   3. the layering check (tests/layering.sh: no upward #include), unit
#      tests (cmocka via ctest) in both builds, the object tier's s3
#      backend against a real S3 server (tests/s3/run-s3.sh: OpenStack
#      Swift with s3api on 127.0.0.1, about 30 s with its start)
#      and the install (tests/install.sh: cmake --install into a scratch
#      prefix, the systemd units checked by systemd-analyze verify)
#   From step 4 on, two lanes run at once, each in its own order: the host
#   lane (4, 5, the host-only checks of 7, 8, then two VM checks of 7: the
#   object tier and the multi-front clusters, and pynfs's fsck) and the VM
#   lane (6, the other VM checks of 7, the VM server's fsck). Each lane's output
#   goes to $WORK/lane-{host,vm}.log and, marked [host] or [vm], to stdout;
#   the run ends with every step's time per lane. Why: docs/testing.md
#   "CI time".
#   4. libFuzzer smoke of the RPC + COMPOUND decoder and the RPC-over-RDMA
#      header decoder (scripts/fuzz-smoke.sh)
#   5. pynfs 4.1 `all` against the ASan server (expected failures listed
#      in pynfs-conf/expected-failures-4.1.txt, minimum pass count enforced),
#      then the reboot tests with a restart hook
#   6. the stock Linux 6.1 client in a VM against its own server: mount, cthon04,
#      fsx (one seed per mode here, $STRATA_FSX_SEEDS; the suite's default
#      is two), big file, big directory (1,000 entries here,
#      $STRATA_VM_NDIR; the suite's default is 5,000), tar copy
#      (tests/vm/run-posix.sh)
#      pjdfstest, all of it, through the stock client (expected failures
#      with reasons in tests/vm/pjdfstest-expected-failures.txt); a raw
#      client as other users (tests/perm/run-raw-perm.sh);
#      two clients in the VM: a lock with dirty data reclaimed after a
#      server SIGKILL, and the same
#      with the clients on two fronts of a 3-node cluster and the owner
#      killed (tests/vm/run-reclaim.sh [--fronts])
#   7. pNFS (MDS + 3 data servers) in the VM: 256 MiB striped, payload on
#      the wire; layout recall on truncate/rm by a second client, a data
#      server SIGKILLed mid-read, a data server's objects lost (dd gets
#      EIO); NFStest's nfstest_pnfs (8 of its tests); strata-bench smoke;
#      lost objects, a wiped and a replaced data server (tests/data-loss.sh);
#      data generations on real processes (tests/datagen.sh); the object
#      tier in strata-mds (tests/tier-local.sh), its capacity watermarks
#      end to end (tests/tier-watermark.sh), and under faults against
#      a real S3 server: the MDS killed at every step of the tier's jobs,
#      the S3 server stopped during an offload and a read
#      (tests/tier-faults.sh); the object tier with the stock client, a
#      real S3 server and 2 data servers in the VM (tests/vm/run-tier.sh);
#      the admin CLI and Prometheus metrics (tests/admin-metrics.sh; the
#      VM's pNFS faults run lists its client with `strata clients`);
#      pynfs `all` through a second metadata node that forwards everything
#      to the first, a pNFS MDS, and `pnfs` against that one; a client on
#      each node, an owner dying after a commit and under a workload; the
#      rename storm over three owners with random nodes SIGKILLed
#      (tests/multi-mds.sh, tests/multi-mds/storm.sh); two stock clients on two nodes of two 3-node
#      clusters (one owner; three owners) in one VM boot, a read delegation
#      recalled by a writer on each (tests/vm/run-multi-front.sh; the
#      single-node delegation VM test, tests/vm/run-deleg.sh, by hand); NFS over RDMA with
#      the MDS in the VM on Soft-RoCE, then pNFS over RDMA, recalls over
#      its backchannel, the MDS and a data server SIGKILLed and restarted
#      (tests/vm/run-rdma.sh; the POSIX suites over RDMA by hand:
#      run-rdma.sh --suites)
#   8. SIGKILL crash consistency (tests/crash/run-crash.sh)
#   9. fsck of the namespaces the suites left behind (pynfs's; the VM suite and pjdfstest's)
#
# The conformance suites are third-party code fetched outside the project
# (see docs/testing.md); scripts/build-suites.sh builds them from the git
# mirrors in $STRATA_MIRROR (default /work/.mirror). Without them the run
# fails unless STRATA_SKIP_EXTERNAL=1, which skips steps 5-9 loudly.
#
# Env: STRATA_TEST_PORT (base port, default 20700; the VM lane uses it + 1000), STRATA_TEST_DIR
# (scratch, default /tmp/strata-test), STRATA_VM_PHASES (subset of VM phases),
# STRATA_FSX_SEEDS (fsx seeds of the VM suite, default 4242; the second
# seed, 90210, by hand: tests/vm/run-posix.sh --phases 'fsx-*'),
# STRATA_VM_NDIR (entries of the VM suite's big directory, default 1000),
# STRATA_TIER_MANY (files of the tier VM test's storm, default 200),
# STRATA_RDMA_NDIR (entries of the RDMA listing, default 1000; the test's
# own default, 3,000, by hand: tests/vm/run-rdma.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PORT=${STRATA_TEST_PORT:-20700}
WORK=${STRATA_TEST_DIR:-/tmp/strata-test}
JOBS=2
step() { echo; echo "=== $(date +%T) $*"; }

step "dependencies"
scripts/install-deps.sh

step "build (debug)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug > /dev/null
cmake --build build -j$JOBS
step "build (asan+ubsan)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSTRATA_SANITIZE=ON > /dev/null
cmake --build build-asan -j$JOBS

step "build (release: what scripts/bench measures; -O2 finds more warnings)"
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build-release -j$JOBS

step "layering: includes run one way (tests/layering.sh)"
tests/layering.sh
step "unit tests (debug)"
ctest --test-dir build --output-on-failure
step "unit tests (asan+ubsan)"
ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build-asan --output-on-failure
step "object tier: the s3 backend against a real S3 server (Swift s3api; ASan)"
ASAN_OPTIONS=detect_leaks=1 tests/s3/run-s3.sh --build build-asan \
  --port "${STRATA_S3_PORT:-28080}" --dir "${WORK}-s3"
step "install: cmake --install + systemd-analyze verify"
tests/install.sh build

if [ "${STRATA_SKIP_EXTERNAL:-0}" = 1 ]; then
  step "fuzz smoke: RPC + COMPOUND, RPC-over-RDMA headers (libFuzzer, 60 s)"
  scripts/fuzz-smoke.sh "${STRATA_FUZZ_SECONDS:-60}"
  echo "test.sh: STRATA_SKIP_EXTERNAL=1: pynfs and the VM client tests are SKIPPED"
  exit 0
fi

step "conformance suites (build outside the tree; every suite a lane needs, so the lanes only read them)"
scripts/build-suites.sh cthon04 fsx pynfs pjdfstest nfstest

# Two lanes run at once from here (docs/testing.md "CI time"): the VM lane
# keeps qemu busy (TCG, about one host core: the guest waits on its server
# much of the time) and the host lane runs everything that needs no VM,
# then two of the VM checks, so that both cores stay busy to the end.
# Each lane is sequential and has its own ports: the host lane PORT..PORT+299
# (metrics PORT+10000..), the VM lane VPORT = PORT+1000 onwards.
rm -rf "$WORK"; mkdir -p "$WORK"
VPORT=$((PORT + 1000))
HPID=""; VPID=""; TPIDS=()
cleanup() {
  local p
  for p in $HPID $VPID; do kill "$p" 2>/dev/null || true; done
  scripts/strata-local down --dir "$WORK/srv" >/dev/null 2>&1 || true
  scripts/strata-local down --dir "$WORK/vm-srv" >/dev/null 2>&1 || true
}
trap cleanup EXIT

lane_host() {
  step "fuzz smoke: RPC + COMPOUND, RPC-over-RDMA headers (libFuzzer, 60 s)"
  scripts/fuzz-smoke.sh "${STRATA_FUZZ_SECONDS:-60}"

  step "pynfs 4.1 all (server: ASan build)"
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    scripts/strata-local up --dir "$WORK/srv" --port "$PORT" --lease 20 --build build-asan
  scripts/pynfs-run.sh --server 127.0.0.1:$PORT --export / --minorversion 1 \
    --out "$WORK/pynfs" --min-pass "${STRATA_PYNFS_MIN_PASS:-180}" all
  scripts/strata-local status --dir "$WORK/srv" >/dev/null || { echo "server died during pynfs"; tail -50 "$WORK/srv/mds.log"; exit 1; }

  step "pynfs reboot tests (restart hook: scripts/server-reboot-helper)"
  scripts/pynfs-reboot.sh --port $((PORT + 20)) --dir "$WORK/reboot" --build build-asan --lease 5

  step "permission checks with a raw client as other users (ASan; MDS alone and with 2 data servers)"
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    tests/perm/run-raw-perm.sh --build build-asan --port $((PORT + 100))
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    tests/perm/run-raw-perm.sh --build build-asan --port $((PORT + 100)) --data-servers 2

  step "the pNFS test's byte counter (tests/vm/test-pcap-bytes.sh: synthetic captures, a live one on lo)"
  tests/vm/test-pcap-bytes.sh --port $((PORT + 90))

  step "strata-bench smoke: every workload at a tiny size, pNFS and MDS-only (ASan)"
  tests/bench-smoke.sh --build build-asan --port $((PORT + 70))

  step "lost data objects: a data server's objects deleted, its directory wiped, replaced (ASan)"
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    tests/data-loss.sh --build build-asan --port $((PORT + 95))

  step "data generations: a copy at g+1 beside g, a stale generation refused, a drop of g (MDS + 2 data servers, ASan; about 6 s)"
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    tests/datagen.sh --build build-asan --port $((PORT + 98))

  step "object tier in strata-mds: offload, release, recall on access and on OPEN (DELAY, LAYOUTTRYLATER), the MDS SIGKILLed, tier status and metrics, the policy moving an idle file by itself, a failing recall turned into NFS4ERR_IO after its timeout, the orphan collector (MDS + 2 data servers, dir tier, ASan; 60 checks, about 40 s)"
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    tests/tier-local.sh --build build-asan --port $((PORT + 170))

  step "object tier: the policy's capacity watermarks end to end: data servers reporting 7 MiB each (test knob --ds-capacity) filled past the high mark, the passes offload and release the six oldest files by access (a file read since stays), the fill ends below the low mark and stays; strata residency DIR totals and tier status per-state counts (MDS + 2 data servers, dir tier, ASan; the policy waits for a heartbeat after its releases; 11 checks, about 25 s)"
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    tests/tier-watermark.sh --build build-asan --port $((PORT + 175))

  step "object tier under faults against a real S3 server (Swift s3api): the MDS exiting before each step of offload, release and recall (--failpoint tier-step:N) and SIGKILLed at seeded random times, 24 rounds (fsck, bytes, a full copy or a verified object after each), the orphan collector, the S3 proxy SIGKILLed during a multipart offload (retried, nothing released) and during a read (DELAY until it is back) (MDS + 2 data servers, ASan; seed printed, about 3-4 min with Swift's start)"
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    tests/tier-faults.sh --build build-asan --port $((PORT + 180)) --dir "$WORK/tier-faults"

  step "operations: strata status/clients/top/exports, promtool, a real Prometheus, a metrics flood (ASan)"
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    tests/admin-metrics.sh --build build-asan --port $((PORT + 105))

  step "two metadata nodes: pynfs all through a front whose owner is a pNFS MDS with 2 data servers, pnfs flags on the owner, a client on each node, strata-bench; three owners: cross-node renames and links, owners killed at every 2PC step; the storm: a random node of three SIGKILLed every 5-15 s under three clients for 60 s; layouts and the object tier from every owner (ASan)"
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    tests/multi-mds.sh --build build-asan --port $((PORT + 50)) --dir "$WORK/multi-mds"

  step "crash consistency: SIGKILL during a workload (ASan server)"
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    tests/crash/run-crash.sh --port $((PORT + 10)) --rounds 3 --build build-asan --dir "$WORK/crash"

  # two VM checks end this lane: once the host-only checks are done, a
  # core is free beside the VM lane's qemu
  step "VM: the object tier with the stock client and a real S3 server: 20 files of 4 KiB-64 MiB offloaded and released (0 bytes on the data servers, objects checked by curl --aws-sigv4), partial and whole reads after drop_caches, reads back through layouts, append/truncate/remove of offloaded files, a read waiting while the S3 proxy is down, the policy moving an idle file the client wrote, 200 offloaded files read at once (ASan; the default 1,000 by hand); where a file ends through layouts (O_DIRECT across holes and ends, small files) and fsx through the layouts on files of up to 4 MiB"
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    tests/vm/run-tier.sh --build build-asan --port $((PORT + 190)) --out "$WORK/tier-vm" --quiet \
    --many "${STRATA_TIER_MANY:-200}"

  step "three metadata nodes, one owner and then three: two stock clients on two nodes in the VM (listing, bytes, a lock, a delegation recall across nodes; ASan)"
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    tests/vm/run-multi-front.sh --build build-asan --port $((PORT + 120)) --dir "$WORK/multi-front" \
      --spread-files "${STRATA_SPREAD_FILES:-1000}"

  step "fsck after pynfs"
  scripts/strata-local down --dir "$WORK/srv"
  build/tools/strata-fsck --dir "$WORK/srv/data/meta"
}

lane_vm() {
  step "stock Linux client in a VM (its own ASan server)"
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    scripts/strata-local up --dir "$WORK/vm-srv" --port "$VPORT" --lease 20 --build build-asan
  tests/vm/run-posix.sh --port "$VPORT" --export / --out "$WORK/vm" \
    --env "FSX_SEEDS=${STRATA_FSX_SEEDS:-4242}" --env "NDIR=${STRATA_VM_NDIR:-1000}" \
    ${STRATA_VM_PHASES:+--phases "$STRATA_VM_PHASES"}
  scripts/strata-local status --dir "$WORK/vm-srv" >/dev/null || { echo "server died during VM test"; tail -50 "$WORK/vm-srv/mds.log"; exit 1; }

  step "pjdfstest, the whole suite, through the stock client in the VM (ASan server)"
  tests/vm/run-pjdfstest.sh --port "$VPORT" --export / --out "$WORK/pjdfstest" --quiet \
    --expected tests/vm/pjdfstest-expected-failures.txt
  scripts/strata-local status --dir "$WORK/vm-srv" >/dev/null || { echo "server died during pjdfstest"; tail -50 "$WORK/vm-srv/mds.log"; exit 1; }

  step "VM: lock + dirty data across a server SIGKILL, reclaim in grace, second client waits"
  tests/vm/run-reclaim.sh --build build-asan --port $((VPORT + 30)) --dir "$WORK/reclaim"

  step "VM: the same on a 3-node cluster, clients on two fronts, the owner SIGKILLed: both reclaim through their fronts (ASan)"
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    tests/vm/run-reclaim.sh --fronts --build build-asan --port $((VPORT + 130)) --dir "$WORK/reclaim-fronts" --quiet

  step "pNFS: MDS + 3 data servers, stock client in the VM, payload on the wire (ASan servers)"
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    tests/vm/run-pnfs.sh --build build-asan --port $((VPORT + 40)) --out "$WORK/pnfs" --quiet

  step "pNFS: layout recall on truncate and rm by a second client, a data server killed mid-read (two clients in the VM, ASan servers)"
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    tests/vm/run-pnfs-faults.sh --build build-asan --port $((VPORT + 60)) --out "$WORK/pnfs-faults" \
    --quiet

  step "NFStest nfstest_pnfs in the VM: basic read and write, and 6 more (MDS + 3 data servers, ASan servers)"
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    tests/vm/run-nfstest-pnfs.sh --build build-asan --port $((VPORT + 80)) --out "$WORK/nfstest-pnfs" \
    --tests read,write,read_write,write_read,read_lock,write_lock,setattr,setattr_lock

  step "NFS over RDMA: the MDS and the stock client in the VM on Soft-RoCE (a bad client, 64 MiB through Read/Write chunks, a 1,000-entry listing through Reply chunks, fsx; pNFS over RDMA, recalls over its backchannel, the MDS and a data server SIGKILLed and restarted; debug build, about 3-4 min)"
  tests/vm/run-rdma.sh --out "$WORK/rdma" --quiet --env "NDIR=${STRATA_RDMA_NDIR:-1000}"

  step "fsck after the VM suite and pjdfstest"
  scripts/strata-local down --dir "$WORK/vm-srv"
  build/tools/strata-fsck --dir "$WORK/vm-srv/data/meta"
}

# run_lane NAME FUNC: FUNC in a subshell with errexit, its output in
# $WORK/lane-NAME.log; its exit status in $WORK/lane-NAME.rc
run_lane() {
  ( set -euo pipefail; "$2"; echo; echo "=== $(date +%T) lane $1 passed" ) > "$WORK/lane-$1.log" 2>&1
}
step "two lanes at once: host ($WORK/lane-host.log) and VM ($WORK/lane-vm.log); their lines below, marked"
run_lane host lane_host & HPID=$!
run_lane vm lane_vm & VPID=$!
tail -n +1 --pid=$HPID -f "$WORK/lane-host.log" 2>/dev/null | sed -u 's/^/[host] /' & TPIDS+=($!)
tail -n +1 --pid=$VPID -f "$WORK/lane-vm.log" 2>/dev/null | sed -u 's/^/[vm] /' & TPIDS+=($!)
HRC=0; VRC=0
wait $HPID || HRC=$?
wait $VPID || VRC=$?
HPID=""; VPID=""
wait "${TPIDS[@]}" 2>/dev/null || true

# step times of each lane (from its "=== HH:MM:SS" lines)
lane_times() {
  awk -v lane="$1" '/^=== [0-9][0-9]:[0-9][0-9]:[0-9][0-9] / {
      split($2, t, ":"); s = t[1] * 3600 + t[2] * 60 + t[3]
      if (n) { d = s - prev; if (d < 0) d += 86400; printf "  %-5s %5d s  %s\n", lane, d, name }
      prev = s; n++; name = substr($0, 14, 90) }' "$WORK/lane-$1.log"
}
echo; echo "=== $(date +%T) step times"
lane_times host; lane_times vm
[ $HRC = 0 ] || echo "test.sh: the host lane FAILED (exit $HRC): $WORK/lane-host.log"
[ $VRC = 0 ] || echo "test.sh: the VM lane FAILED (exit $VRC): $WORK/lane-vm.log"
[ $HRC = 0 ] && [ $VRC = 0 ] || exit 1
echo "test.sh: all passed"
