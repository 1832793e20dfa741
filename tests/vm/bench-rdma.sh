#!/bin/bash
# tests/vm/bench-rdma.sh [--build BUILD] [--out DIR] [--mem MB] [--size MiB]
#                        [--secs S] [--no-profile] [--profile-mb MiB] [--quick]
#                        [--timeout S]
#
# The NFS-over-RDMA benchmark (issue 17, acceptance 7), by hand, not CI:
# one qemu VM (TCG) brings up Soft-RoCE and, in turn, serves over
# RPC-over-RDMA with (a) strata-mds alone, (b) strata-mds + 2 strata-ds
# (pNFS over RDMA), (c) the kernel's nfsd on a tmpfs export; the stock
# 6.1 client mounts each with vers=4.1,proto=rdma and runs a sequential
# write and read of SIZE MiB (read back checked by sha256) and 4 KiB random
# reads (fio, O_DIRECT, iodepth 1 and 16). Guest side and the measures:
# tests/vm/guest/bench-rdma.sh. Prints a table (throughput, latency,
# server CPU per byte or op, Strata/knfsd ratios, which RPC-over-RDMA chunks
# carried the data) to stdout and OUT/table.txt; with profiling, perf
# reports of the servers during the sequential passes in OUT/profile-*.txt.
#
#   --build BUILD  build dir (default build-release; make it with
#                  cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release)
#   --out DIR      artefacts (default /tmp/strata-rdmabench-<time>)
#   --mem MB       guest RAM (default 4096; >= 3072 for --size 256: the
#                  file, its read-back copy and the servers' tmpfs are RAM)
#   --size MiB     sequential file size (default 256)
#   --secs S       seconds per random-read run (default 20)
#   --no-profile   skip the perf passes
#   --profile-mb M the file size of the profiled passes (default 32; perf
#                  with DWARF call graphs slows TCG about tenfold)
#   --quick        --size 16 --secs 3 --profile-mb 8 (a check that it works)
#   --timeout S    whole-VM limit (default 2400)
# Exit: 0 table made and every phase passed, 1 a phase failed, 2 no result
# from the VM, 3 setup error.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$ROOT/build-release; OUT=""; MEM=4096; SIZE=256; SECS=20; PROFILE=1; PMB=32; TIMEOUT=2400
usage() { sed -n '2,31p' "$0"; exit 3; }
while [ $# -gt 0 ]; do
  case "$1" in
    --build) BUILD=$(cd "$2" && pwd) || usage; shift 2;;
    --out) OUT=$2; shift 2;;
    --mem) MEM=$2; shift 2;;
    --size) SIZE=$2; shift 2;;
    --secs) SECS=$2; shift 2;;
    --no-profile) PROFILE=0; shift;;
    --profile-mb) PMB=$2; shift 2;;
    --quick) SIZE=16; SECS=3; PMB=8; shift;;
    --timeout) TIMEOUT=$2; shift 2;;
    -h|--help) usage;;
    *) echo "bench-rdma: unknown argument $1" >&2; usage;;
  esac
done
for b in nfsd/strata-mds nfsd/strata-ds tools/strata-stat; do
  [ -x "$BUILD/$b" ] || { echo "bench-rdma: no $BUILD/$b (build first)" >&2; exit 3; }
done
for t in fio jq perf; do
  command -v $t > /dev/null || { echo "bench-rdma: no $t (scripts/install-deps.sh; perf: linux-perf)" >&2; exit 3; }
done
CACHE=${STRATA_VM_CACHE:-/var/tmp/strata-vmcache}
[ -f "$CACHE/env" ] || "$HERE/prepare.sh" "$CACHE" || { echo "bench-rdma: VM cache" >&2; exit 3; }
[ -n "$OUT" ] || OUT=/tmp/strata-rdmabench-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
others=$(pgrep -c qemu-system || true)
t0=$(date +%s)
STRATA_VM_CACHE=$CACHE "$HERE/run.sh" --no-net-fwd --timeout "$TIMEOUT" --out "$OUT" --mem "$MEM" --quiet \
  --env STRATA_ROOT="$ROOT" --env STRATA_BUILD="$BUILD" --env SIZE_MB="$SIZE" \
  --env RR_SECS="$SECS" --env PROFILE="$PROFILE" --env PROFILE_MB="$PMB" "$HERE/guest/bench-rdma.sh"
rc=$?
wall=$(( $(date +%s) - t0 ))
others_end=$(pgrep -c qemu-system || true)  # ours has exited
echo "bench-rdma: phases:"; grep -a '^VMTEST PHASE' "$OUT/console.log" 2>/dev/null | tr -d '\r' | sed 's/^/  /'
[ -s "$OUT/results.tsv" ] || { echo "bench-rdma: no results (exit $rc), see $OUT/console.log"; exit 2; }

