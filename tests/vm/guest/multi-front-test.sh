#!/bin/bash
# Guest script: two stock NFSv4.1 clients on two nodes of a Strata
# cluster (issue 15; docs/decisions/0024), for each cluster of CLUSTERS.
# Client A mounts node A at $VMTEST_SERVER_IP:A_PORT, client B node B at
# $B_IP:B_PORT from its own UTS namespace (another hostname, so another
# client owner string). In a cluster "one", the namespace and the
# per-file state live at a third node, the owner, and every operation
# after SEQUENCE is forwarded there; in a cluster "spread" each of three
# nodes owns a partition, so one directory's entries and their files'
# state are spread over all three.
#   1. mounts; two distinct nfs_clients
#   2. A makes NFILES files of known bytes and NDIRS directories in one
#      directory (through front A); caches dropped; B lists it exactly and
#      reads every file with A's sha256 (through front B)
#   3. a POSIX lock A holds (fcntl, through front A) blocks B (through front
#      B: F_SETLK fails) until A releases it; then B gets it
#   4. a read delegation A holds is recalled when B writes the file (the
#      owner recalls through front A's back channel); A then reads B's data,
#      and A's mountstats count a DELEGRETURN
# In a cluster labelled "spread" A makes SPREAD_NFILES (2,000) files and
# SPREAD_NDIRS (200) directories, and asks the host (`host entries`,
# tests/vm/hostreq.sh) whether each node holds a third of the entries,
# within 20% (issue 15, acceptance 2). Its nodes hand out pNFS file layouts
# over two data servers (decision 0036), so in "spread" also:
#   5. A writes NBIG 1 MiB files through front A, B reads them through its
#      own layouts (both mounts use the files layout driver and asked for
#      the device); A keeps them open while B truncates each to 4 KiB
#      through front B: the owners recall A's layouts through front A
#      (the host finds the recalls in the logs), and A then sees 4 KiB of
#      its bytes.
# Each phase name ends in -LABEL. Env: CLUSTERS ("LABEL:A_PORT:B_PORT
# ..."; default "one:$A_PORT:$B_PORT"), B_IP (default 10.0.2.101),
# NFILES (default 120), NDIRS (default 20), SPREAD_NFILES, SPREAD_NDIRS,
# NBIG (default 8).
source "$VMTEST_HARNESS/guest/lib.sh"
A_IP=$VMTEST_SERVER_IP; B_IP=${B_IP:-10.0.2.101}
CLUSTERS=${CLUSTERS:-one:${A_PORT:?}:${B_PORT:?}}
NFILES=${NFILES:-120}; NDIRS=${NDIRS:-20}
SPREAD_NFILES=${SPREAD_NFILES:-2000}; SPREAD_NDIRS=${SPREAD_NDIRS:-200}
NBIG=${NBIG:-8}

# A: NFILES files of distinct sizes and random bytes, NDIRS directories,
# from one process (a process per file costs ~0.3 s under TCG); their
# sha256 in /tmp/a.sha (sha256sum -c format), their names in /tmp/a.list.
MAKE_TREE='
import hashlib, os, sys
top, nfiles, ndirs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.mkdir(top)
with open("/tmp/a.sha", "w") as sums:
    for i in range(1, nfiles + 1):
        data = os.urandom(i * 97 % 8192 + 1)
        with open(os.path.join(top, "f%d" % i), "wb") as f:
            f.write(data)
        sums.write("%s  f%d\n" % (hashlib.sha256(data).hexdigest(), i))
for i in range(1, ndirs + 1):
    os.mkdir(os.path.join(top, "d%d" % i))
'
make_tree() { # make_tree FILES DIRS
  python3 -c "$MAKE_TREE" "$MA/$T" "$1" "$2" && sync &&
    ls -A "$MA/$T" | sort > /tmp/a.list
}
b_lists() {
  ls -A "$MB/$T" | sort > /tmp/b.list
  echo "A made $(wc -l < /tmp/a.list) names, B lists $(wc -l < /tmp/b.list)"
  diff /tmp/a.list /tmp/b.list
}
b_reads() { (cd "$MB/$T" && sha256sum --quiet -c /tmp/a.sha); }

