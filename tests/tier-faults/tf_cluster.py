"""tests/tier-faults/tf_cluster.py -- what tier_faults.py drives: the
MDS of a scripts/strata-local cluster (SIGKILL, start with or without a
failpoint, its log, strata-fsck on its namespace), the admin CLI
(`strata tier ...`, `strata residency`), files through the MDS with a raw
NFSv4.1 client (pynfs, tests/lib/raw41.py; every READ and WRITE retried
through NFS4ERR_DELAY within a deadline), and the S3 bucket through an
independent client (curl --aws-sigv4, the credentials in a netrc file,
never on a command line).

    c = Cluster(args)          # after raw41.load(): args of tier_faults.py
    c.session()                # a new MDS session (polls until it listens)

Every wait is a bounded poll. Errors of the setup (a CLI that cannot
reach the MDS, an MDS that does not start) raise SetupError.
"""
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.parse
import xml.etree.ElementTree as ET

import raw41
import nfs_ops
from xdrdef.nfs4_const import (NFS4_OK, NFS4ERR_DELAY, FILE_SYNC4, OPEN4_CREATE,  # noqa: F401
                               OPEN4_NOCREATE, UNCHECKED4, FATTR4_MODE,
                               OPEN4_SHARE_ACCESS_BOTH, OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
                               OPEN4_SHARE_DENY_NONE, CLAIM_NULL, EXCHGID4_FLAG_USE_PNFS_MDS,
                               nfsstat4)
from xdrdef.nfs4_type import open_owner4, openflag4, open_claim4, createhow4

op = nfs_ops.NFS4ops()
IO = 512 * 1024


class SetupError(Exception):
    pass


def sha(b):
    return hashlib.sha256(b).hexdigest()


def sname(st):
    return nfsstat4.get(st, str(st))


