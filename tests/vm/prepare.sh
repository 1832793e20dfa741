#!/bin/bash
# prepare.sh CACHE_DIR
#
# Fetches (apt-get download + dpkg -x, no host installation) everything the
# test VM needs and builds the initramfs:
#   CACHE/k/             stock Debian kernel package extracted (vmlinuz + modules,
#                        modules moved to usr/lib/modules to match merged-/usr hosts)
#   CACHE/extra/         guest-only userland (kmod, nfs-kernel-server, rdma tools,...)
#                        laid over the host root inside the guest (overlayfs)
#   CACHE/initramfs.gz   busybox-static + the ~15 modules needed to mount the host
#                        root via virtio-9p and build the overlay root
#   CACHE/env            KVER=..., KERNEL=..., INITRD=...
#
# Env overrides:
#   KPKG=linux-image-6.1.0-56-amd64   kernel package (default: what linux-image-amd64 depends on)
#   KDEB=/path/to/linux-image-*.deb   use a local kernel .deb instead of downloading
#   EXTRA_PKGS="..."                  replace the guest extra package list
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=$(realpath -m "${1:?usage: prepare.sh CACHE_DIR}")
mkdir -p "$CACHE/debs"
log() { echo "[prepare] $*" >&2; }

EXTRA_PKGS=${EXTRA_PKGS:-"kmod nfs-common nfs-kernel-server iproute2 rdma-core ibverbs-utils ibverbs-providers libibverbs1 librdmacm1 rdmacm-utils libibumad3 perftest libpci3 pci.ids"}

# ---- kernel -----------------------------------------------------------------
if [ -n "${KDEB:-}" ]; then
  cp -f "$KDEB" "$CACHE/debs/"
  KPKG=$(dpkg-deb -f "$KDEB" Package)
elif [ -z "${KPKG:-}" ]; then
  KPKG=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
