#!/usr/bin/python3
"""pcap_bytes.py -- TCP payload bytes per server endpoint in a pcap file.

  pcap_bytes.py [--mds IP:PORT]... [--ds IP:PORT]... [--min-ds-share F]
                [--balance F] [--no-check] [--tsv FILE] PCAP

Reads a classic pcap file (tcpdump -w; either byte order, usec or nsec
timestamps; link types Ethernet (with VLAN tags), Linux cooked SLL and SLL2,
BSD loopback/null and raw IP), takes every IPv4 TCP segment and counts its
payload as IP total length - IP header - TCP header, so a short snap length
(tcpdump -s 96) is enough; a segment with IP total length 0 (TSO) counts
from the original wire length instead. Bytes are summed per server endpoint
given with --mds / --ds (a segment to IP:PORT counts as to-server, one from
IP:PORT as from-server); segments of no given endpoint go to "(other)".

Prints a table (endpoint, role, segments, bytes to the server, from it,
total, share of all TCP payload in the capture). With at least one --ds and
no --no-check it also checks (exit 1 if not met):
  * the data servers carry >= --min-ds-share (default 0.95) of all payload;
  * each data server's total is within +-BALANCE (default 0.20) of the mean
    of the data servers' totals.
--tsv FILE writes the table as tab-separated values: endpoint, role,
segments, to_server, from_server (rows "(other)" and "(all)" included).
Exit: 0 ok, 1 a check failed, 2 usage error or unreadable capture.
Python 3 standard library only (runs in the test VM too).
"""
import argparse
import struct
import sys

LINKTYPES = {0: "NULL", 1: "EN10MB", 12: "RAW", 14: "RAW", 101: "RAW",
             108: "LOOP", 113: "LINUX_SLL", 228: "IPV4", 276: "LINUX_SLL2"}


class PcapError(Exception):
    pass


