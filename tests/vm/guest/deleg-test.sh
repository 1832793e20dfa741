#!/bin/bash
# Guest script: two NFSv4.1 clients, one delegation recall (issue 3, item 5).
# Client A mounts the server at $VMTEST_SERVER_IP; client B mounts the same
# server through a second guest-visible address (B_IP, forwarded to the same
# host port) from its own UTS namespace with another hostname, so the kernel
# builds a second nfs_client with a distinct client owner string.
#   1. A writes v1 and closes; A opens read-only and reads v1 (the server
#      grants a read delegation: A's mountstats must show OPEN replies with
#      a delegation — checked via DELEGRETURN later).
#   2. B overwrites the file with v2 (its OPEN for write conflicts: the
#      server sends CB_RECALL to A and answers B NFS4ERR_DELAY; A returns the
#      delegation; B's retry succeeds).
#   3. A reads the file again: it must see v2.
#   4. A's mountstats show at least one DELEGRETURN.
# Env: NFS_PORT (default $VMTEST_PORT), B_IP (default 10.0.2.101).
source "$VMTEST_HARNESS/guest/lib.sh"
SERVER=$VMTEST_SERVER_IP; PORT=${NFS_PORT:-$VMTEST_PORT}; B_IP=${B_IP:-10.0.2.101}
MA=/mnt/a; MB=/mnt/b; T=deleg-${VMTEST_UUID:0:8}
mkdir -p $MA $MB

must modprobe modprobe -a sunrpc nfs nfsv4
must mount-a mount -t nfs4 -o "vers=4.1,port=$PORT" "$SERVER:/" $MA
must mount-b unshare --uts sh -c "hostname client-b-$VMTEST_UUID; mount -t nfs4 -o vers=4.1,port=$PORT $B_IP:/ $MB"
grep " $MA \| $MB " /proc/mounts
must distinct-clients bash -c "[ \$(grep -c '^v4 ' /proc/fs/nfsfs/servers) -ge 2 ]"
cat /proc/fs/nfsfs/servers
must a-write-v1 bash -c "mkdir $MA/$T && echo v1 > $MA/$T/f && sync"
# A opens read-only and keeps the file open while B writes: a read
# delegation is what lets A cache; the recall must invalidate that cache.
exec 7< $MA/$T/f
must a-read-v1 bash -c "[ \"\$(cat <&7)\" = v1 ]"
must b-write-v2 bash -c "echo v2 > $MB/$T/f && sync"
exec 7<&-
must a-read-v2 bash -c "[ \"\$(cat $MA/$T/f)\" = v2 ]"
dr=$(opcount $MA DELEGRETURN)
echo "client A: DELEGRETURN=${dr:-0} OPEN=$(opcount $MA OPEN)"
echo "${dr:-0}" > /vmout/delegreturn.txt
must a-returned-delegation bash -c "[ ${dr:-0} -ge 1 ]"
awk '/^device .* nfs4 /{p=1} /^device /&&!/ nfs4 /{p=0} p' /proc/self/mountstats > /vmout/mountstats-deleg.txt
rm -rf $MA/$T
must umount bash -c "umount $MA && umount $MB"
verdict