fi
KVER=${KPKG#linux-image-}; KVER=${KVER%-unsigned}
log "kernel package $KPKG (KVER=$KVER)"
cd "$CACHE/debs"
if ! ls "$CACHE"/debs/${KPKG}_*.deb >/dev/null 2>&1; then
  apt-get download "$KPKG" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true
fi
KDEBF=$(ls "$CACHE"/debs/${KPKG}_*.deb | head -1)
[ -f "$KDEBF" ] || { log "could not get $KPKG"; exit 1; }

if [ ! -f "$CACHE/k/.done-$KVER" ]; then
  rm -rf "$CACHE/k"; mkdir -p "$CACHE/k"
  dpkg -x "$KDEBF" "$CACHE/k"
  # merged-/usr: the overlay must not shadow the host's /lib symlink with a dir
  if [ -d "$CACHE/k/lib" ]; then
    mkdir -p "$CACHE/k/usr/lib"; cp -a "$CACHE/k/lib/." "$CACHE/k/usr/lib/"; rm -rf "$CACHE/k/lib"
  fi
  touch "$CACHE/k/.done-$KVER"
fi
MODDIR="$CACHE/k/usr/lib/modules/$KVER"
[ -d "$MODDIR" ] || { log "no modules dir $MODDIR"; exit 1; }

# ---- guest extra userland ----------------------------------------------------
# shellcheck disable=SC2086
apt-get download $EXTRA_PKGS 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true
if [ ! -f "$CACHE/extra/.done" ] || [ "$(cat "$CACHE/extra/.done")" != "$EXTRA_PKGS" ]; then
  rm -rf "$CACHE/extra"; mkdir -p "$CACHE/extra"
  for p in $EXTRA_PKGS; do
    f=$(ls "$CACHE"/debs/${p}_*.deb 2>/dev/null | head -1)
    [ -n "$f" ] || { log "missing deb for $p"; exit 1; }
    dpkg -x "$f" "$CACHE/extra"
  done
  # normalise to merged-/usr layout (see above)
  for d in bin sbin lib lib64; do
    if [ -d "$CACHE/extra/$d" ] && [ ! -L "$CACHE/extra/$d" ]; then
      mkdir -p "$CACHE/extra/usr/$d"; cp -a "$CACHE/extra/$d/." "$CACHE/extra/usr/$d/"; rm -rf "$CACHE/extra/$d"
    fi
  done
  # systemd units / init scripts are useless in the guest and must not confuse anything
  rm -rf "$CACHE/extra/etc/init.d" "$CACHE/extra/lib/systemd" "$CACHE/extra/usr/lib/systemd"
  echo "$EXTRA_PKGS" > "$CACHE/extra/.done"
fi
# check that every extra binary finds its libraries (host libs + extra libs)
missing=$(for b in $(find "$CACHE/extra" -type f -perm -u+x); do
  if head -c4 "$b" | grep -q ELF; then
    LD_LIBRARY_PATH="$CACHE/extra/usr/lib/x86_64-linux-gnu" ldd "$b" 2>/dev/null | awk '/not found/{print $1}'
  fi; done | sort -u)
if [ -n "$missing" ]; then
  log "WARNING: libraries missing for guest extras (install on host or add to EXTRA_PKGS): $missing"
fi

# ---- depmod (with the extracted kmod, no host kmod needed) ------------------
mkdir -p "$CACHE/tools"; ln -sf "$CACHE/extra/usr/bin/kmod" "$CACHE/tools/depmod"
# depmod -b wants BASE/lib/modules/KVER
rm -rf "$CACHE/depmodroot"; mkdir -p "$CACHE/depmodroot/lib/modules"
ln -s "$MODDIR" "$CACHE/depmodroot/lib/modules/$KVER"
"$CACHE/tools/depmod" -b "$CACHE/depmodroot" "$KVER"
rm -rf "$CACHE/depmodroot"

# ---- initramfs ----------------------------------------------------------------
BB_DEB=$(ls "$CACHE"/debs/busybox-static_*.deb 2>/dev/null | head -1 || true)
if [ -z "$BB_DEB" ]; then (cd "$CACHE/debs" && apt-get download busybox-static 2>&1 | grep -v unsandboxed >&2 || true); BB_DEB=$(ls "$CACHE"/debs/busybox-static_*.deb | head -1); fi
IR="$CACHE/initramfs"; rm -rf "$IR"; mkdir -p "$IR"/{bin,dev,proc,sys,mnt,host,rw,newroot,modules,tmp}
tmpbb=$(mktemp -d); dpkg -x "$BB_DEB" "$tmpbb"; for c in "$tmpbb/bin/busybox" "$tmpbb/usr/bin/busybox"; do [ -f "$c" ] && [ ! -L "$c" ] && cp "$c" "$IR/bin/busybox"; done
rm -rf "$tmpbb"; chmod 755 "$IR/bin/busybox"
[ "$(stat -c %s "$IR/bin/busybox")" -gt 100000 ] || { log "busybox extraction failed"; exit 1; }

# modules for: virtio-pci, virtio 9p root, overlayfs; resolved in dependency order
WANT="virtio_pci 9pnet_virtio 9p overlay"
order=()
declare -A seen=()
resolve() {  # $1 = module name; appends deps first
  local m=$1 path deps d
  m=${m//-/_}
  [ -n "${seen[$m]:-}" ] && return 0
  seen[$m]=1
  path=$(awk -F: -v m="$m" '{n=$1; sub(/.*\//,"",n); sub(/\.ko(\.[a-z]+)?$/,"",n); gsub(/-/,"_",n); if (n==m) {print $1; exit}}' "$MODDIR/modules.dep")
  if [ -z "$path" ]; then
    grep -q "/${m}.ko" "$MODDIR/modules.builtin" 2>/dev/null && return 0
    log "module $m not found"; exit 1
  fi
  deps=$(awk -F: -v p="$path" '$1==p{print $2; exit}' "$MODDIR/modules.dep")
  for d in $deps; do d=${d##*/}; d=${d%%.ko*}; resolve "$d"; done
  order+=("$path")
}
for m in $WANT; do resolve "$m"; done
: > "$IR/modules/order"
for p in "${order[@]}"; do
  b=${p##*/}
  case "$b" in
    *.ko) cp "$MODDIR/$p" "$IR/modules/$b" ;;
    *.ko.xz) xz -dc "$MODDIR/$p" > "$IR/modules/${b%.xz}"; b=${b%.xz} ;;
    *.ko.zst) zstd -dcq "$MODDIR/$p" > "$IR/modules/${b%.zst}"; b=${b%.zst} ;;
  esac
  echo "$b" >> "$IR/modules/order"
done
log "initramfs modules: $(tr '\n' ' ' < "$IR/modules/order")"

cp "$HERE/init.sh" "$IR/init"; chmod +x "$IR/init"
cat > "$IR/etc.env" <<E
CACHE=$CACHE
KVER=$KVER
E
# the initramfs's own busybox provides cpio, so the host needs no cpio package
CPIO=(cpio --quiet); command -v cpio >/dev/null || CPIO=("$IR/bin/busybox" cpio)
(cd "$IR" && find . | "${CPIO[@]}" -o -H newc | gzip -1 > "$CACHE/initramfs.gz")

KERNEL=$(ls "$CACHE"/k/boot/vmlinuz-* | head -1)
cat > "$CACHE/env" <<E
KVER=$KVER
KERNEL=$KERNEL
INITRD=$CACHE/initramfs.gz
CACHE=$CACHE
E
log "done: $(cat "$CACHE/env" | tr '\n' ' ')"
