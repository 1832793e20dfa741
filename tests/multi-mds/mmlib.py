"""tests/multi-mds/mmlib.py -- what the multi-node raw-client tests share.

pynfs is imported at run time from its build outside the tree (never
copied in); `load(dir)` puts it on sys.path and returns the modules the
tests use. `Checks` prints one PASS/FAIL line per check and counts them.
"""
import contextlib
import io
import logging
import os
import sys


def load(d, who):
    """Import pynfs's client library from D; exits when it is not there."""
    if not d or not os.path.isfile(os.path.join(d, "nfs4.1", "nfs4client.py")):
        sys.exit("%s: pynfs not found (--pynfs DIR or $PYNFS_DIR)" % who)
    sys.path[0:0] = [os.path.join(d, "nfs4.1"), os.path.join(d, "xdr"), d]
    with contextlib.redirect_stdout(io.StringIO()):   # "no gssapi module"
        import nfs4client
        import nfs_ops
        import nfs4lib
        from rpc.security import AuthSys
    logging.disable(logging.INFO)
    return nfs4client, nfs_ops.NFS4ops(), nfs4lib, AuthSys


class Checks:
    def __init__(self):
        self.failed = 0

    def __call__(self, ok, cid, what, detail=""):
        print("%s  %s  %s%s" % ("PASS" if ok else "FAIL", cid, what,
                                ("  (" + detail + ")") if detail else ""))
        if not ok:
            self.failed += 1
