#!/usr/bin/env python3
"""tests/layering.py -- the include rule of docs/decisions/0023-layers.md.

Every C file of the servers and tools belongs to one layer (LAYERS below,
lowest first). A file may include headers of its own layer or of a lower
one, never of a higher one; where a lower layer must tell a higher one
something it calls a hook the higher one registered. The script reads the
`#include "..."` lines (system headers <...> are not ours), resolves each
name the way the build's include path does, and exits 1 listing

  * every include that goes upward (file, line, the two layers), and
  * every cycle between layers (which can only exist through upward
    includes, listed for the record),
  * every include a library of its own must never make (NEVER below:
    tiering/ includes nothing of nfsd/),

or prints a one-line summary and exits 0. A project file no rule matches
is an error too: a new file must be given its layer here.

Usage: tests/layering.py [SOURCE_ROOT]      (default: this checkout)
"""
import os
import re
import sys
from collections import defaultdict

# Layer table, lowest first. A rule is a directory ("dir/": everything
# under it), a module (a path without extension: its .c and .h), a module
# prefix ending in "_" ("nfsd/main_": main_mds.c, main_ds.c, ...) or one
# file (with its extension). The longest matching rule wins, so
# "nfsd/server.h" (the server record, core) beats "nfsd/server" (its
# start and stop, assembly).
LAYERS = [
    ("base", [  # no server state: logs, keys, addresses, counters, XDR
        "nfsd/log", "nfsd/mac", "nfsd/netaddr", "nfsd/metrics",
        "nfsd/xdr/", "nfsd/xprt", "nfsd/xprt_set", "nfsd/rpc",
        "nfsd/rdma/",  # RPC-over-RDMA v1 codec, no verbs (decision 0026)
    ]),
    ("store", [  # namespace (LMDB shards) and the data servers' bytes, and
                 # the partition map (which node owns which shards; issue
                 # 15, decision 0024: the file may land as pnfs/cmap)
        "metadata/", "datastore/", "pnfs/cmap",
        # the object tier's backends (issue 16, decision 0025): below
        # everything of a server; the server passes its logger in
        "tiering/",
    ]),
    ("layout", [  # pNFS file-layout math and encoders
        "layout/",
    ]),
    ("core", [  # the server record, transport, COMPOUND, files, grace
        "nfsd/server.h", "nfsd/slot", "nfsd/xprt_tcp", "nfsd/compound",
        "nfsd/xprt_rdma", "nfsd/xprt_rdma_",  # RPC-over-RDMA, verbs (0028)
        "nfsd/compound_loop", "nfsd/stateid_fmt",
        "nfsd/fh", "nfsd/attr", "nfsd/perm", "nfsd/recovery",
        "nfsd/clock",
        "nfsd/residency",  # offloaded files: DELAY, TRYLATER (0030)
    ]),
    ("cluster", [  # the MDS's data-server links, a DS's own side
        "pnfs/cluster", "pnfs/cluster_internal", "pnfs/cluster_keeper",
        "pnfs/fence_table",  # fences by fileid, MDS and DS (0030)
        "pnfs/ctl_client", "pnfs/ctl_identity",
        "pnfs/ds_greet", "pnfs/ds_ident", "pnfs/ds_registry",
        "pnfs/ds_xprts",  # a data server's RDMA endpoint (decision 0029)
        "pnfs/ds_self", "pnfs/ds_state", "pnfs/scrub", "nfsd/data",
        "pnfs/peer_client",  # links to the other metadata nodes
        "pnfs/tier_ds",  # the object tier's data copies on them (0030)
    ]),
    ("state", [  # clients, sessions, stateids, opens, locks, delegations,
                 # layouts, orphans and their data's reclaim, callbacks
        "nfsd/session", "nfsd/state/",
        "nfsd/tier_worker",  # the object tier's thread in the MDS (0031)
        "nfsd/tier_heat", "nfsd/tier_scan", "nfsd/tier_auto",  # policy (0032)
        "nfsd/tier_queue",  # its queue and set of wanted files (0031)
        "nfsd/tier_failstep",  # its failpoint tier-step:N (tests only)
    ]),
    ("ops", [  # operation handlers and the services that answer requests
        "nfsd/ops/", "nfsd/op_table", "nfsd/reply_payload", "pnfs/op_layout", "pnfs/op_device",
        "pnfs/ctl_svc", "pnfs/ctl_admin", "nfsd/census",
        "pnfs/ctl_datagen",  # data generations by hand (decision 0030)
        "pnfs/ctl_tier",  # the tier's steps and residency by hand (0031)
        "pnfs/ctl_tier_walk",  # a directory's residency totals
        "pnfs/ctl_tier_part",  # its part on each of several nodes (0037)
        "nfsd/metrics_text", "nfsd/metrics_http",
        # a COMPOUND across metadata nodes, the peer service, recalls
        "nfsd/subcompound", "pnfs/peer_svc", "pnfs/peer_cb",
        "pnfs/peer_delta",  # directory deltas to their owners
        # cross-node transactions: coordinator, resolver, participant
        "nfsd/xtx_task", "nfsd/xtx_round", "nfsd/xtx_resolve",
        "nfsd/xtx_break",  # recalls before a transaction changes a file
        "pnfs/peer_xtx",
    ]),
    ("assembly", [  # start/stop, the executor, config, mains, tools
        "nfsd/server", "nfsd/server_run", "nfsd/exec", "nfsd/config",
        "nfsd/main_",
        "tools/",
    ]),
]

