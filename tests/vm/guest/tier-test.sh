#!/bin/bash
# Guest script (run by tests/vm/run.sh inside the VM, as root): the object
# tier with the stock client (issue 16, acceptance 3 and the VM parts of
# 4). Host side: tests/vm/run-tier.sh (MDS 10.0.2.100:P with two data
# servers at 10.0.2.101-102:2049, an S3 tier on a real S3 server, a policy
# rule "/pol access_idle=6 release_after=1" checked every second).
#
# The host answers requests: the guest writes /vmout/req.N and waits for
# /vmout/ack.N, whose first word is ok or FAIL (see run-tier.sh). Files'
# bytes come from tierdata.py (a function of name and size: nothing is
# kept to compare with). Manifests (/vmout/man-*: "PATH FILEID SIZE
# SHA256") tell the host each file's fileid and sha256.
#
# Phases:
#   mount        vers=4.1 mount; the files layout driver in use
#   write        20 files of 4 KiB to 64 MiB (about 190 MiB) under /T
#                (T = tier-<uuid8>), written through the layouts, fsync
#   offload      the host offloads and releases all 20 (`strata tier`):
#                each offloaded with 0 bytes on the data servers and none
#                in their directories; each object's bytes, fetched by an
#                independent client (curl --aws-sigv4), hash to the file's
#                sha256
#   partial      after drop_caches, preads of the offloaded 64 MiB file at
#                0, 37 MiB + 5 and its last 1,000 bytes: the right bytes
#   read-cold    after drop_caches, every file read whole: exact, no error
#   via-layouts  recalled (state both), the 64 MiB file read again after
#                drop_caches: the data servers served at least its size,
#                the MDS fewer than 8 READs
#   append-trunc three files offloaded and released again: one appended to
#                (1,000 bytes), one cut to 3 MiB + 77, one truncated to 0;
#                after drop_caches each holds exactly what it should
#   remove       a file offloaded and released, removed: its object is
#                deleted from the S3 server (the independent client gets
#                404 within 60 s)
#   s3-down      a 12 MiB file offloaded and released, the S3 proxy
#                killed; a reader of it starts after drop_caches; once the
#                tier counts a failed recall the reader is still waiting
#                (no error); the proxy is started again and the reader
#                ends with the exact bytes
#   policy       /pol/idle and /pol/hot written; /pol/hot touched every
#                second; the policy offloads and releases /pol/idle by
#                itself (the client's layout, kept after CLOSE, recalled
#                by the pass) while /pol/hot stays local; /pol/idle reads
#                back exact
#   storm        MANY (1,000) small files offloaded and released, then
#                read all at once by 64 threads after drop_caches: every
#                one exact, no error
#   holes        where a file ends, read through layouts: files with holes
#                and small files read with O_DIRECT, see tierdata.py holes
#   fsx-pnfs     fsx through the layouts (2 data servers) on files of up
#                to 4 MiB (four stripe units): FSX_OPS (2,000) operations
#                buffered, then as many with O_DIRECT (page-aligned, no
#                mmap), seed FSX_SEED (4242): reads across the end of files
#                and holes, truncates, writes past the end
#   cleanup, umount (always)
# Env: NFS_PORT, PHASES (default: all of the above in order), MANY (1000),
#   FSX_BIN (run-tier.sh passes it), FSX_OPS (2000), FSX_SEED (4242),
#   WAIT_S (900: per host request).
source "$VMTEST_HARNESS/guest/lib.sh"

SERVER=$VMTEST_SERVER_IP PORT=${NFS_PORT:-$VMTEST_PORT}
WAIT_S=${WAIT_S:-900} MANY=${MANY:-1000} FSX_OPS=${FSX_OPS:-2000} FSX_SEED=${FSX_SEED:-4242}
PHASES=${PHASES:-"write offload partial read-cold via-layouts holes fsx-pnfs append-trunc remove s3-down policy storm"}
M=/mnt/a T=tier-${VMTEST_UUID:0:8}
D=$M/$T
TD="python3 $VMTEST_HARNESS/guest/tierdata.py"
MiB=1048576
# name:size of the 20 files: 4 KiB .. 64 MiB, some not a multiple of 4 KiB
FILES=(f01:4096 f02:5000 f03:12288 f04:65536 f05:100000 f06:262144
       f07:1048576 f08:1048577 f09:2097152 f10:3145851 f11:4194304
       f12:5242880 f13:6291463 f14:8388608 f15:9437184 f16:10485760
       f17:12582912 f18:16777216 f19:25165824 f20:67108864)
