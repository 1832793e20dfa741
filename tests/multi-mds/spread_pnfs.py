#!/usr/bin/python3
"""tests/multi-mds/spread_pnfs.py -- pNFS file layouts from every owner of a spread cluster.

    spread_pnfs.py --node HOST:PORT (x3) --ds HOST:PORT (x2) --dir DIR
                   --restart3 CMD [--pynfs DIR] [--files N]

A cluster of three metadata nodes, node I owning partition I-1, and two
data servers every node talks to (`strata-local up --mds 3 --spread
--data-servers 2`, DIR its directory; decision 0036). Raw NFSv4.1 clients
(pynfs's client library): A on node 2, B on node 1, each also a pNFS
client of both data servers.

  P1  A creates N files in a new directory through node 2 and takes an
      RW layout of each: every LAYOUTGET is answered by the file's owner
      (the node byte of its layout stateid, nfsd/stateid_fmt.h), and the
      owners are all three nodes. A writes each file's distinct bytes
      through the data servers (FILE_SYNC; the data servers accept the
      stateids of all three nodes at once: one boot epoch per node) and
      LAYOUTCOMMITs its size.
  P2  B reads every file through node 1: GETATTR gives the size,
      READ through the MDS (the owner reads its stripes) and READ through
      B's own layout on the data servers both give A's bytes.
  P3  GETDEVICEINFO of each layout's device, through node 2: OK, two
      data servers.
  P4  Node 3 is SIGKILLed and restarted (CMD): A's layout stateids minted
      by node 3 are refused by the data servers (NFS4ERR_BAD_STATEID: a
      stale boot of node 3) within 10 s, while those of nodes 1 and 2
      still write.
  P5  A takes a new layout of a file of node 1 through node 2 and
      keeps it open; B truncates the file through node 1: the owner
      recalls A's layout through A's front (CB_LAYOUTRECALL on A's back
      channel; pynfs answers with LAYOUTRETURN through node 2), then the
      truncate succeeds and A sees the new size.
  P6  A removes every file: each owner's reclaimer removes the file's
      stripe objects from the data servers (none left within 15 s; there
      were some before).
  P7  (run before P6) A takes an RW layout of a file of each owner
      through node 2, then returns them all with one LAYOUTRETURN of
      type ALL through node 2 (the current filehandle the root, node
      1's); B then truncates each of the three files through node 1: no
      CB_LAYOUTRECALL reaches A, because every owner, not only the one
      the root routes to, let A's layouts go (RFC 8881 §18.44.3).
  P8  (after P7) A takes an RW layout of a file of node 2 through node
      2; B renames a file whose entry and inode are on another node over
      it, through node 1: a cross-node transaction, and the victim's
      node recalls A's layout (CB_LAYOUTRECALL) before it takes part;
      B's RENAME answers DELAY until then, then OK (nfsd/xtx_break.h).
      Then A renames a file of its own over a file of node 1 whose
      layout it holds itself: no recall of its own layout, as on one node.

Exit 0 all passed, 1 a check failed, 2 setup or protocol error.
"""
import argparse
import glob
import hashlib
import os
import subprocess
import sys
import threading
import time

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--node", action="append", required=True,
                help="HOST:PORT of nodes 1, 2, 3 (in order)")
ap.add_argument("--ds", action="append", required=True,
                help="HOST:PORT of the data servers (in order)")
ap.add_argument("--dir", required=True, help="the cluster's strata-local directory")
ap.add_argument("--restart3", required=True,
                help="shell command: SIGKILL node 3 and start it again")
ap.add_argument("--pynfs", default=os.environ.get("PYNFS_DIR", ""))
ap.add_argument("--files", type=int, default=9)
args = ap.parse_args()
if len(args.node) != 3 or len(args.ds) != 2:
    sys.exit("spread_pnfs: three --node and two --ds please")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import raw41  # noqa: E402
raw41.load(args.pynfs, "spread_pnfs")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mmlib  # noqa: E402
import nfs_ops  # noqa: E402
from xdrdef.nfs4_const import *  # noqa: E402,F401,F403
from xdrdef.nfs4_type import (open_owner4, openflag4, open_claim4, createhow4,  # noqa: E402
                              createtype4, newoffset4, newtime4, layoutupdate4)
import nfs4lib  # noqa: E402

op = nfs_ops.NFS4ops()
check = mmlib.Checks()
STATEID_NODE_BYTE = 2  # nfsd/stateid_fmt.h


class SetupError(Exception):
    pass


def need(res, what):
    return raw41.need(res, what, SetupError)


def sname(st):
    return nfsstat4.get(st, str(st))