def alive(pid):
    """PID runs (a zombie, reaped late by init, does not)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


class Cluster:
    def __init__(self, args):
        self.a = args
        self.dir = args.dir
        self.s = None

    # ---- the MDS ---------------------------------------------------------

    def mds_pid(self):
        try:
            with open(os.path.join(self.dir, "mds.pid")) as f:
                return int(f.read().split()[0])
        except (FileNotFoundError, ValueError, IndexError):
            return None

    def wait_exit(self, pid, timeout):
        """Poll until PID is gone (True) or TIMEOUT seconds passed."""
        t0 = time.time()
        while time.time() - t0 < timeout:
            if not alive(pid):
                return True
            time.sleep(0.02)
        return not alive(pid)

    def kill(self):
        """SIGKILL the MDS (by its pid file) and wait until it is gone."""
        pid = self.mds_pid()
        if pid and alive(pid):
            os.kill(pid, signal.SIGKILL)
            if not self.wait_exit(pid, 20):
                raise SetupError("the MDS (pid %d) survived SIGKILL" % pid)
        self.s = None

    def start(self, extra=()):
        """Start the MDS from its saved command line (strata-local
        mds-start: its log moves to mds.log.prev) plus EXTRA; a session."""
        p = subprocess.run([self.a.local, "mds-start", "--dir", self.dir, "--index", "1"]
                           + list(extra), capture_output=True, text=True)
        if p.returncode != 0:
            raise SetupError("mds-start %s: %s%s" % (" ".join(extra), p.stdout, p.stderr))
        return self.session()

    def session(self):
        for _ in range(300):          # a restarted MDS may not listen yet
            try:
                self.s = raw41.session(self.a.server, EXCHGID4_FLAG_USE_PNFS_MDS, "tier-faults")
                return self.s
            except Exception:
                time.sleep(0.1)
        raise SetupError("the MDS did not come back")

    def log(self):
        with open(os.path.join(self.dir, "mds.log"), errors="replace") as f:
            return f.read()

    def keep_log(self, name):
        """Copy the MDS's log aside as mds.log.NAME (the sanitizer check of
        tests/lib/loopback.sh reads every mds.log*)."""
        shutil.copy(os.path.join(self.dir, "mds.log"),
                    os.path.join(self.dir, "mds.log." + name))

    def wait_log(self, pattern, timeout):
        """Poll the MDS's log until PATTERN (a regex) matches: the match."""
        t0 = time.time()
        while time.time() - t0 < timeout:
            m = re.search(pattern, self.log(), re.M)
            if m:
                return m
            time.sleep(0.01)
        return None

    def fsck(self):
        """strata-fsck on the namespace (the MDS must be down): (rc, out)."""
        p = subprocess.run([self.a.fsck, "--dir", os.path.join(self.dir, "data", "meta")],
                           capture_output=True, text=True)
        return p.returncode, (p.stdout + p.stderr).strip()

    # ---- the admin CLI ---------------------------------------------------

    def cli(self, *a, timeout=600, env=None):
        p = subprocess.run([self.a.strata, "--dir", self.dir] + list(a),
                           capture_output=True, text=True, timeout=timeout,
                           env=dict(os.environ, **env) if env else None)
        return p.returncode, p.stdout, p.stderr

    def step(self, verb, path):
        """`strata --json tier VERB PATH`: (rc, residency printed or None,
        stderr)."""
        rc, out, err = self.cli("--json", "tier", verb, path)
        try:
            r = json.loads(out)[0]
        except (ValueError, IndexError):
            r = None
        return rc, r, err.strip()

    def step_bg(self, verb, path):
        """The same step in the background: the Popen."""
        return subprocess.Popen([self.a.strata, "--dir", self.dir, "--json", "tier", verb, path],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def residency(self, *paths):
        """`strata --json residency PATH...`: the first path's residency,
        or the list of them for several paths."""
        rc, out, err = self.cli("--json", "residency", *paths)
        if rc != 0:
            raise SetupError("strata residency %s: %s" % (" ".join(paths), err.strip()))
        got = json.loads(out)
        if len(got) != len(paths):
            raise SetupError("strata residency %s: %d answers" % (" ".join(paths), len(got)))
        return got[0] if len(paths) == 1 else got

    def status(self):
        rc, out, err = self.cli("--json", "tier", "status")
        if rc != 0:
            raise SetupError("strata tier status: %s" % err.strip())
        return json.loads(out)

    # ---- files through the MDS -------------------------------------------

    def open(self, name, create=False):
        owner = open_owner4(self.s.client.clientid, b"tier-faults")
        how = (openflag4(OPEN4_CREATE, createhow4(UNCHECKED4, {FATTR4_MODE: 0o644}))
               if create else openflag4(OPEN4_NOCREATE))
        res = self.s.compound([
            op.putrootfh(),
            op.open(0, OPEN4_SHARE_ACCESS_BOTH | OPEN4_SHARE_ACCESS_WANT_NO_DELEG,
                    OPEN4_SHARE_DENY_NONE, owner, how, open_claim4(CLAIM_NULL, name.encode())),
            op.getfh()])
        if res.status != NFS4_OK:
            raise SetupError("OPEN %s: %s" % (name, sname(res.status)))
        return res.resarray[-1].object, res.resarray[-2].stateid

    def close(self, fh, sid):
        self.s.compound([op.putfh(fh), op.close(0, sid)])

    def _retry(self, ops, deadline):
        """One COMPOUND retried through DELAY until DEADLINE: the result."""
        while True:
            res = self.s.compound(ops, handle_state_errors=False)
            if res.status != NFS4ERR_DELAY or time.time() > deadline:
                return res
            time.sleep(0.05)

    def write(self, name, data, create=True, retry_s=120):
        fh, sid = self.open(name, create)
        deadline = time.time() + retry_s
        for off in range(0, len(data), IO):
            res = self._retry([op.putfh(fh), op.write(sid, off, FILE_SYNC4, data[off:off + IO])],
                              deadline)
            if res.status != NFS4_OK:
                raise SetupError("WRITE %s at %d: %s" % (name, off, sname(res.status)))
        self.close(fh, sid)

    def read(self, name, size, retry_s=120, first=None):
        """NAME's bytes through the MDS, each READ retried through DELAY
        for RETRY_S in all: the bytes, or the failing status. FIRST (a
        list) gets the status of the first READ."""
        fh, sid = self.open(name)
        out = bytearray()
        deadline = time.time() + retry_s
        try:
            while True:
                res = self.s.compound([op.putfh(fh), op.read(sid, len(out), IO)],
                                      handle_state_errors=False)
                if first is not None and not first:
                    first.append(res.status)
                if res.status == NFS4ERR_DELAY and time.time() < deadline:
                    time.sleep(0.05)
                    continue
                if res.status != NFS4_OK:
                    return res.status
                r = res.resarray[-1].switch.switch
                out += r.data
                if r.eof or not r.data or len(out) >= size:
                    return bytes(out)
        finally:
            self.close(fh, sid)


class Bucket:
    """The bucket through curl --aws-sigv4 (the independent client)."""

    def __init__(self, endpoint, bucket, netrc, region="us-east-1"):
        self.ep, self.bucket, self.netrc, self.region = endpoint, bucket, netrc, region

    def curl(self, *a, out=subprocess.PIPE):
        return subprocess.run(["curl", "-sS", "--netrc-file", self.netrc, "--aws-sigv4",
                               "aws:amz:%s:s3" % self.region,
                               "-H", "x-amz-content-sha256:UNSIGNED-PAYLOAD"] + list(a),
                              stdout=out, stderr=subprocess.PIPE, timeout=300)

    def create(self):
        """PUT the bucket; a 5xx right after Swift's start is retried."""
        for _ in range(50):
            p = self.curl("-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT",
                          "%s/%s" % (self.ep, self.bucket))
            code = p.stdout.decode().strip()
            if not code.startswith("5"):
                break
            time.sleep(0.2)
        if code not in ("200", "409"):
            raise SetupError("create bucket: HTTP %s" % code)

    def sha(self, key):
        """sha256 of the object's GET, or None when it is not there."""
        p = self.curl("-f", "%s/%s/%s" % (self.ep, self.bucket, key))
        return sha(p.stdout) if p.returncode == 0 else None

    NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"

    def _pages(self, query, item, markers):
        """Every ITEM element's Key of a paged listing: QUERY (a dict),
        MARKERS {query parameter: element of the answer naming it}."""
        keys, q = [], dict(query)
        while True:
            # curl signs the query as given: canonical (sorted, %20)
            qs = urllib.parse.urlencode(sorted(q.items()), quote_via=urllib.parse.quote,
                                        safe="")
            p = self.curl("-f", "%s/%s?%s" % (self.ep, self.bucket, qs))
            if p.returncode != 0:
                raise SetupError("list %s: %s" % (q, p.stderr.decode().strip()))
            root = ET.fromstring(p.stdout)
            keys += [c.find(self.NS + "Key").text for c in root.findall(self.NS + item)]
            t = root.find(self.NS + "IsTruncated")
            if t is None or t.text != "true":
                return keys
            for param, elem in markers.items():
                q[param] = root.find(self.NS + elem).text

    def keys(self, prefix):
        """Every key under PREFIX (ListObjectsV2)."""
        return self._pages({"list-type": "2", "prefix": prefix}, "Contents",
                           {"continuation-token": "NextContinuationToken"})

    def uploads(self, prefix):
        """The keys of the multipart uploads begun and neither completed
        nor aborted under PREFIX (ListMultipartUploads)."""
        return self._pages({"uploads": "", "prefix": prefix}, "Upload",
                           {"key-marker": "NextKeyMarker",
                            "upload-id-marker": "NextUploadIdMarker"})