# ---- the table
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)
{
  echo "== NFSv4.1 over RDMA in the test VM ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo "host:    $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), qemu TCG; other qemu processes at start: $others, at end: $others_end"
  echo "guest:   $(tr '\n' ' ' < "$OUT/guest-info.txt")"
  echo "strata:  commit $commit, $(basename "$BUILD"); client: stock Linux 6.1, vers=4.1,proto=rdma, Soft-RoCE (rdma_rxe on eth0)"
  echo
  awk -F'\t' -v hz="$(awk '$1 == "clk_tck" {print $2}' "$OUT/guest-info.txt")" '
    function cpu_ms(t) { return t * 1000 / hz }
    {
      if ($2 == "idle") { idle[$1] = cpu_ms($4) / $3 / 10; next }  # percent of one CPU
      c = $1; w = $2; k = c SUBSEP w; secs[k] = $3; st[k] = $4; gt[k] = $5; by[k] = $6; ops[k] = $7; lat[k] = $8; xd[k] = $9
      if (!(w in seenw)) { seenw[w] = 1; wl[++nw] = w }
      if (!(c in seenc)) { seenc[c] = 1; cs[++nc] = c }
    }
    END {
      printf "%-7s %-12s %10s %9s %10s %12s %12s\n", "server", "workload", "MB/s|IOPS", "lat us", "srv CPU s", "srv CPU/unit", "guest CPU/unit"
      for (i = 1; i <= nc; i++) for (j = 1; j <= nw; j++) {
        k = cs[i] SUBSEP wl[j]; if (!(k in secs)) continue
        if (wl[j] ~ /^seq/) { thr[k] = by[k] / 1e6 / secs[k]; unit = 1e6 / 1e3;  # ms per MB
          su[k] = cpu_ms(st[k]) / (by[k] / 1e6); gu[k] = cpu_ms(gt[k]) / (by[k] / 1e6); uname = "ms/MB" }
        else { thr[k] = ops[k] / secs[k]; su[k] = cpu_ms(st[k]) * 1000 / ops[k]; gu[k] = cpu_ms(gt[k]) * 1000 / ops[k]; uname = "us/op" }
        printf "%-7s %-12s %10.1f %9.0f %10.2f %6.2f %-5s %6.2f %-5s\n", cs[i], wl[j], thr[k], lat[k], cpu_ms(st[k]) / 1000, su[k], uname, gu[k], uname
      }
      printf "\nservers idle with the mount up (background CPU, %% of one CPU):"
      for (i = 1; i <= nc; i++) printf " %s %.1f%%", cs[i], idle[cs[i]]
      print "\n"
      print "ratios, same run (throughput: higher is better for Strata; CPU: Strata/knfsd, lower is better for Strata)"
      printf "%-7s %-12s %10s %12s %14s\n", "server", "workload", "thr S/K", "srv CPU S/K", "guest CPU S/K"
      for (i = 1; i <= nc; i++) { if (cs[i] == "knfsd") continue
        for (j = 1; j <= nw; j++) { k = cs[i] SUBSEP wl[j]; r = "knfsd" SUBSEP wl[j]
          if (!(k in secs) || !(r in secs)) continue
          printf "%-7s %-12s %9.2fx %11.2fx %13.2fx\n", cs[i], wl[j], thr[k] / thr[r], (su[r] > 0 ? su[k] / su[r] : 0), (gu[r] > 0 ? gu[k] / gu[r] : 0) } }
      print ""
      print "mount rdma xprt deltas (sends read_chunks write_chunks reply_chunks rdma_req_bytes rdma_reply_bytes)"
      print "(the MDS connection only: pNFS data-server traffic is on other transports, see counters-pnfs.txt)"
      for (i = 1; i <= nc; i++) for (j = 1; j <= nw; j++) { k = cs[i] SUBSEP wl[j]; if (k in secs) printf "%-7s %-12s %s\n", cs[i], wl[j], xd[k] }
    }' "$OUT/results.tsv"
  echo
  echo "server counters (deltas per workload):"
  cat "$OUT"/counters-*.txt 2>/dev/null | grep 'server counter' | sed 's/^/  /'
  echo
  echo "connection parameters:"
  cat "$OUT"/params-*.txt 2>/dev/null | sort -u | sed 's/^/  /'
} | tee "$OUT/table.txt"

# ---- profiles (perf report on the host: same binaries, the guest's kallsyms)
if [ "$PROFILE" = 1 ]; then
  for f in "$OUT"/perf-*.data; do
    [ -s "$f" ] || continue
    b=$(basename "$f" .data)
    perf report -i "$f" --kallsyms "$OUT/kallsyms" --stdio --no-children --sort comm,dso,sym \
      --percent-limit 0.5 -g none 2> /dev/null > "$OUT/profile-${b#perf-}.txt"
    perf report -i "$f" --kallsyms "$OUT/kallsyms" --stdio --no-children --sort sym \
      --percent-limit 2 -g caller,0.5,callee,function,percent 2> /dev/null > "$OUT/profile-${b#perf-}-graph.txt"
  done
  echo "bench-rdma: profiles in $OUT/profile-*.txt"
fi
echo "bench-rdma: exit=$rc wall=${wall}s out=$OUT"
exit $rc