def node_of(sid):
    return sid.other[STATEID_NODE_BYTE]


def mds(i):
    return raw41.session(args.node[i - 1], EXCHGID4_FLAG_USE_PNFS_MDS, "spread-pnfs")


def dss():
    return [raw41.session(d, EXCHGID4_FLAG_USE_PNFS_DS, "spread-pnfs") for d in args.ds]


def data_of(i, unit):
    """File I's bytes: two stripe units and a bit, so both servers hold some."""
    n = 2 * unit + 1000 + 17 * i
    return hashlib.sha256(b"spread-%d" % i).digest() * (n // 32) + b"x" * (n % 32)


def open_file(s, dirfh, name, create, access=OPEN4_SHARE_ACCESS_BOTH):
    how = (openflag4(OPEN4_CREATE, createhow4(GUARDED4, {FATTR4_MODE: 0o644}))
           if create else openflag4(OPEN4_NOCREATE))
    deadline = time.time() + 60
    while True:   # a restarted node's names wait for its grace period
        res = s.compound([
            op.putfh(dirfh),
            op.open(0, access | OPEN4_SHARE_ACCESS_WANT_NO_DELEG, OPEN4_SHARE_DENY_NONE,
                    open_owner4(s.client.clientid, b"pn-" + name), how,
                    open_claim4(CLAIM_NULL, name)),
            op.getfh(), op.getattr(nfs4lib.list2bitmap([FATTR4_FILEID]))])
        if res.status != NFS4ERR_GRACE or time.time() > deadline:
            break
        time.sleep(0.5)
    need(res, "OPEN %s" % name)
    fileid = res.resarray[-1].obj_attributes[FATTR4_FILEID]
    return res.resarray[-2].object, res.resarray[-3].stateid, fileid


def layoutget(s, fh, sid, iomode):
    res = s.compound([op.putfh(fh),
                      op.layoutget(False, LAYOUT4_NFSV4_1_FILES, iomode,
                                   0, NFS4_UINT64_MAX, 0, sid, 0xffff)])
    return res.status, (res.resarray[-1] if res.status == NFS4_OK else None)


def unit_of(lo):
    from xdrdef.nfs4_pack import NFS4Unpacker
    body = lo.logr_layout[0].lo_content.loc_body
    return NFS4Unpacker(body).unpack_nfsv4_1_file_layout4().nfl_util & ~NFL4_UFLG_MASK


def device_of(lo):
    from xdrdef.nfs4_pack import NFS4Unpacker
    body = lo.logr_layout[0].lo_content.loc_body
    return NFS4Unpacker(body).unpack_nfsv4_1_file_layout4().nfl_deviceid


def layoutcommit(s, fh, lo, size):
    return s.compound([op.putfh(fh),
                       op.layoutcommit(0, size, False, lo.logr_stateid,
                                       newoffset4(True, size - 1), newtime4(False),
                                       layoutupdate4(LAYOUT4_NFSV4_1_FILES, b""))]).status


def mds_read(s, fh, sid, size):
    out = bytearray()
    while len(out) < size:
        res = s.compound([op.putfh(fh), op.read(sid, len(out), 256 * 1024)])
        if res.status != NFS4_OK:
            return res.status
        r = res.resarray[-1].switch.switch
        out += r.data
        if r.eof or not r.data:
            break
    return bytes(out)


def seq_flags(s):
    """SEQUENCE alone: its status flags (-1: it failed)."""
    slot, seq_op = s._prepare_compound({})
    res = s.c.compound([seq_op])
    s.update_seq_state(res, slot)
    return res.resarray[0].sr_status_flags if res.status == NFS4_OK else -1


def reclaim_done(s):
    """Once S's front says RESTART_RECLAIM_NEEDED (10 s at most),
    RECLAIM_COMPLETE."""
    end = time.time() + 10
    while time.time() < end:
        if max(seq_flags(s), 0) & SEQ4_STATUS_RESTART_RECLAIM_NEEDED:
            need(s.compound([op.reclaim_complete(False)]), "RECLAIM_COMPLETE")
            return
        time.sleep(0.2)


def stripe_objects(fileid):
    pat = "%016x." % fileid
    return [f for f in glob.glob(os.path.join(args.dir, "ds[0-9]*", "stripes", "*", pat + "*"))]


def until_not_grace(call):
    """CALL() until it answers something but GRACE or DELAY (node 3 may
    still be in its grace period), 20 s at most; its last status and value."""
    deadline = time.time() + 20
    while True:
        st, val = call()
        if st not in (NFS4ERR_GRACE, NFS4ERR_DELAY) or time.time() > deadline:
            return st, val
        time.sleep(0.3)


def p7_bulk_return(a, b, d, files, recalled):
    from xdrdef.nfs4_type import layoutreturn4
    targets = [next((f for f in files if f["node"] == n), None) for n in (1, 2, 3)]
    if None in targets:
        raise SetupError("P7: no file of every owner")
    opens = []
    for f in targets:
        # opened again: node 3's restart (P4) lost A's open there
        fh, sid, _ = open_file(a, d, f["name"], False)
        opens.append((fh, sid))
        st, _ = until_not_grace(lambda: layoutget(a, fh, sid, LAYOUTIOMODE4_RW))
        if st != NFS4_OK:
            raise SetupError("P7: LAYOUTGET of a file of node %d: %s" % (f["node"], sname(st)))
    res = a.compound([op.putrootfh(),
                      op.layoutreturn(False, LAYOUT4_NFSV4_1_FILES, LAYOUTIOMODE4_ANY,
                                      layoutreturn4(LAYOUTRETURN4_ALL))])
    check(res.status == NFS4_OK, "P7", "LAYOUTRETURN of type ALL through node 2",
          sname(res.status))
    del recalled[:]
    bad = []
    for f in targets:
        bfh, bsid, _ = open_file(b, d, f["name"], False)

        def trunc():
            r = b.compound([op.putfh(bfh), op.setattr(bsid, {FATTR4_SIZE: 50})])
            return r.status, None
        st, _ = until_not_grace(trunc)
        if st != NFS4_OK:
            bad.append("node %d: SETATTR %s" % (f["node"], sname(st)))
        b.compound([op.putfh(bfh), op.close(0, bsid)])
    for fh, sid in opens:  # held until now: a CLOSE may return layouts too
        a.compound([op.putfh(fh), op.close(0, sid)])
    back = sorted({f["node"] for f in targets if bytes(f["fh"]) in recalled})
    check(not bad and not back, "P7", "after it, B truncates a file of each owner through "
          "node 1 and no owner recalls a layout from A",
          "; ".join(bad + ["layouts recalled by node(s) %s" % back] if back else bad))


def p8_setup(holder, maker, d, files, node, prefix):
    """A file of NODE that HOLDER opens with an RW layout, and a new file
    of MAKER's (PREFIX-k) whose entry and inode are on another node
    (shard = the fileid's top bits; node I owns partition I-1 of 3):
    (victim, fh, stateid, new name, new file's node)."""
    victim = next((f for f in files if f["node"] == node), None)
    if not victim:
        raise SetupError("P8: no file of node %d" % node)
    fh, sid, _ = open_file(holder, d, victim["name"], False)
    st, _ = until_not_grace(lambda: layoutget(holder, fh, sid, LAYOUTIOMODE4_RW))
    if st != NFS4_OK:
        raise SetupError("P8: LAYOUTGET: %s" % sname(st))
    for k in range(64):
        name = b"%s-%d" % (prefix, k)
        nfh, nsid, fid = open_file(maker, d, name, True)
        maker.compound([op.putfh(nfh), op.close(0, nsid)])
        if (fid >> 56) % 3 + 1 != node:
            return victim, fh, sid, name, (fid >> 56) % 3 + 1
        need(maker.compound([op.putfh(d), op.remove(name)]), "REMOVE %s" % name)
    raise SetupError("P8: no new file off node %d" % node)


def p8_own(a, d, files, recalled):
    """P8, the asker's own: A renames its own new file over a file of node
    1 whose layout A itself holds: no recall (as on one node), OK at once."""
    victim, fh, sid, name, _ = p8_setup(a, a, d, files, 1, b"p8a")
    mark = len(recalled)
    t0 = time.time()
    res = a.compound([op.putfh(d), op.savefh(), op.rename(name, victim["name"])])
    took = time.time() - t0
    a.compound([op.putfh(fh), op.close(0, sid)])
    check(res.status == NFS4_OK and bytes(victim["fh"]) not in recalled[mark:], "P8",
          "A's own RENAME over a file of node 1 whose layout A holds, across "
          "nodes: no recall of A's own layout", "RENAME %s after %.1f s, "
          "recalls %d" % (sname(res.status), took, len(recalled) - mark))


def p8_rename_over_recalls(a, b, d, files, recalled):
    victim, fh, sid, name, src_node = p8_setup(a, b, d, files, 2, b"p8")
    del recalled[:]
    t0 = time.time()
    while True:  # (pynfs itself may wait and resend a DELAYed call)
        res = b.compound([op.putfh(d), op.savefh(), op.rename(name, victim["name"])])
        if res.status != NFS4ERR_DELAY or time.time() - t0 > 20:
            break
        time.sleep(0.2)
    a.compound([op.putfh(fh), op.close(0, sid)])
    p8_own(a, d, files, recalled)
    check(res.status == NFS4_OK and bytes(victim["fh"]) in recalled, "P8",
          "B's RENAME through node 1 of a file of node %d over a file of node 2 "
          "(a cross-node transaction) recalls A's layout first, then succeeds"
          % src_node,
          "RENAME %s after %.1f s, layouts recalled %d"
          % (sname(res.status), time.time() - t0, len(recalled)))


def main():
    a, b = mds(2), mds(1)
    ads, bds = dss(), dss()
    root = need(a.compound([op.putrootfh(), op.getfh()]), "PUTROOTFH").resarray[-1].object
    dname = b"pn-%d" % os.getpid()
    res = need(a.compound([op.putfh(root), op.create(createtype4(NF4DIR), dname,
                                                     {FATTR4_MODE: 0o755}), op.getfh()]),
               "CREATE dir")
    d = res.resarray[-1].object

    # P1
    # Entries (and so new files) land on hash(dir, name) and the
    # directory's fileid differs per run: 9 names miss one of three nodes
    # one run in 13. Go on past ARGS.FILES until every node has a file
    # (64 names at most).
    files, bad = [], []
    i = -1
    while i + 1 < 64 and (len(files) < args.files or
                          len({f["node"] for f in files}) < 3):
        i += 1
        name = b"f%02d" % i
        fh, sid, fileid = open_file(a, d, name, True)
        st, lo = layoutget(a, fh, sid, LAYOUTIOMODE4_RW)
        if st != NFS4_OK:
            bad.append("%s: LAYOUTGET %s" % (name, sname(st)))
            continue
        data = data_of(i, unit_of(lo))
        wst = raw41.layout_io(ads, lo, lo.logr_stateid, len(data), data, retry=False)
        cst = layoutcommit(a, fh, lo, len(data)) if wst == NFS4_OK else wst
        if wst != NFS4_OK or cst != NFS4_OK:
            bad.append("%s (node %d): write %s, LAYOUTCOMMIT %s"
                       % (name, node_of(lo.logr_stateid), sname(wst), sname(cst)))
        files.append(dict(name=name, fh=fh, sid=sid, fileid=fileid, lo=lo, data=data,
                          node=node_of(lo.logr_stateid)))
    owners = sorted({f["node"] for f in files})
    check(owners == [1, 2, 3], "P1", "layouts of the files through node 2 come from their "
          "owners, all three nodes", "minted by %s" % owners)
    check(not bad and len(files) >= args.files, "P1", "%d files written through the data "
          "servers with layouts of three owners, sizes committed" % len(files),
          "; ".join(bad))

    # P2
    wrong = []
    for f in files:
        bfh, bsid, _ = open_file(b, d, f["name"], False, OPEN4_SHARE_ACCESS_READ)
        res = b.compound([op.putfh(bfh), op.getattr(nfs4lib.list2bitmap([FATTR4_SIZE]))])
        size = res.resarray[-1].obj_attributes[FATTR4_SIZE] if res.status == NFS4_OK else None
        got = mds_read(b, bfh, bsid, len(f["data"]))
        st, lo = layoutget(b, bfh, bsid, LAYOUTIOMODE4_READ)
        viads = (raw41.layout_io(bds, lo, lo.logr_stateid, len(f["data"]), retry=False)
                 if st == NFS4_OK else st)
        if size != len(f["data"]) or got != f["data"] or viads != f["data"]:
            wrong.append("%s (node %d): size %s, MDS read %s, DS read %s"
                         % (f["name"], f["node"], size,
                            "ok" if got == f["data"] else str(got)[:40],
                            "ok" if viads == f["data"] else str(viads)[:40]))
        b.compound([op.putfh(bfh), op.close(0, bsid)])
    check(not wrong, "P2", "through node 1, every file's size and bytes (read by the MDS "
          "and through B's layouts) are A's", "; ".join(wrong))

    # P3
    devs = {bytes(device_of(f["lo"])) for f in files}
    dbad = []
    for dev in devs:
        res = a.compound([op.getdeviceinfo(dev, LAYOUT4_NFSV4_1_FILES, 0xffffff, [])])
        if res.status != NFS4_OK:
            dbad.append(sname(res.status))
            continue
        from xdrdef.nfs4_pack import NFS4Unpacker
        body = res.resarray[-1].gdir_device_addr.da_addr_body
        addr = NFS4Unpacker(body).unpack_nfsv4_1_file_layout_ds_addr4()
        if len(addr.nflda_multipath_ds_list) != 2:
            dbad.append("%d data servers" % len(addr.nflda_multipath_ds_list))
    check(devs and not dbad, "P3", "GETDEVICEINFO through node 2 of every layout's device "
          "(%d): two data servers" % len(devs), "; ".join(dbad))

    # P4
    if subprocess.call(args.restart3, shell=True) != 0:
        raise SetupError("restarting node 3 failed")
    # as the Linux client does: both held layouts at node 3, so their
    # fronts say RESTART_RECLAIM_NEEDED; they have nothing to reclaim
    # (layouts are not reclaimed here) and end it, else node 3 answers
    # their OPENs NFS4ERR_GRACE (RFC 8881 §18.51.3)
    for s in (a, b):
        reclaim_done(s)
    old = next((f for f in files if f["node"] == 3), None)
    deadline = time.time() + 10
    st = NFS4_OK
    while old and time.time() < deadline:
        st = raw41.layout_io(ads, old["lo"], old["lo"].logr_stateid, 100, old["data"][:100],
                             retry=False)
        if st != NFS4_OK and st != NFS4ERR_DELAY:
            break
        time.sleep(0.1)
    check(st == NFS4ERR_BAD_STATEID, "P4", "after node 3's restart the data servers refuse "
          "its old layout stateid", "last answer %s" % sname(st))
    keep = []
    for n in (1, 2):
        f = next((f for f in files if f["node"] == n), None)
        kst = (raw41.layout_io(ads, f["lo"], f["lo"].logr_stateid, 100, f["data"][:100],
                               retry=False) if f else None)
        keep.append("node %d: %s" % (n, sname(kst) if kst is not None else "no file"))
    check(all(k.endswith("NFS4_OK") for k in keep), "P4", "... while nodes 1 and 2's "
          "stateids still write", "; ".join(keep))

    # P5
    recalled = []
    gate = threading.Event()

    def on_recall(arg, env):
        recalled.append(bytes(arg.opcblayoutrecall.clora_recall.lor_layout.lor_fh))
        gate.set()
    a.client.cb_pre_hook(OP_CB_LAYOUTRECALL, on_recall)
    # node 1's (node 3 is in its grace period now)
    victim = next((f for f in files if f["node"] == 1), None)
    if not victim:
        raise SetupError("no file of node 1")
    st, lo = layoutget(a, victim["fh"], victim["sid"], LAYOUTIOMODE4_RW)
    if st != NFS4_OK:
        raise SetupError("LAYOUTGET for P5: %s" % sname(st))
    bfh, bsid, _ = open_file(b, d, victim["name"], False)
    t0 = time.time()
    res = b.compound([op.putfh(bfh), op.setattr(bsid, {FATTR4_SIZE: 100})])
    took = time.time() - t0
    check(res.status == NFS4_OK and bytes(victim["fh"]) in recalled, "P5",
          "B's truncate through node 1 of a file of node %d recalls A's layout through "
          "node 2 (CB_LAYOUTRECALL), then succeeds" % victim["node"],
          "SETATTR %s after %.1f s, recalls %d" % (sname(res.status), took, len(recalled)))
    res = a.compound([op.putfh(victim["fh"]), op.getattr(nfs4lib.list2bitmap([FATTR4_SIZE]))])
    size = res.resarray[-1].obj_attributes[FATTR4_SIZE] if res.status == NFS4_OK else None
    check(size == 100, "P5", "A then sees the new size", "size %s" % size)
    b.compound([op.putfh(bfh), op.close(0, bsid)])

    # P7
    p7_bulk_return(a, b, d, files, recalled)

    # P8
    p8_rename_over_recalls(a, b, d, files, recalled)

    # P6
    before = sum(len(stripe_objects(f["fileid"])) for f in files)
    for f in files:
        a.compound([op.putfh(f["fh"]), op.close(0, f["sid"])])
        need(a.compound([op.putfh(d), op.remove(f["name"])]), "REMOVE %s" % f["name"])
    deadline = time.time() + 15
    left = before
    while time.time() < deadline:
        left = sum(len(stripe_objects(f["fileid"])) for f in files)
        if left == 0:
            break
        time.sleep(0.2)
    check(before > 0 and left == 0, "P6", "removed files' stripe objects go from the data "
          "servers (each owner's reclaimer)", "%d before, %d left" % (before, left))
    return 1 if check.failed else 0


raw41.run(main, "spread_pnfs", (SetupError,))