def read_pcap(path):
    """Return (linktype, {(src_ip4, dst_ip4, sport, dport): [segments, bytes]}, stats)."""
    with open(path, "rb") as f:
        buf = f.read()
    if len(buf) < 24:
        raise PcapError("%s: too short for a pcap header (%d bytes)" % (path, len(buf)))
    magic = buf[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    elif magic == b"\x0a\x0d\x0d\x0a":
        raise PcapError("%s: pcapng is not supported (tcpdump -w writes pcap)" % path)
    else:
        raise PcapError("%s: not a pcap file (magic %s)" % (path, magic.hex()))
    linktype = struct.unpack(e + "I", buf[20:24])[0] & 0x0FFFFFFF
    if linktype not in LINKTYPES:
        raise PcapError("%s: unsupported link type %d" % (path, linktype))
    rec = struct.Struct(e + "IIII")
    unpack_rec = rec.unpack_from
    u16 = struct.Struct(">H").unpack_from
    flows = {}
    packets = tcp = skipped = 0
    truncated = False
    off, n = 24, len(buf)
    while off < n:
        if off + 16 > n:
            truncated = True
            break
        _, _, incl, orig = unpack_rec(buf, off)
        p = off + 16
        off = p + incl
        if off > n:
            truncated = True
            break
        packets += 1
        # link layer -> offset of the IPv4 header, or skip
        if linktype == 1:
            et = u16(buf, p + 12)[0] if incl >= 14 else 0
            ip = p + 14
            while et in (0x8100, 0x88A8) and ip + 4 <= off:
                et = u16(buf, ip + 2)[0]
                ip += 4
            if et != 0x0800:
                skipped += 1
                continue
        elif linktype == 113:
            if incl < 16 or u16(buf, p + 14)[0] != 0x0800:
                skipped += 1
                continue
            ip = p + 16
        elif linktype == 276:
            if incl < 20 or u16(buf, p)[0] != 0x0800:
                skipped += 1
                continue
            ip = p + 20
        elif linktype in (0, 108):
            if incl < 4:
                skipped += 1
                continue
            fam = struct.unpack_from((e if linktype == 0 else ">") + "I", buf, p)[0]
            if fam != 2:
                skipped += 1
                continue
            ip = p + 4
        else:
            ip = p
        if ip + 20 > off:
            skipped += 1
            continue
        vihl = buf[ip]
        ihl = (vihl & 15) * 4
        if vihl >> 4 != 4 or buf[ip + 9] != 6 or ihl < 20 or (u16(buf, ip + 6)[0] & 0x1FFF):
            skipped += 1                # not IPv4, not TCP, or a non-first fragment
            continue
        th = ip + ihl
        if th + 13 > off:
            skipped += 1                # TCP header not captured
            continue
        thl = (buf[th + 12] >> 4) * 4
        totlen = u16(buf, ip + 2)[0]
        if totlen == 0:
            totlen = orig - (ip - p)
        pay = totlen - ihl - thl
        if pay < 0:
            skipped += 1
            continue
        tcp += 1
        key = buf[ip + 12:ip + 20] + buf[th:th + 4]
        v = flows.get(key)
        if v is None:
            flows[key] = [1, pay]
        else:
            v[0] += 1
            v[1] += pay
    out = {}
    for key, v in flows.items():
        src, dst = ".".join(map(str, key[0:4])), ".".join(map(str, key[4:8]))
        sport, dport = struct.unpack(">HH", key[8:12])
        out[(src, dst, sport, dport)] = v
    return linktype, out, {"packets": packets, "tcp": tcp, "skipped": skipped, "truncated": truncated}


def endpoint(s):
    host, sep, port = s.rpartition(":")
    parts = host.split(".")
    if not sep or not port.isdigit() or len(parts) != 4 or not all(x.isdigit() and int(x) < 256 for x in parts):
        raise argparse.ArgumentTypeError("want IPv4:PORT, not %r" % s)
    return (".".join(str(int(x)) for x in parts), int(port))


def summarise(flows, eps):
    """eps: [(name, role, (ip, port))] -> rows [name, role, segs, to, from] + other + all."""
    rows = {name: [name, role, 0, 0, 0] for name, role, _ in eps}
    by_ep = {ep: name for name, _, ep in eps}
    other = ["(other)", "-", 0, 0, 0]
    for (src, dst, sport, dport), (segs, nbytes) in flows.items():
        if (dst, dport) in by_ep:
            r, col = rows[by_ep[(dst, dport)]], 3
        elif (src, sport) in by_ep:
            r, col = rows[by_ep[(src, sport)]], 4
        else:
            r, col = other, 3           # unattributed: counted once, as "to"
        r[2] += segs
        r[col] += nbytes
    out = [rows[name] for name, _, _ in eps] + [other]
    out.append(["(all)", "-", sum(r[2] for r in out), sum(r[3] for r in out), sum(r[4] for r in out)])
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description="TCP payload bytes per server endpoint in a pcap")
    ap.add_argument("pcap")
    ap.add_argument("--mds", type=endpoint, action="append", default=[], metavar="IP:PORT")
    ap.add_argument("--ds", type=endpoint, action="append", default=[], metavar="IP:PORT")
    ap.add_argument("--min-ds-share", type=float, default=0.95)
    ap.add_argument("--balance", type=float, default=0.20)
    ap.add_argument("--no-check", action="store_true")
    ap.add_argument("--tsv")
    a = ap.parse_args(argv)
    eps = [("%s:%d" % ep, "mds", ep) for ep in a.mds]
    eps += [("%s:%d" % ep, "ds%d" % (i + 1), ep) for i, ep in enumerate(a.ds)]
    if len({ep for _, _, ep in eps}) != len(eps):
        ap.error("an endpoint is given twice")
    try:
        lt, flows, st = read_pcap(a.pcap)
    except (OSError, PcapError) as ex:
        print("pcap_bytes: %s" % ex, file=sys.stderr)
        return 2
    rows = summarise(flows, eps)
    total = rows[-1][3] + rows[-1][4]
    print("pcap %s: link type %d (%s), %d packets, %d TCP/IPv4 segments, %d other packets%s"
          % (a.pcap, lt, LINKTYPES[lt], st["packets"], st["tcp"], st["skipped"],
             ", last record truncated" if st["truncated"] else ""))
    print("%-22s %-5s %9s %13s %13s %13s %7s" % ("endpoint", "role", "segments", "to-server", "from-server", "total", "share"))
    for r in rows:
        t = r[3] + r[4]
        print("%-22s %-5s %9d %13d %13d %13d %6.2f%%" % (r[0], r[1], r[2], r[3], r[4], t, 100.0 * t / total if total else 0.0))
    if a.tsv:
        with open(a.tsv, "w") as f:
            f.write("endpoint\trole\tsegments\tto_server\tfrom_server\n")
            for r in rows:
                f.write("\t".join(str(x) for x in r) + "\n")
    if not a.ds or a.no_check:
        return 0
    fails = []
    dsrows = [r for r in rows if r[1].startswith("ds")]
    dstot = [r[3] + r[4] for r in dsrows]
    share = sum(dstot) / total if total else 0.0
    if total == 0:
        fails.append("no TCP payload in the capture")
    print("data servers: %.2f%% of all payload bytes (need >= %.2f%%)" % (100 * share, 100 * a.min_ds_share))
    if share < a.min_ds_share:
        fails.append("data servers carry %.2f%% of the payload bytes, need >= %.2f%%" % (100 * share, 100 * a.min_ds_share))
    mean = sum(dstot) / len(dstot)
    devs = []
    for r, t in zip(dsrows, dstot):
        d = (t - mean) / mean if mean else float("inf")
        devs.append("%s %+.1f%%" % (r[1], 100 * d))
        if abs(d) > a.balance:
            fails.append("%s (%s) has %d bytes, %+.1f%% from the mean %.0f (allowed +-%.0f%%)"
                         % (r[1], r[0], t, 100 * d, mean, 100 * a.balance))
    print("data server balance: mean %.0f bytes; %s (need within +-%.0f%%)" % (mean, ", ".join(devs), 100 * a.balance))
    for x in fails:
        print("pcap_bytes: FAIL: %s" % x)
    print("pcap_bytes: %s" % ("FAIL" if fails else "PASS"))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
