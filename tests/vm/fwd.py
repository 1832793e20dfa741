#!/usr/bin/python3
# fwd.py PORT [HOST]: qemu slirp guestfwd helper. qemu runs it once per guest
# TCP connection with stdin/stdout joined to that connection; it connects to
# HOST:PORT (default 127.0.0.1) and copies bytes both ways.
#
# Why not `busybox nc`: libslirp joins the command to the guest connection
# with a TCP socket pair over loopback (slirp_socketpair_with_oob), and slirp's
# end has Nagle on. An RPC that reaches slirp as several guest segments (any
# NFS WRITE over 1 MSS) goes out as one small segment, and the rest waits for
# our ACK, which Linux delays by 40 ms. The same happens on the server side of
# nc. Result: every NFS READ/WRITE took ~45 ms and fsx/tar ran ~10x slower.
# Here: TCP_QUICKACK (re-armed after every read) and TCP_NODELAY on the slirp
# side, TCP_NODELAY towards the server, 1 MiB reads. FWD_QUICKACK=0 in qemu's
# environment turns the quick ACKs off (for comparison: 4 KiB O_DIRECT WRITE
# RTT ~45 ms without, ~4 ms with).
import os, select, socket, sys

def main():
    port = int(sys.argv[1])
    host = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
    try:
        srv = socket.create_connection((host, port))
    except OSError as e:
        sys.stderr.write("fwd.py: connect %s:%d: %s\n" % (host, port, e))
        return 1
    srv.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # stdin and stdout are the same socket (slirp's socket pair, normally TCP)
    g = socket.socket(fileno=os.dup(0))
    g.setblocking(True)
    tcp = g.family in (socket.AF_INET, socket.AF_INET6)
    quickack = tcp and hasattr(socket, "TCP_QUICKACK") and os.environ.get("FWD_QUICKACK", "1") != "0"
    if tcp:
        g.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    rd = [g, srv]
    while rd:
        if quickack:
            g.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        r, _, _ = select.select(rd, [], [])
        if g in r:
            try:
                b = g.recv(1 << 20)
            except ConnectionResetError:
                b = b""
            if quickack:
                g.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            if b:
                srv.sendall(b)
            else:                       # guest closed its side
                rd.remove(g)
                try:
                    srv.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
        if srv in r:
            try:
                b = srv.recv(1 << 20)
            except ConnectionResetError:
                b = b""
            if b:
                g.sendall(b)
            else:                       # server closed: done
                return 0
    return 0

if __name__ == "__main__":
    try:
        sys.exit(main())
    except (BrokenPipeError, ConnectionResetError):
        sys.exit(0)