# Directories scanned, and the include path of the build (CMakeLists):
# a name is looked up next to the includer, then in these, in order.
SCAN = ["nfsd", "pnfs", "metadata", "layout", "datastore", "tiering",
        "tools"]
INCLUDE_PATH = ["nfsd", "nfsd/state", "pnfs", "nfsd/ops", "metadata",
                "layout", "datastore", "tiering", "nfsd/xdr", "."]
SKIP = ["tools/strata-bench/"]  # a client; only the generated XDR types

# Directories that are libraries of their own, and what they never include
# even where the layer rule would allow it: the tier's backends take the
# server's logger as a hook rather than include nfsd/log.h (decision 0025).
NEVER = [("tiering/", "nfsd/")]

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(path):
    best, blen = None, -1
    stem = os.path.splitext(path)[0]
    for rank, (_, rules) in enumerate(LAYERS):
        for r in rules:
            if r.endswith("/"):
                hit = path.startswith(r)
            elif r.endswith("_"):
                hit = stem.startswith(r)
            else:
                hit = r in (stem, path)
            if hit and len(r) > blen:
                best, blen = rank, len(r)
    return best


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..")
    files = set()
    for d in SCAN:
        for dp, _, fns in os.walk(os.path.join(root, d)):
            for fn in fns:
                if fn.endswith((".c", ".h")):
                    rel = os.path.relpath(os.path.join(dp, fn), root)
                    if not any(rel.startswith(s) for s in SKIP):
                        files.add(rel)
    errors, edges = [], defaultdict(list)
    for f in sorted(files):
        lf = layer_of(f)
        if lf is None:
            errors.append(f"{f}: no layer (add it to LAYERS in {__file__})")
            continue
        with open(os.path.join(root, f), errors="replace") as fp:
            for no, line in enumerate(fp, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                name = m.group(1)
                cands = [os.path.normpath(os.path.join(os.path.dirname(f),
                                                       name))]
                cands += [os.path.normpath(os.path.join(d, name))
                          for d in INCLUDE_PATH]
                target = next((c for c in cands if c in files), None)
                if target is None:
                    continue  # generated (nfs4_prot.h, ctl_prot.h)
                for src, dst in NEVER:
                    if f.startswith(src) and target.startswith(dst):
                        errors.append(f"{f}:{no}: includes {target}: "
                                      f"{src} includes nothing of {dst}")
                lt = layer_of(target)
                if lt is None or lt == lf:
                    continue
                edges[(lf, lt)].append(f"{f}:{no}")
                if lt > lf:
                    errors.append(
                        f"{f}:{no}: includes {target}: upward, "
                        f"{LAYERS[lf][0]} -> {LAYERS[lt][0]}")
    # Cycles between layers: a strongly connected set of two or more.
    adj = defaultdict(set)
    for a, b in edges:
        adj[a].add(b)
    reach = {a: set() for a in range(len(LAYERS))}
    for a in reach:
        todo = list(adj[a])
        while todo:
            b = todo.pop()
            if b not in reach[a]:
                reach[a].add(b)
                todo.extend(adj[b])
    seen = set()
    for a in range(len(LAYERS)):
        cyc = sorted(b for b in reach[a] if a in reach[b])
        if len(cyc) > 1 and tuple(cyc) not in seen:
            seen.add(tuple(cyc))
            errors.append("cycle between layers: " +
                          " <-> ".join(LAYERS[i][0] for i in cyc))
    if errors:
        print("\n".join(errors))
        print(f"layering: {len(errors)} problem(s); the rule and the "
              f"table: docs/decisions/0023-layers.md, {__file__}")
        return 1
    print(f"layering: {len(files)} files, {len(LAYERS)} layers, "
          f"{sum(len(v) for v in edges.values())} cross-layer includes, "
          f"all downward")
    return 0


if __name__ == "__main__":
    sys.exit(main())
