#!/usr/bin/python3
"""tests/datagen/datagen.py -- data generations on a real MDS + 2 data servers.

    datagen.py --server HOST:PORT --ds HOST:PORT,HOST:PORT --key FILE
               --tool PATH --local PATH --dir DIR [--pynfs DIR]

Raw NFSv4.1 (pynfs's client library, imported at run time) to the MDS and
to each data server; the MDS's CTL_DATA_GEN and DS handles of any
generation through strata-datagen-tool (docs/decisions/0030). Steps:

  0. setup: a file of 3 stripe units + 1000 bytes written through the
     MDS (pattern A), its fileid, an RW layout: its handles are the
     generation-0 handles the tool makes (same bytes).
  a. the MDS copies generation 0 to generation 1 (tier_ds_ops over the
     control protocol); both copies are read by their own handles on the
     data servers (A); pattern B is written through the generation-1
     handles; generation 1 then reads B and generation 0 still A; the
     MDS's own READ (the current copy, generation 0) reads A.
  b. the MDS fences generation 1: the generation-0 handles get
     NFS4ERR_STALE for READ and WRITE on both data servers (the copy is
     still on disk), the generation-1 handles still read B.
  c. the MDS copies generation 1 to 2 and drops generation 1: the
     generation-1 handles get NFS4ERR_STALE, generation 2 reads B, the
     MDS still reads A; dropping or overwriting the current copy
     (generation 0) is refused (EBUSY).
  d. both data servers SIGKILLed and started again (strata-local
     ds-kill / ds-start): they forgot the fence of (b), and the MDS sends
     it again when it reconnects, before they serve: the generation-0
     handles get NFS4ERR_STALE again on both (the copy is still on
     disk), generation 2 still reads B, the MDS reads A.

Prints PASS/FAIL per check and "N passed, N failed". Exit 0 all passed,
1 a check failed, 2 setup or protocol error.
"""
import argparse
import os
import subprocess
import sys
import time

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--server", required=True)
ap.add_argument("--ds", required=True, help="HOST:PORT,HOST:PORT (slot order)")
ap.add_argument("--key", required=True)
ap.add_argument("--tool", required=True)
ap.add_argument("--unit", type=int, default=1048576, help="stripe unit")
ap.add_argument("--pynfs", default=os.environ.get("PYNFS_DIR", ""))
ap.add_argument("--local", required=True, help="scripts/strata-local")
ap.add_argument("--dir", required=True, help="the cluster's strata-local DIR")
args = ap.parse_args()
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import raw41  # noqa: E402
raw41.load(args.pynfs, "datagen")
import nfs_ops  # noqa: E402
from xdrdef.nfs4_const import *  # noqa: E402,F401,F403
from xdrdef.nfs4_type import open_owner4, openflag4, open_claim4, createhow4  # noqa: E402
from xdrdef.nfs4_pack import NFS4Unpacker  # noqa: E402

op = nfs_ops.NFS4ops()
UNIT = args.unit
LEN = 3 * UNIT + 1000
IO = 256 * 1024      # per READ/WRITE: below pynfs's session limits
results = []


class SetupError(Exception):
    pass


def sname(st):
    return nfsstat4.get(st, str(st))


def hostport(s):
    h, _, p = s.rpartition(":")
    return h, int(p)


def session(addr, flags):
    return raw41.session(addr, flags, "datagen")


def pattern(seed):
    return bytes((i * 31 + seed * 7 + (i >> 11)) % 251 for i in range(LEN))


def tool(*a):
    out = subprocess.run([args.tool] + [str(x) for x in a], check=True,
                         capture_output=True, text=True).stdout.strip()
    return out


def handle(fileid, j, gen):
    return bytes.fromhex(tool("fh", args.key, fileid, j, gen))


def mds_step(*a):
    return tool("call", args.key, args.server, *a)


def check(cid, what, ok, got=""):
    results.append(ok)
    print("%s %s %s%s" % ("PASS" if ok else "FAIL", cid, what,
                          "" if ok else ": got %s" % got), flush=True)


def need(res, what):
    if res.status != NFS4_OK:
        raise SetupError("%s: %s" % (what, sname(res.status)))
    return res


