#!/bin/bash
# tests/vm/test-pcap-bytes.sh [--port P] [--keep DIR]
# Unit test of tests/vm/pcap_bytes.py (the pNFS test's byte counter), on the host.
#   1. synthetic captures written here, one per format the analyser reads:
#      Ethernet (+ an 802.1Q tag), Linux cooked SLL and SLL2, BSD null, raw
#      IP, big-endian with nanosecond timestamps; with IP and TCP options, a
#      TSO segment (IP total length 0), a UDP, an IPv6, an ARP packet and a
#      non-first IP fragment (all not counted), a truncated last record:
#      every endpoint's to/from byte counts must be exact.
#   2. a real capture: tcpdump -i lo -s 96 while Python moves known byte
#      counts over TCP between 127.0.0.1 sockets on ports P..P+4 (P = "mds",
#      P+1..P+3 = three "data servers", P+4 = unlisted, must land in
#      "(other)"); the counts per endpoint and direction must be exact, the
#      checks must pass with the defaults and fail with --min-ds-share 0.999
#      and with --balance 0.01.
# Part 2 needs tcpdump and the right to capture (root / CAP_NET_RAW): without
# them it is skipped (exit 77 when part 1 passed). Default P: 20790.
# Exit: 0 pass, 1 fail, 77 part 2 skipped, 2 usage.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PORT=20790; KEEP=""
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT=$2; shift 2;;
    --keep) KEEP=$2; shift 2;;
    *) sed -n '2,18p' "$0"; exit 2;;
  esac
done
[[ $PORT =~ ^[0-9]+$ ]] || { echo "test-pcap-bytes: bad --port" >&2; exit 2; }
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
if [ -n "$KEEP" ]; then mkdir -p "$KEEP"; W=$(cd "$KEEP" && pwd)
else W=$(mktemp -d /tmp/test-pcap-bytes.XXXXXX); trap 'rm -rf "$W"' EXIT; fi
TCPDUMP=$(command -v tcpdump || true)
$PY - "$HERE/pcap_bytes.py" "$W" "$PORT" "$TCPDUMP" <<'EOF'
import importlib.util, os, random, signal, socket, struct, subprocess, sys, threading, time

tool, work, port, tcpdump = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
sys.dont_write_bytecode = True      # no __pycache__ in the checkout
spec = importlib.util.spec_from_file_location("pcap_bytes", tool)
pb = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pb)
fails = []

def check(cond, what):
    print("  %s %s" % ("ok  " if cond else "FAIL", what))
    if not cond:
        fails.append(what)

