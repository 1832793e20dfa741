"""scripts/bench_tier_nfs.py -- the NFS side of scripts/bench-tier: writing
the data sets into Strata through the MDS (setup, not measured) and the
first-byte latency of a cold read (measured). Raw NFSv4.1 with pynfs's
client library (tests/lib/raw41.py); imported by scripts/bench_tier.py
after raw41.load().

Writes keep several compounds in flight on one session (up to its slot
count), each WRITE at most 256 KiB (the MDS's session limit): a small
file is one compound (OPEN create, WRITE with the current stateid,
CLOSE), a large one an OPEN, its WRITEs (UNSTABLE) in flight together, a
COMMIT and a CLOSE.
"""
import time

import nfs_ops
from xdrdef.nfs4_const import (NFS4_OK, NFS4ERR_DELAY, NF4DIR, OPEN4_CREATE,
                               OPEN4_NOCREATE, UNCHECKED4, UNSTABLE4,
                               FILE_SYNC4, FATTR4_MODE, CLAIM_NULL,
                               OPEN4_SHARE_ACCESS_BOTH,
                               OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
                               OPEN4_SHARE_DENY_NONE, nfsstat4)
from xdrdef.nfs4_type import (open_owner4, openflag4, open_claim4, createhow4,
                              createtype4, stateid4)

op = nfs_ops.NFS4ops()
IO = 256 * 1024
CUR = stateid4(1, b"\0" * 12)    # the current stateid (RFC 8881 16.2.3.1.2)
ANON = stateid4(0, b"\0" * 12)   # the anonymous stateid: READ without OPEN


class NfsError(Exception):
    pass


def need(res, what):
    if res.status != NFS4_OK:
        raise NfsError("%s: %s" % (what, nfsstat4.get(res.status, res.status)))
    return res


def _owner(s):
    return open_owner4(s.client.clientid, b"bench-tier")


def _open_ops(s, name, create):
    how = (openflag4(OPEN4_CREATE, createhow4(UNCHECKED4, {FATTR4_MODE: 0o644}))
           if create else openflag4(OPEN4_NOCREATE))
    return op.open(0, OPEN4_SHARE_ACCESS_BOTH | OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
                   OPEN4_SHARE_DENY_NONE, _owner(s), how,
                   open_claim4(CLAIM_NULL, name))


def pipeline(s, compounds, what):
    """Send each ops list of the iterable COMPOUNDS, keeping as many in
    flight as the session has slots; every answer must be NFS4_OK. The
    results, in order."""
    width = max(1, len(s.fore_channel.slots))
    inflight, out = [], []
    for ops in compounds:
        while len(inflight) >= width:
            out.append(need(s.listen(inflight.pop(0)), what))
        inflight.append(s.compound_async(ops))
    while inflight:
        out.append(need(s.listen(inflight.pop(0)), what))
    return out


def mkdir(s, name):
    need(s.compound([op.putrootfh(),
                     op.create(createtype4(NF4DIR), name.encode(),
                               {FATTR4_MODE: 0o755})]), "mkdir " + name)


def lookup(s, path):
    """The filehandle of PATH ("/a/b"), by LOOKUPs from the root."""
    ops = [op.putrootfh()] + [op.lookup(c.encode())
                              for c in path.strip("/").split("/")]
    return need(s.compound(ops + [op.getfh()]), "lookup " + path).resarray[-1].object


def write_small(s, dirname, files):
    """FILES: (name, bytes) of at most IO bytes each, created in DIRNAME
    (under the root), one compound each, several in flight."""
    def gen():
        for name, data in files:
            yield [op.putrootfh(), op.lookup(dirname.encode()),
                   _open_ops(s, name.encode(), True),
                   op.write(CUR, 0, FILE_SYNC4, data),
                   op.close(0, CUR)]
    pipeline(s, gen(), "write small file")


def write_large(s, dirname, name, data):
    """One file of any size: OPEN, WRITEs in flight, COMMIT, CLOSE."""
    res = need(s.compound([op.putrootfh(), op.lookup(dirname.encode()),
                           _open_ops(s, name.encode(), True), op.getfh()]),
               "open " + name)
    fh, sid = res.resarray[-1].object, res.resarray[-2].stateid
    pipeline(s, ([op.putfh(fh), op.write(sid, off, UNSTABLE4,
                                          data[off:off + IO])]
                 for off in range(0, len(data), IO)), "write " + name)
    need(s.compound([op.putfh(fh), op.commit(0, 0)]), "commit " + name)
    need(s.compound([op.putfh(fh), op.close(0, sid)]), "close " + name)


def read_all(s, fh, size, deadline_s=600):
    """The file's bytes through the MDS (anonymous stateid), each READ
    retried through DELAY."""
    out = bytearray()
    deadline = time.monotonic() + deadline_s
    while len(out) < size:
        res = s.compound([op.putfh(fh), op.read(ANON, len(out), IO)],
                         handle_state_errors=False)
        if res.status == NFS4ERR_DELAY and time.monotonic() < deadline:
            time.sleep(0.005)
            continue
        need(res, "read")
        r = res.resarray[-1].switch.switch
        out += r.data
        if r.eof or not r.data:
            break
    return bytes(out)


def first_byte(s, fh, deadline_s=600, off=0):
    """Seconds from sending the first READ of FH (offset OFF, 256 KiB,
    anonymous stateid: no OPEN, which would ask for the recall itself) to
    the first answer with data, READs retried 1 ms after each DELAY; and
    how many DELAYs came first."""
    t0 = time.monotonic()
    delays = 0
    while True:
        res = s.compound([op.putfh(fh), op.read(ANON, off, IO)],
                         handle_state_errors=False)
        if res.status == NFS4ERR_DELAY:
            delays += 1
            if time.monotonic() - t0 > deadline_s:
                raise NfsError("first READ: still DELAY after %d s" % deadline_s)
            time.sleep(0.001)
            continue
        need(res, "first READ")
        if not res.resarray[-1].switch.switch.data:
            raise NfsError("first READ: no data")
        return time.monotonic() - t0, delays
