"""tests/lib/raw41.py -- raw NFSv4.1 with pynfs's client library, for the
loopback tests (tests/datagen/datagen.py, tests/tier-local/tier_local.py).

    import raw41
    raw41.load(pynfs_dir, "datagen")     # before any pynfs import
    s = raw41.session("127.0.0.1:2049", EXCHGID4_FLAG_USE_PNFS_MDS, "datagen")

pynfs is never vendored: its tree comes from scripts/build-suites.sh
(PYNFS_DIR). load() exits the test with a message when it is missing.
Sessions are AUTH_SYS root, with 1 MiB requests and replies.
"""
import contextlib
import io
import logging
import os
import sys
import time


def load(pynfs_dir, who):
    """Put the pynfs tree on sys.path and import its client quietly (it
    prints "Could not find gssapi module")."""
    if not pynfs_dir or not os.path.isfile(os.path.join(pynfs_dir, "nfs4.1",
                                                        "nfs4client.py")):
        sys.exit("%s: pynfs not found (--pynfs DIR or $PYNFS_DIR)" % who)
    sys.path[0:0] = [os.path.join(pynfs_dir, "nfs4.1"),
                     os.path.join(pynfs_dir, "xdr"), pynfs_dir]
    with contextlib.redirect_stdout(io.StringIO()):
        import nfs4client  # noqa: F401
    logging.disable(logging.INFO)


def root_cred(who):
    from rpc.security import AuthSys
    return AuthSys().init_cred(uid=0, gid=0, name=b"strata-" + who.encode(),
                               gids=[0])


def session(addr, flags, who):
    """A new client (EXCHANGE_ID with FLAGS) and session on ADDR
    ("host:port"), RECLAIM_COMPLETE sent."""
    import nfs4client
    import nfs_ops
    from xdrdef.nfs4_type import channel_attrs4
    h, _, p = addr.rpartition(":")
    c = nfs4client.NFS4Client(h, int(p), minorversion=1)
    c.set_cred(root_cred(who))
    name = b"strata-%s-%d-%f-%s" % (who.encode(), os.getpid(), time.time(),
                                    addr.encode())
    cr = c.new_client(name, flags=flags)
    big = channel_attrs4(0, 1 << 20, 1 << 20, 8192, 128, 8, [])
    s = cr.create_session(fore_attrs=big)
    s.compound([nfs_ops.NFS4ops().reclaim_complete(False)])
    return s


def need(res, what, exc=RuntimeError):
    """RES when it is NFS4_OK, else raise EXC("WHAT: STATUS")."""
    from xdrdef.nfs4_const import NFS4_OK, nfsstat4
    if res.status != NFS4_OK:
        raise exc("%s: %s" % (what, nfsstat4.get(res.status, res.status)))
    return res


def layout_io(dss, lo_res, sid, size, data=None, chunk=256 * 1024,
              retry=True):
    """Read SIZE bytes of a file through its file layout's DS handles
    (LO_RES: a LAYOUTGET result; dense striping, RFC 8881 §13.4.4) on the
    DS sessions DSS (one per data server, in the device's order), or write
    DATA through them (FILE_SYNC). Answers the bytes read, or the first
    error status (NFS4_OK for a write that went through). RETRY: pynfs
    handles state errors and DELAY itself (False: the caller sees them)."""
    import nfs_ops
    from xdrdef.nfs4_const import NFS4_OK, NFL4_UFLG_MASK, FILE_SYNC4
    from xdrdef.nfs4_pack import NFS4Unpacker
    op = nfs_ops.NFS4ops()
    body = lo_res.logr_layout[0].lo_content.loc_body
    lo = NFS4Unpacker(body).unpack_nfsv4_1_file_layout4()
    unit = lo.nfl_util & ~NFL4_UFLG_MASK
    first, fhs = lo.nfl_first_stripe_index, lo.nfl_fh_list
    out = bytearray()
    off = 0
    while off < size:
        n = min(chunk, size - off, unit - off % unit)
        su = off // unit
        j = (su + first) % len(dss)
        ooff = (su // len(dss)) * unit + off % unit
        io_op = (op.read(sid, ooff, n) if data is None
                 else op.write(sid, ooff, FILE_SYNC4, data[off:off + n]))
        res = dss[j].compound([op.putfh(fhs[j % len(fhs)]), io_op],
                              handle_state_errors=retry)
        if res.status != NFS4_OK:
            return res.status
        if data is None:
            out += res.resarray[-1].switch.switch.data
        off += n
    return bytes(out) if data is None else NFS4_OK


def run(main, who, setup_errors):
    """Exit with MAIN()'s status (0 passed, 1 a check failed), or 2 after
    printing a SETUP_ERRORS exception (a tuple of types) or any other."""
    try:
        rc = main()
    except setup_errors as e:
        print("%s: SETUP FAILED: %s" % (who, e))
        rc = 2
    except Exception as e:
        import traceback
        traceback.print_exc()
        print("%s: ERROR: %s: %s" % (who, type(e).__name__, e))
        rc = 2
    sys.exit(rc)
