"""Helpers of the VM tests' guest-side Python processes (imported from
$VMTEST_HARNESS/guest by tests/vm/guest/rdma-test.sh; reclaim-test.sh
still has its own copy): handshake files between processes, and whole
writes and reads at offsets."""
import os, time


def mark(ctl, name, text=''):
    """Create CTL/NAME atomically: '<monotonic seconds> TEXT'."""
    tmp = os.path.join(ctl, '.' + name)
    with open(tmp, 'w') as f:
        f.write('%.3f %s\n' % (time.monotonic(), text))
    os.rename(tmp, os.path.join(ctl, name))


def wait(ctl, name, timeout):
    """Until CTL/NAME exists; RuntimeError after TIMEOUT seconds."""
    p, end = os.path.join(ctl, name), time.monotonic() + timeout
    while not os.path.exists(p):
        if time.monotonic() > end:
            raise RuntimeError('timeout waiting for ' + name)
        time.sleep(0.05)


def pwrite_all(fd, data, off):
    mv = memoryview(data)
    while mv:
        n = os.pwrite(fd, mv, off)
        mv = mv[n:]
        off += n


def read_all(fd):
    out, off = [], 0
    while True:
        b = os.pread(fd, 1 << 20, off)
        if not b:
            return b''.join(out)
        out.append(b)
        off += len(b)
