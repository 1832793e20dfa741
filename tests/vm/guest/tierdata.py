"""tests/vm/guest/tierdata.py -- the tier VM test's files (guest side of
tests/vm/run-tier.sh, called by tests/vm/guest/tier-test.sh).

Every file's bytes are a function of its name and size: MiB chunk C of
file NAME of SIZE bytes is random.Random("NAME:C").randbytes(L), L the
chunk's length (1 MiB but for the last). So any range of any file can be
checked without a copy kept anywhere.

  tierdata.py write DIR ROOT MANIFEST NAME:SIZE...
      writes each file (fsync), appends "ROOT/NAME FILEID SIZE SHA256" to
      MANIFEST (FILEID as 16 hex digits, the path from the namespace root)
  tierdata.py check DIR NAME:SIZE...
      reads each file whole; its bytes must be the expected ones
  tierdata.py range DIR NAME SIZE OFFSET LENGTH
      pread of LENGTH bytes at OFFSET: the expected bytes
  tierdata.py expect DIR NAME SIZE [--append N] [--cut N]
      the file must hold NAME's first SIZE bytes, cut to N (--cut), then N
      bytes of b"appended!" repeated (--append)
  tierdata.py many DIR ROOT MANIFEST N
      N small files m0000..: 1,000-8,999 bytes each
  tierdata.py holes-write DIR, then tierdata.py holes DIR
      the end of a file as the data servers see it (a short READ of a
      dense stripe object, nfsd/ops/op_ds_io.c). After drop_caches (the
      caller drops):
      - a file with holes over stripe units (a byte at 0 and at
        3 MiB + 5) reads back with zeros in the holes; O_DIRECT reads of
        8 KiB at 3 MiB return its 6 bytes, at 0 all 8 KiB (a hole at the
        end of the first unit is no end of the file);
      - a 6-byte file: an O_DIRECT read of 8 KiB returns its 6 bytes;
      - a 6-byte file read (a layout for a small file), a byte written
        at 3 MiB and fsynced through the same open file: an O_DIRECT read
        of 8 KiB at 0 returns 8 KiB (the 6 bytes, zeros)
  tierdata.py many-check DIR N THREADS
      all N read at once by THREADS threads: every one exact, no error
Exit 0 when every check holds; failures are printed, one a line.
"""
import concurrent.futures
import hashlib
import os
import random
import sys
import time

MiB = 1 << 20


def chunk(name, c, size):
    return random.Random("%s:%d" % (name, c)).randbytes(min(MiB, size - c * MiB))


def expected(name, off, n, size):
    out = bytearray()
    n = min(n, size - off)
    while n > 0:
        c, o = divmod(off, MiB)
        piece = chunk(name, c, size)[o:o + n]
        out += piece
        off += len(piece)
        n -= len(piece)
    return bytes(out)