def run_tool(args):
    p = subprocess.run([sys.executable, tool] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout

def read_tsv(path):
    rows = {}
    with open(path) as f:
        next(f)
        for line in f:
            ep, role, segs, to, frm = line.rstrip("\n").split("\t")
            rows[ep] = (role, int(segs), int(to), int(frm))
    return rows

# ---------------------------------------------------------------- part 1
CLIENT = "10.0.2.15"
EPS = [("mds", "10.0.2.100", 20740), ("ds1", "10.0.2.101", 2049),
       ("ds2", "10.0.2.102", 2049), ("ds3", "10.0.2.103", 2049)]
EPARGS = ["--mds", "10.0.2.100:20740", "--ds", "10.0.2.101:2049", "--ds", "10.0.2.102:2049", "--ds", "10.0.2.103:2049"]

def ip4(s):
    return bytes(int(x) for x in s.split("."))

def tcp_ip(src, dst, sport, dport, pay, ipopt=b"", tcpopt=b"", tso=False, frag=0, proto=6):
    tcp = struct.pack(">HHIIBBHHH", sport, dport, 1, 1, ((20 + len(tcpopt)) // 4) << 4, 0x18, 65535, 0, 0) + tcpopt
    if proto == 17:
        tcp = struct.pack(">HHHH", sport, dport, 8 + pay, 0)
    ihl = (20 + len(ipopt)) // 4
    tot = 0 if tso else ihl * 4 + len(tcp) + pay
    ip = struct.pack(">BBHHHBBH4s4s", 0x40 | ihl, 0, tot, 7, frag, 64, proto, 0, ip4(src), ip4(dst)) + ipopt
    return ip + tcp, pay   # headers, payload length (payload bytes themselves: zeros)

def link(lt, hdrs, be):
    if lt == 1:
        return b"\x02" * 6 + b"\x04" * 6 + b"\x81\x00\x00\x05" + b"\x08\x00" + hdrs
    if lt == 113:
        return struct.pack(">HHH8sH", 0, 1, 6, b"\x02" * 8, 0x0800) + hdrs
    if lt == 276:
        return struct.pack(">HHIHBB8s", 0x0800, 0, 1, 1, 0, 6, b"\x02" * 8) + hdrs
    if lt == 0:
        return struct.pack(">I" if be else "<I", 2) + hdrs
    return hdrs   # 101 raw

def synth(path, lt, be=False, nsec=False, snap=96):
    """Write a capture; return the expected {endpoint: (to, from)} and other bytes."""
    rnd = random.Random(lt * 7 + be)
    e = ">" if be else "<"
    recs = []
    exp = {name: [0, 0] for name, _, _ in EPS}
    other = 0
    for i in range(400):
        name, sip, sport = EPS[i % 4]
        cport = 40000 + i % 3
        pay = rnd.choice([0, 0, 1, 100, 1448, 8948, 65000])
        up = rnd.random() < 0.5
        kw = {}
        if i % 17 == 0:
            kw["ipopt"] = b"\x01\x01\x01\x00"          # NOP NOP NOP EOL
        if i % 5 == 0:
            kw["tcpopt"] = b"\x01\x01\x08\x0a" + b"\x00" * 8   # timestamps
        if i % 29 == 0 and pay:
            kw["tso"] = True
        h, n = tcp_ip(CLIENT, sip, cport, sport, pay, **kw) if up else tcp_ip(sip, CLIENT, sport, cport, pay, **kw)
        exp[name][0 if up else 1] += n
        recs.append((link(lt, h, be), n))
    # an unlisted flow ("other"), and packets that must not count
    h, n = tcp_ip(CLIENT, "10.0.2.100", 40100, 111, 500); other += n; recs.append((link(lt, h, be), n))
    h, n = tcp_ip(CLIENT, "10.0.2.101", 40101, 2049, 300, proto=17); recs.append((link(lt, h, be), n))        # UDP
    h, n = tcp_ip(CLIENT, "10.0.2.101", 40101, 2049, 300, frag=0x2010); recs.append((link(lt, h, be), n))    # fragment
    v6 = b"\x60" + b"\x00" * 39 + b"\x00" * 20
    if lt == 1:
        recs.append((b"\x02" * 12 + b"\x86\xdd" + v6, 0))
        recs.append((b"\xff" * 6 + b"\x04" * 6 + b"\x08\x06" + b"\x00" * 28, 0))                             # ARP
    elif lt == 113:
        recs.append((struct.pack(">HHH8sH", 0, 1, 6, b"\x02" * 8, 0x86dd) + v6, 0))
    elif lt == 276:
        recs.append((struct.pack(">HHIHBB8s", 0x86dd, 0, 1, 1, 0, 6, b"\x02" * 8) + v6, 0))
    elif lt == 0:
        recs.append((struct.pack(">I" if be else "<I", 24) + v6, 0))
    else:
        recs.append((v6, 0))
    with open(path, "wb") as f:
        f.write(struct.pack(e + "IHHiIII", 0xa1b23c4d if nsec else 0xa1b2c3d4, 2, 4, 0, 0, snap, lt))
        for k, (fr, n) in enumerate(recs):
            orig = len(fr) + n
            cap = fr[:snap]
            f.write(struct.pack(e + "IIII", 1700000000 + k, 5, len(cap), orig) + cap)
        f.write(struct.pack(e + "IIII", 1, 2, 80, 80) + b"\x00" * 10)    # truncated last record
    return exp, other, len(recs)

print("part 1: synthetic captures")
for lt, be, nsec in [(1, False, False), (113, False, False), (276, False, False), (0, False, False),
                     (101, False, False), (1, True, True), (276, True, False)]:
    path = os.path.join(work, "synth-%d%s.pcap" % (lt, "-be" if be else ""))
    exp, other, nrec = synth(path, lt, be, nsec)
    tsv = path + ".tsv"
    rc, out = run_tool(EPARGS + ["--no-check", "--tsv", tsv, path])
    label = "link type %d%s%s" % (lt, ", big-endian" if be else "", ", nsec" if nsec else "")
    check(rc == 0, "%s: exit 0 (got %d)" % (label, rc))
    if rc != 0:
        print(out)
        continue
    rows = read_tsv(tsv)
    for name, ip, p in EPS:
        got = rows.get("%s:%d" % (ip, p))
        want = (exp[name][0], exp[name][1])
        check(got is not None and (got[2], got[3]) == want,
              "%s: %s to/from = %s, want %s" % (label, name, got and (got[2], got[3]), want))
    check(rows["(other)"][2] == other, "%s: (other) = %d, want %d" % (label, rows["(other)"][2], other))
    check("%d packets, 401 TCP/IPv4 segments, %d other packets, last record truncated" % (nrec, nrec - 401) in out,
          "%s: %d packets, 401 TCP segments, truncated record noticed" % (label, nrec))
# checks on a synthetic capture: with the defaults it must fail (the mds has ~25%)
rc, out = run_tool(EPARGS + [os.path.join(work, "synth-1.pcap")])
check(rc == 1 and "pcap_bytes: FAIL: data servers carry" in out, "synthetic: ds share check fails when the mds carries a quarter (rc %d)" % rc)
rc, out = run_tool(EPARGS + ["--min-ds-share", "0.5", "--balance", "0.99", os.path.join(work, "synth-1.pcap")])
check(rc == 0 and "pcap_bytes: PASS" in out, "synthetic: passes with --min-ds-share 0.5 --balance 0.99 (rc %d)" % rc)
open(os.path.join(work, "notpcap"), "wb").write(b"hello world, not a capture")
rc, out = run_tool(EPARGS + [os.path.join(work, "notpcap")])
check(rc == 2 and "not a pcap file" in out, "not a pcap: exit 2 (got %d)" % rc)

# ---------------------------------------------------------------- part 2
print("part 2: live capture on lo (ports %d-%d)" % (port, port + 4))
skip = None
if not tcpdump:
    skip = "no tcpdump"
if skip is None:
    pcap = os.path.join(work, "lo.pcap")
    td = subprocess.Popen([tcpdump, "-i", "lo", "-s", "96", "-n", "-U", "--immediate-mode", "-Z", "root", "-w", pcap,
                           "tcp and portrange %d-%d" % (port, port + 4)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    errlines, listening = [], threading.Event()
    def drain():     # tcpdump says "listening on lo" once its capture is open
        for line in td.stderr:
            errlines.append(line)
            if "listening on" in line:
                listening.set()
        listening.set()
    threading.Thread(target=drain, daemon=True).start()
    listening.wait(15)
    if not any("listening on" in l for l in errlines):
        if td.poll() is None:
            td.kill()
        td.wait()
        skip = "tcpdump cannot capture: " + "".join(errlines).strip()
if skip:
    print("  SKIP: %s" % skip)
    print("test-pcap-bytes: part 1 %s, part 2 SKIPPED" % ("FAILED" if fails else "passed"))
    sys.exit(1 if fails else 77)

# endpoint: (bytes client->server, bytes server->client)
plan = {port: (1000, 3000), port + 1: (300000, 400000), port + 2: (350000, 330000),
        port + 3: (320000, 370000), port + 4: (5000, 0)}
got = {}
lsocks = {}
for p in plan:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", p))
    s.listen(4)
    lsocks[p] = s

def serve(p):
    c, _ = lsocks[p].accept()
    n = 0
    while True:
        b = c.recv(65536)
        if not b:
            break
        n += len(b)
    got[p] = n
    c.sendall(b"s" * plan[p][1])
    c.close()

def send_in_pieces(c, n, rnd):
    while n:
        k = min(n, rnd.choice([1, 7, 1000, 1448, 4096, 65536, 200000]))
        c.sendall(b"c" * k)
        n -= k

rnd = random.Random(5)
for p in plan:
    t = threading.Thread(target=serve, args=(p,))
    t.start()
    c = socket.create_connection(("127.0.0.1", p))
    send_in_pieces(c, plan[p][0], rnd)
    c.shutdown(socket.SHUT_WR)
    back = 0
    while True:
        b = c.recv(65536)
        if not b:
            break
        back += len(b)
    c.close()
    t.join()
    check(got[p] == plan[p][0] and back == plan[p][1], "port %d: the sockets moved %d/%d bytes (want %d/%d)" % (p, got[p], back, *plan[p]))
# Sync: a last flow carries a marker in its payload (inside the 96-byte snap);
# tcpdump writes packets in order (-U: one write per packet), so once the
# marker is in the file, every earlier packet is too.
marker = b"PCAPBYTES-END-%d" % os.getpid()
t = threading.Thread(target=serve, args=(port + 4,))
plan[port + 4] = (5000 + len(marker), 0)
t.start()
c = socket.create_connection(("127.0.0.1", port + 4))
c.sendall(marker)
c.shutdown(socket.SHUT_WR)
c.recv(1)
c.close()
t.join()
deadline = time.time() + 20
while marker not in open(pcap, "rb").read():
    if time.time() > deadline:
        check(False, "marker seen in the capture within 20 s")
        break
    time.sleep(0.05)
td.send_signal(signal.SIGINT)
td.wait(timeout=20)
time.sleep(0.1)
print("  tcpdump: " + " / ".join(l.strip() for l in errlines if l.strip()))

tsv = pcap + ".tsv"
args = ["--mds", "127.0.0.1:%d" % port] + sum([["--ds", "127.0.0.1:%d" % (port + i)] for i in (1, 2, 3)], [])
rc, out = run_tool(args + ["--tsv", tsv, pcap])
print("\n".join("    " + l for l in out.splitlines()))
check(rc == 0, "live: checks pass with the defaults (exit %d)" % rc)
rows = read_tsv(tsv)
for p in (port, port + 1, port + 2, port + 3):
    r = rows["127.0.0.1:%d" % p]
    check((r[2], r[3]) == plan[p], "live: 127.0.0.1:%d to/from = %d/%d, want %d/%d" % (p, r[2], r[3], *plan[p]))
check(rows["(other)"][2] == 5000 + len(marker), "live: (other) = %d, want %d" % (rows["(other)"][2], 5000 + len(marker)))
rc, out = run_tool(args + ["--min-ds-share", "0.999", pcap])
check(rc == 1 and "data servers carry" in out, "live: --min-ds-share 0.999 fails (exit %d)" % rc)
rc, out = run_tool(args + ["--balance", "0.01", pcap])
check(rc == 1 and "from the mean" in out, "live: --balance 0.01 fails (exit %d)" % rc)
print("test-pcap-bytes: %s" % ("FAIL (%d)" % len(fails) if fails else "PASS"))
sys.exit(1 if fails else 0)
EOF