size_of() { local f; for f in "${FILES[@]}"; do [ "${f%%:*}" = "$1" ] && echo "${f#*:}"; done; }
mkdir -p $M

mkfifo /tmp/snooze.fifo; exec {SNOOZE}<>/tmp/snooze.fifo
snooze() { read -r -t "$1" -u "$SNOOZE"; :; }
fail() { echo "ASSERT: $*"; return 1; }
drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }

# list NAME NAMES...: /vmout/list-NAME holds /T/NAME for each
list() {
  local l=$1 n; shift
  for n in "$@"; do echo "/$T/$n"; done > /vmout/.list-$l && mv /vmout/.list-$l /vmout/list-$l
}
# away NAME NAMES...: offload and release the files, then check them
away() {
  local l=$1; shift
  list "$l" "$@"
  host tier offload "list-$l" && host tier release "list-$l" && host offloaded "list-$l"
}

s_mount() {
  mount -t nfs4 -o "vers=4.1,port=$PORT" "$SERVER:/" $M || return 1
  awk -v m=" $M " '$0 ~ "^device " && index($0, m) {p=1; next} /^device /{p=0} p' /proc/self/mountstats |
    grep -q 'pnfs=LAYOUT_NFSV4_1_FILES' || { fail "the mount does not use the files layout driver"; return 1; }
  mkdir $D
}
s_write() {
  $TD write $D /$T /vmout/man-files "${FILES[@]}" || return 1
  echo "tier: $(wc -l < /vmout/man-files) files, $(awk '{s += $3} END {print s}' /vmout/man-files) bytes"
}
s_offload() {
  local names=() f
  for f in "${FILES[@]}"; do names+=("${f%%:*}"); done
  away all "${names[@]}" && host objects man-files
}
s_partial() {
  local z; z=$(size_of f20)
  drop
  $TD range $D f20 "$z" 0 4096 && $TD range $D f20 "$z" $((37 * MiB + 5)) 100000 &&
    $TD range $D f20 "$z" $((z - 1000)) 1000
}
s_read_cold() { drop; $TD check $D "${FILES[@]}"; }
s_via_layouts() {
  local r0 rb0 dsb0 r1 rb1 dsb1 z; z=$(size_of f20)
  host await-state /$T/f20 both 120 || return 1
  host counters || return 1; read -r r0 rb0 dsb0 <<< "$ANSWER"
  drop
  $TD check $D f20:"$z" || return 1
  host counters || return 1; read -r r1 rb1 dsb1 <<< "$ANSWER"
  echo "tier: second read of f20: MDS READs $r0 -> $r1 (bytes $rb0 -> $rb1), data servers' read bytes $dsb0 -> $dsb1"
  [ $((dsb1 - dsb0)) -ge "$z" ] || { fail "the data servers served $((dsb1 - dsb0)) bytes, not the file's $z"; return 1; }
  [ $((r1 - r0)) -lt 8 ] || { fail "the MDS served $((r1 - r0)) READs of a file back on the data servers"; return 1; }
}
s_append_trunc() {
  away at f12 f14 f05 || return 1
  python3 -c 'import sys; open(sys.argv[1], "ab").write((b"appended!" * 112)[:1000])' $D/f12 || return 1
  truncate -s $((3 * MiB + 77)) $D/f14 || return 1
  truncate -s 0 $D/f05 || return 1
  drop
  $TD expect $D f12 "$(size_of f12)" --append 1000 &&
    $TD expect $D f14 "$(size_of f14)" --cut $((3 * MiB + 77)) &&
    $TD expect $D f05 "$(size_of f05)" --cut 0
}
s_remove() {
  local key
  away rm f07 || return 1
  host key /$T/f07 || return 1; key=$ANSWER
  [ -n "$key" ] && [ "$key" != - ] || { fail "no object key for f07"; return 1; }
  rm $D/f07 || return 1
  host gone "$key"
}
s_s3_down() {
  local pid rc z; z=$(size_of f17)
  away down f17 || return 1
  drop
  host s3-stop || return 1
  $TD check $D f17:"$z" > /tmp/s3-down.log 2>&1 &
  pid=$!
  host await-recall-failed 180 || { host s3-start; return 1; }
  kill -0 $pid 2>/dev/null || { cat /tmp/s3-down.log; host s3-start; fail "the reader ended while the S3 server was down"; return 1; }
  echo "tier: the reader waits while the S3 server is down"
  host s3-start || return 1
  wait $pid; rc=$?
  cat /tmp/s3-down.log
  [ $rc = 0 ] || { fail "the reader failed (rc $rc) after the S3 server came back"; return 1; }
}
s_policy() {
  local tp rc=0
  mkdir -p $M/pol || return 1
  $TD write $M/pol /pol /vmout/man-pol idle:1048576 hot:1048576 || return 1
  ( while [ ! -e /tmp/stop-touch ]; do touch $M/pol/hot; snooze 1; done ) &
  tp=$!
  host await-state /pol/idle offloaded 120 || rc=1
  if [ $rc = 0 ]; then
    host state /pol/hot || rc=1
    [ "$ANSWER" = local ] || { fail "/pol/hot, touched every second, is $ANSWER"; rc=1; }
  fi
  : > /tmp/stop-touch; wait $tp
  [ $rc = 0 ] || return 1
  drop
  $TD check $M/pol idle:1048576
}
s_storm() {
  local i n names=()
  mkdir $D/many || return 1
  $TD many $D/many /$T/many /vmout/man-many "$MANY" || return 1
  for ((i = 0; i < MANY; i++)); do printf -v n 'many/m%04d' $i; names+=("$n"); done
  away many "${names[@]}" || return 1
  drop
  $TD many-check $D/many "$MANY" 64
}
s_holes() { $TD holes-write $D && drop && $TD holes $D; }
fsx_one() { # fsx_one NAME [fsx options]
  local name=$1 wd=/tmp/$1; shift
  mkdir -p "$wd"
  echo "fsx $* -N $FSX_OPS -S $FSX_SEED -P $wd $D/$name"
  "$FSX_BIN" "$@" -N "$FSX_OPS" -S "$FSX_SEED" -P "$wd" "$D/$name" ||
    { cp -a "$wd" "/vmout/$name-artefacts" 2>/dev/null; fail "fsx $name failed (artefacts in /vmout)"; return 1; }
  rm -f "$D/$name"
}
s_fsx_pnfs() {
  [ -x "${FSX_BIN:-}" ] || { fail "FSX_BIN not set or not built (${FSX_BIN:-})"; return 1; }
  # files up to 4 MiB: four stripe units over the two data servers
  fsx_one fsx-pnfs-buf -l 4194304 &&
    fsx_one fsx-pnfs-dio -l 4194304 -Z -R -W -r 4096 -w 4096 -t 4096
}
s_cleanup() { rm -rf $D $M/pol; }
s_umount() { umount $M; }

modprobe nfsv4 2>/dev/null
must mount s_mount
for p in $PHASES; do
  case $p in
    write) must write s_write;;
    offload) must offload s_offload;;
    partial) phase partial s_partial;;
    read-cold) phase read-cold s_read_cold;;
    via-layouts) phase via-layouts s_via_layouts;;
    append-trunc) phase append-trunc s_append_trunc;;
    remove) phase remove s_remove;;
    s3-down) phase s3-down s_s3_down;;
    policy) phase policy s_policy;;
    storm) phase storm s_storm;;
    holes) phase holes s_holes;;
    fsx-pnfs) phase fsx-pnfs s_fsx_pnfs;;
    *) echo "unknown phase $p"; VMTEST_FAILS+=("$p");;
  esac
done
phase cleanup s_cleanup
phase umount s_umount
verdict