# Dense striping (decision 0007): file offset -> (stripe index, offset in
# that stripe's object), first index from the layout.
def pieces(first, nds):
    off = 0
    while off < LEN:
        n = min(IO, LEN - off, UNIT - off % UNIT)
        su = off // UNIT
        j = (su + first) % nds
        yield off, n, j, (su // nds) * UNIT + off % UNIT
        off += n


def ds_io(sess, fh, sid, read, ooff, n=0, data=b""):
    o = op.read(sid, ooff, n) if read else op.write(sid, ooff, FILE_SYNC4, data)
    res = sess.compound([op.putfh(fh), o])
    if res.status != NFS4_OK:
        return res.status, None
    return NFS4_OK, res.resarray[-1].switch.switch.data if read else None


def read_gen(dss, fileid, gen, first, sid):
    """All pieces through generation GEN's handles: bytes, or the first
    error status."""
    fhs = [handle(fileid, j, gen) for j in range(len(dss))]
    out = bytearray()
    for off, n, j, ooff in pieces(first, len(dss)):
        st, data = ds_io(dss[j], fhs[j], sid, True, ooff, n)
        if st != NFS4_OK:
            return st
        out += data
    return bytes(out)


def write_gen(dss, fileid, gen, first, sid, data):
    fhs = [handle(fileid, j, gen) for j in range(len(dss))]
    for off, n, j, ooff in pieces(first, len(dss)):
        st, _ = ds_io(dss[j], fhs[j], sid, False, ooff, data=data[off:off + n])
        if st != NFS4_OK:
            return st
    return NFS4_OK


def every_piece_status(dss, fileid, gen, sid, read):
    """Status of a READ (or a WRITE) of the first bytes of each stripe
    object through generation GEN's handle, per data server."""
    sts = []
    for j, s in enumerate(dss):
        st, _ = ds_io(s, handle(fileid, j, gen), sid, read, 0, 16, b"x" * 16)
        sts.append(st)
    return sts


def check_stale(cid, what, dss, fileid, gen, sid, read):
    """Check that a READ (or WRITE) through generation GEN's handle gets
    NFS4ERR_STALE on every data server."""
    sts = every_piece_status(dss, fileid, gen, sid, read)
    check(cid, what, sts == [NFS4ERR_STALE] * len(dss), [sname(s) for s in sts])


def mds_read(sess, fh, sid):
    out = bytearray()
    while len(out) < LEN:
        res = need(sess.compound([op.putfh(fh), op.read(sid, len(out), IO)]),
                   "READ through the MDS")
        data = res.resarray[-1].switch.switch.data
        if not data:
            break
        out += data
    return bytes(out)


def restart_ds(j):
    """SIGKILL data server J (0-based) and start it again; a new session
    once it serves (it answers DELAY until the MDS's verdict)."""
    for verb in ("ds-kill", "ds-start"):
        subprocess.run([args.local, verb, "--dir", args.dir, "--index", str(j + 1)],
                       check=True, capture_output=True)
    addr = args.ds.split(",")[j]
    for _ in range(100):
        try:
            return session(addr, EXCHGID4_FLAG_USE_PNFS_DS)
        except Exception:       # not listening yet, or DELAY
            time.sleep(0.1)
    raise SetupError("data server %d did not come back" % (j + 1))


def wait_serving(dss, fileid, gen, first, sid):
    """Read generation GEN until no data server answers DELAY."""
    for _ in range(100):
        got = read_gen(dss, fileid, gen, first, sid)
        if got != NFS4ERR_DELAY:
            return got
        time.sleep(0.1)
    return got


def main():
    ms = session(args.server, EXCHGID4_FLAG_USE_PNFS_MDS)
    dss = [session(a, EXCHGID4_FLAG_USE_PNFS_DS) for a in args.ds.split(",")]
    A, B = pattern(1), pattern(2)
    name = b"datagen-%d-%d" % (os.getpid(), int(time.time()))
    owner = open_owner4(ms.client.clientid, b"datagen-owner")
    res = need(ms.compound([
        op.putrootfh(),
        op.open(0, OPEN4_SHARE_ACCESS_BOTH | OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
                OPEN4_SHARE_DENY_NONE, owner,
                openflag4(OPEN4_CREATE, createhow4(UNCHECKED4, {FATTR4_MODE: 0o644})),
                open_claim4(CLAIM_NULL, name)),
        op.getfh()]), "OPEN")
    fh, sid = res.resarray[-1].object, res.resarray[-2].stateid
    for off in range(0, LEN, IO):
        need(ms.compound([op.putfh(fh), op.write(sid, off, FILE_SYNC4, A[off:off + IO])]),
             "WRITE through the MDS")
    res = need(ms.compound([op.putfh(fh), op.getattr(1 << FATTR4_FILEID)]), "GETATTR")
    fileid = res.resarray[-1].obj_attributes[FATTR4_FILEID]
    res = need(ms.compound([op.putfh(fh),
                            op.layoutget(False, LAYOUT4_NFSV4_1_FILES, LAYOUTIOMODE4_RW,
                                         0, NFS4_UINT64_MAX, 0, sid, 0xffff)]), "LAYOUTGET")
    lo = NFS4Unpacker(res.resarray[-1].logr_layout[0].lo_content.loc_body).unpack_nfsv4_1_file_layout4()
    first = lo.nfl_first_stripe_index
    print("datagen: file %s fileid %#x, %d bytes, first stripe index %d, %d data servers"
          % (name.decode(), fileid, LEN, first, len(dss)), flush=True)
    check("0.1", "the layout's handles are the generation-0 handles",
          list(lo.nfl_fh_list) == [handle(fileid, j, 0) for j in range(len(dss))],
          [h.hex() for h in lo.nfl_fh_list])
    check("0.2", "generation 0 through its handles reads A",
          read_gen(dss, fileid, 0, first, sid) == A)

    # (a) a copy at generation 1 beside generation 0
    check("a.1", "the MDS copies generation 0 to 1", mds_step("copy", fileid, 0, 1) == "ok")
    check("a.2", "generation 1 through its handles reads A",
          read_gen(dss, fileid, 1, first, sid) == A)
    check("a.3", "B written through the generation-1 handles",
          write_gen(dss, fileid, 1, first, sid, B) == NFS4_OK)
    g1 = read_gen(dss, fileid, 1, first, sid)
    g0 = read_gen(dss, fileid, 0, first, sid)
    check("a.4", "generation 1 reads B", g1 == B)
    check("a.5", "generation 0 still reads A (its own copy)", g0 == A)
    check("a.6", "the MDS reads its current copy (generation 0): A",
          mds_read(ms, fh, sid) == A)

    # (b) a stale generation refused
    check("b.1", "the MDS fences generation 1", mds_step("fence", fileid, 1) == "ok")
    check_stale("b.2", "READ through a generation-0 handle: NFS4ERR_STALE on each data server",
                dss, fileid, 0, sid, True)
    check_stale("b.3", "WRITE through a generation-0 handle: NFS4ERR_STALE on each data server",
                dss, fileid, 0, sid, False)
    check("b.4", "generation 1 still reads B", read_gen(dss, fileid, 1, first, sid) == B)
    check("b.5", "the refused WRITEs changed nothing: the MDS reads A",
          mds_read(ms, fh, sid) == A)

    # (c) drop of one generation leaves the next intact
    check("c.1", "the MDS copies generation 1 to 2", mds_step("copy", fileid, 1, 2) == "ok")
    check("c.2", "the MDS drops generation 1", mds_step("drop", fileid, 1) == "ok")
    check_stale("c.3", "READ through a generation-1 handle: NFS4ERR_STALE (dropped)",
                dss, fileid, 1, sid, True)
    check("c.4", "generation 2 reads B", read_gen(dss, fileid, 2, first, sid) == B)
    check("c.5", "the MDS still reads A", mds_read(ms, fh, sid) == A)
    st = mds_step("drop", fileid, 0)
    check("c.6", "dropping the current copy (generation 0) is refused", st == "EBUSY", st)
    st = mds_step("copy", fileid, 2, 0)
    check("c.7", "copying onto the current copy is refused", st == "EBUSY", st)
    check("c.8", "the MDS still reads A", mds_read(ms, fh, sid) == A)

    # (d) a fence outlives a data server's restart: the MDS sends it again
    dss = [restart_ds(j) for j in range(len(dss))]
    check("d.1", "both data servers restarted serve generation 2: B",
          wait_serving(dss, fileid, 2, first, sid) == B)
    check_stale("d.2", "READ through a generation-0 handle after the restart: NFS4ERR_STALE on each",
                dss, fileid, 0, sid, True)
    check_stale("d.3", "WRITE through a generation-0 handle after the restart: NFS4ERR_STALE on each",
                dss, fileid, 0, sid, False)
    check("d.4", "the MDS still reads A", mds_read(ms, fh, sid) == A)

    ms.compound([op.putfh(fh), op.close(0, sid)])
    ms.compound([op.putrootfh(), op.remove(name)])
    nfail = results.count(False)
    print("datagen: %d passed, %d failed" % (len(results) - nfail, nfail))
    return 1 if nfail else 0


raw41.run(main, "datagen", (SetupError, subprocess.CalledProcessError))