def write(d, root, manifest, specs):
    with open(manifest, "a") as man:
        for spec in specs:
            name, size = spec.rsplit(":", 1)
            size = int(size)
            path = os.path.join(d, name)
            h = hashlib.sha256()
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            off = 0
            while off < size:
                b = chunk(name, off // MiB, size)
                mv = memoryview(b)
                while mv:
                    k = os.write(fd, mv)
                    mv = mv[k:]
                h.update(b)
                off += len(b)
            os.fsync(fd)
            os.close(fd)
            man.write("%s/%s %016x %d %s\n" % (root, name, os.stat(path).st_ino,
                                               size, h.hexdigest()))
    return 0


def where(got, want):
    """Where GOT first differs from WANT, how far, and what it holds."""
    n = min(len(got), len(want))
    i = next((k for k in range(0, n, 4096) if got[k:k + 4096] != want[k:k + 4096]), n)
    j = i
    while j < n and got[j:j + 4096] != want[j:j + 4096]:
        j += 4096
    if i >= n:
        return ""
    piece = got[i:min(j, n)]
    what = "zeros" if not piece.strip(b"\0") else \
        "bytes of offset %d" % want.find(piece[:64]) if want.find(piece[:64]) >= 0 else "unknown bytes"
    return ": differs in [%d, %d) (%d MiB units %d-%d): %s" % (
        i, j, j - i, i >> 20, (j - 1) >> 20, what)


def read_whole(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        out, off = [], 0
        while True:
            b = os.pread(fd, MiB, off)
            if not b:
                return b"".join(out)
            out.append(b)
            off += len(b)
    finally:
        os.close(fd)


def check(d, specs):
    bad = 0
    for spec in specs:
        name, size = spec.rsplit(":", 1)
        size = int(size)
        t0 = time.monotonic()
        try:
            got = read_whole(os.path.join(d, name))
        except OSError as e:
            print("ASSERT: %s: read failed: %s" % (name, e))
            bad += 1
            continue
        want = expected(name, 0, size, size)
        if got != want:
            print("ASSERT: %s: %d bytes read, not the %d written%s" %
                  (name, len(got), size, where(got, want)))
            bad += 1
        else:
            print("tier: %s %d bytes exact in %.2f s" %
                  (name, size, time.monotonic() - t0))
    return 1 if bad else 0


def rng(d, name, size, off, n):
    fd = os.open(os.path.join(d, name), os.O_RDONLY)
    try:
        got = os.pread(fd, n, off)
    finally:
        os.close(fd)
    if got != expected(name, off, n, size):
        print("ASSERT: %s [%d, +%d): wrong bytes (%d read)" % (name, off, n, len(got)))
        return 1
    print("tier: %s [%d, +%d) exact" % (name, off, n))
    return 0


def expect(d, name, size, args):
    want = expected(name, 0, size, size)
    if "--cut" in args:
        want = want[:int(args[args.index("--cut") + 1])]
    if "--append" in args:
        n = int(args[args.index("--append") + 1])
        want += (b"appended!" * (n // 9 + 1))[:n]
    got = read_whole(os.path.join(d, name))
    if got != want:
        print("ASSERT: %s: %d bytes, not the %d expected (or different)" %
              (name, len(got), len(want)))
        return 1
    print("tier: %s holds the %d expected bytes" % (name, len(want)))
    return 0


def many_size(i):
    return 1000 + (i * 7919) % 8000


def many(d, root, manifest, n):
    return write(d, root, manifest,
                 ["m%04d:%d" % (i, many_size(i)) for i in range(n)])


def many_check(d, n, threads):
    def one(i):
        name = "m%04d" % i
        try:
            got = read_whole(os.path.join(d, name))
        except OSError as e:
            return "%s: %s" % (name, e)
        size = many_size(i)
        return None if got == expected(name, 0, size, size) else \
            "%s: wrong bytes" % name
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(threads) as ex:
        errs = [e for e in ex.map(one, range(n)) if e]
    for e in errs[:20]:
        print("ASSERT: %s" % e)
    print("tier: %d files read by %d threads in %.1f s, %d errors" %
          (n, threads, time.monotonic() - t0, len(errs)))
    return 1 if errs else 0


def holes_write(d):
    fd = os.open(os.path.join(d, "holes"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.pwrite(fd, b"A", 0)
    os.pwrite(fd, b"B", 3 * MiB + 5)
    os.fsync(fd)
    os.close(fd)
    for name in ("small", "grow"):
        with open(os.path.join(d, name), "wb") as f:
            f.write(b"small\n")
            f.flush()
            os.fsync(f.fileno())
    return 0


def direct_read(path, off, n=8192):
    """O_DIRECT pread of N bytes at OFF: the bytes returned."""
    import mmap
    buf = mmap.mmap(-1, n)
    fd = os.open(path, os.O_RDONLY | os.O_DIRECT)
    try:
        got = os.preadv(fd, [buf], off)
    finally:
        os.close(fd)
    return bytes(buf[:got])


def expect_direct(what, path, off, want):
    got = direct_read(path, off)
    if got != want:
        print("ASSERT: holes: %s: O_DIRECT read of 8192 at %d gave %d bytes, "
              "not the %d expected%s" % (what, off, len(got), len(want), where(got, want)))
        return 1
    print("tier: holes: %s: O_DIRECT read of 8192 at %d: its %d bytes" % (what, off, len(got)))
    return 0


def holes_check(d):
    path = os.path.join(d, "holes")
    want = b"A" + bytes(3 * MiB + 4) + b"B"
    got = read_whole(path)
    bad = 0
    if got != want:
        print("ASSERT: holes: %d bytes read, not the %d expected%s" %
              (len(got), len(want), where(got, want)))
        bad = 1
    else:
        print("tier: holes: %d bytes, zeros in the holes" % len(got))
    bad |= expect_direct("holes", path, 3 * MiB, want[3 * MiB:])
    bad |= expect_direct("holes", path, 0, want[:8192])
    bad |= expect_direct("small", os.path.join(d, "small"), 0, b"small\n")
    path = os.path.join(d, "grow")
    fd = os.open(path, os.O_RDWR)
    try:
        if os.pread(fd, 4096, 0) != b"small\n":
            print("ASSERT: holes: grow: not its 6 bytes before the write")
            bad = 1
        os.pwrite(fd, b"Z", 3 * MiB)
        os.fsync(fd)
        bad |= expect_direct("grow", path, 0, b"small\n" + bytes(8192 - 6))
    finally:
        os.close(fd)
    return bad


def main(a):
    cmd = a[0]
    if cmd == "write":
        return write(a[1], a[2], a[3], a[4:])
    if cmd == "check":
        return check(a[1], a[2:])
    if cmd == "range":
        return rng(a[1], a[2], int(a[3]), int(a[4]), int(a[5]))
    if cmd == "expect":
        return expect(a[1], a[2], int(a[3]), a[4:])
    if cmd == "many":
        return many(a[1], a[2], a[3], int(a[4]))
    if cmd == "holes-write":
        return holes_write(a[1])
    if cmd == "holes":
        return holes_check(a[1])
    if cmd == "many-check":
        return many_check(a[1], int(a[2]), int(a[3]))
    print("tierdata.py: unknown command %s" % cmd)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
