#!/bin/bash
# Installs every Debian package Strata needs to build, run and test.
# Idempotent: packages already present are skipped quickly by apt.
set -euo pipefail
PKGS=(
  libmicrohttpd-dev libjson-c-dev prometheus
  build-essential cmake pkg-config clang
  libtirpc-dev rpcsvc-proto libntirpc-dev
  liblmdb-dev lmdb-utils
  libcmocka-dev
  liburing-dev libibverbs-dev librdmacm-dev
  libkrb5-dev libinih-dev libssl-dev
  libcurl4-openssl-dev libexpat1-dev curl openssl
  swift swift-proxy swift-account swift-container swift-object memcached
  qemu-system-x86 qemu-utils bc perl busybox-static
  python3-ply tcpdump iperf3 fio rclone linux-perf
  nfs-ganesha nfs-ganesha-vfs
  libaio-dev uuid-dev xfslibs-dev libacl1-dev libattr1-dev libcap-dev libgdbm-dev
  libtool autoconf automake git
  systemd
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"; exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