# fcntl locks from python3 (the host userland): A holds one until told.
LOCKER='
import fcntl, os, sys, time
f = open(sys.argv[1], "r+")
fcntl.lockf(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").write("held\n")
open(sys.argv[3]).read()          # blocks until the fifo is written
fcntl.lockf(f, fcntl.LOCK_UN)
'
TRYLOCK='
import fcntl, sys
f = open(sys.argv[1], "r+")
try:
    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
except OSError as e:
    print("B: lock refused (%s)" % e.strerror); sys.exit(1)
print("B: lock granted"); sys.exit(0)
'
WAITLOCK='
import fcntl, signal, sys
signal.alarm(int(sys.argv[2]))
f = open(sys.argv[1], "r+")
fcntl.lockf(f, fcntl.LOCK_EX)
print("B: lock granted after A released it")
'
a_locks() {
  echo x > "$MA/$T/lockf" && sync
  rm -f /tmp/release /tmp/held; mkfifo /tmp/release
  python3 -c "$LOCKER" "$MA/$T/lockf" /tmp/held /tmp/release &
  LOCKER_PID=$!
  for _ in $(seq 1 300); do [ -s /tmp/held ] && return 0; sleep 0.1; done
  return 1
}
b_denied() { ! python3 -c "$TRYLOCK" "$MB/$T/lockf"; }
a_releases() { echo go > /tmp/release; wait "$LOCKER_PID"; }
b_gets() { python3 -c "$WAITLOCK" "$MB/$T/lockf" 60; }

# pNFS through the fronts (5. above). The files are many so that some
# belong to another node than front A (each lands on hash(dir, name)).
a_writes_big() {
  local i
  for ((i = 1; i <= NBIG; i++)); do head -c 1048576 /dev/urandom > "/tmp/big$i"; done
  for ((i = 1; i <= NBIG; i++)); do cp "/tmp/big$i" "$MA/$T/big$i" || return 1; done
  sync
}
b_reads_big() {
  local i
  for ((i = 1; i <= NBIG; i++)); do cmp "/tmp/big$i" "$MB/$T/big$i" || return 1; done
}
uses_layouts() { # uses_layouts MNT: the files layout driver, a device asked for
  local s g
  s=$(awk -v m="$1" '$1=="device" {p = ($5 == m)} p' /proc/self/mountstats)
  g=$(opcount "$1" GETDEVICEINFO)
  echo "$1: $(grep -o 'pnfs=[A-Z0-9_]*' <<< "$s") GETDEVICEINFO=${g:-0} LAYOUTGET=$(opcount "$1" LAYOUTGET)"
  grep -q 'pnfs=LAYOUT_NFSV4_1_FILES' <<< "$s" && [ "${g:-0}" -gt 0 ]
}
b_truncates_while_a_reads() {
  local i fds=()
  for ((i = 1; i <= NBIG; i++)); do
    exec {fd}< "$MA/$T/big$i"; fds+=("$fd")
    head -c 65536 <&"$fd" > /dev/null   # A reads through its layout
  done
  for ((i = 1; i <= NBIG; i++)); do truncate -s 4096 "$MB/$T/big$i" || return 1; done
  for fd in "${fds[@]}"; do exec {fd}<&-; done
}
a_sees_truncated() {
  local i
  for ((i = 1; i <= NBIG; i++)); do
    # cmp opens it (close-to-open: the size is asked again)
    head -c 4096 "/tmp/big$i" > /tmp/want
    cmp /tmp/want "$MA/$T/big$i" || return 1
    [ "$(stat -c %s "$MA/$T/big$i")" = 4096 ] || { echo "big$i: $(stat -c %s "$MA/$T/big$i") bytes at A"; return 1; }
  done
}

# one_cluster LABEL A_PORT B_PORT: every check above on that cluster.
one_cluster() {
  local L=$1 AP=$2 BP=$3
  MA=/mnt/a-$L; MB=/mnt/b-$L; T=fronts-$L-${VMTEST_UUID:0:8}
  mkdir -p "$MA" "$MB"
  must mount-a-$L mount -t nfs4 -o "vers=4.1,port=$AP" "$A_IP:/" "$MA"
  must mount-b-$L unshare --uts sh -c "hostname client-b-$L-$VMTEST_UUID; mount -t nfs4 -o vers=4.1,port=$BP $B_IP:/ $MB"
  grep " $MA \| $MB " /proc/mounts
  must distinct-clients-$L bash -c "[ \$(grep -c '^v4 ' /proc/fs/nfsfs/servers) -ge 2 ]"
  cat /proc/fs/nfsfs/servers
  if [ "$L" = spread ]; then
    must a-makes-tree-$L make_tree "$SPREAD_NFILES" "$SPREAD_NDIRS"
    phase entries-per-node-$L host entries
  else
    must a-makes-tree-$L make_tree "$NFILES" "$NDIRS"
  fi
  must drop-caches-$L bash -c "sync; echo 3 > /proc/sys/vm/drop_caches"
  must b-lists-exactly-$L b_lists
  phase b-reads-sha256-$L b_reads
  must a-locks-$L a_locks
  phase b-denied-while-held-$L b_denied
  must a-releases-$L a_releases
  phase b-gets-lock-$L b_gets
  # A opens read-only and keeps the file open while B writes: the read
  # delegation is what lets A cache; its recall must invalidate that cache.
  must a-write-v1-$L bash -c "echo v1 > $MA/$T/g && sync"
  exec 7< "$MA/$T/g"
  phase a-read-v1-$L bash -c "[ \"\$(cat <&7)\" = v1 ]"
  phase b-write-v2-$L bash -c "echo v2 > $MB/$T/g && sync"
  exec 7<&-
  phase a-read-v2-$L bash -c "[ \"\$(cat $MA/$T/g)\" = v2 ]"
  dr=$(opcount "$MA" DELEGRETURN)
  echo "client A ($L): DELEGRETURN=${dr:-0} OPEN=$(opcount "$MA" OPEN)"
  phase a-returned-delegation-$L bash -c "[ ${dr:-0} -ge 1 ]"
  if [ "$L" = spread ]; then
    must a-writes-big-$L a_writes_big
    phase b-reads-big-$L b_reads_big
    phase a-uses-layouts-$L uses_layouts "$MA"
    phase b-uses-layouts-$L uses_layouts "$MB"
    phase b-truncates-while-a-reads-$L b_truncates_while_a_reads
    phase a-sees-truncated-$L a_sees_truncated
  fi
  awk '/^device .* nfs4 /{p=1} /^device /&&!/ nfs4 /{p=0} p' /proc/self/mountstats > "/vmout/mountstats-fronts-$L.txt"
  # everything goes again (names on every node, the directory's owner
  # counting them down), then the directory: empty by then
  phase rm-tree-$L rm -rf "${MA:?}/$T"
  phase tree-gone-$L bash -c "[ ! -e $MB/$T ]"
  must umount-$L bash -c "umount $MA && umount $MB"
}

must modprobe modprobe -a sunrpc nfs nfsv4 nfs_layout_nfsv41_files
for c in $CLUSTERS; do
  IFS=: read -r label ap bp <<< "$c"
  one_cluster "$label" "$ap" "$bp"
done
verdict
