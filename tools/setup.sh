#!/usr/bin/env bash
# Installs the Debian 12 packages psp needs to build, test and plot.
# Run as root (or with sudo).  Safe to run again.
set -euo pipefail
PACKAGES=(
  build-essential cmake pkg-config
  libgsl-dev check libyaml-dev          # simulator, tests, workload files
  libdpdk-dev dpdk                      # psp-engine / psp-client, dpdk-devbind.py
  dpdk-dev                              # dpdk-telemetry.py (engine telemetry, tested)
  librocksdb-dev                        # psp-engine's app: rocksdb
  iproute2 procps                       # ip netns for the tap tests
  ethtool                               # the veth tests turn checksum offload off
  clang libclang-rt-14-dev              # tests/fuzz (libFuzzer), the fuzz label
  help2man lowdown debhelper dpkg-dev   # man pages (dist/), Debian packages (tools/package-test.sh)
  slurm-wlm munge parallel              # psp-sweep --slurm / --parallel, the slurm label
  python3 python3-pandas python3-matplotlib  # psp-plot (plot/) and notebooks/
  python3-nbconvert python3-nbformat python3-ipykernel jupyter-nbconvert   # notebooks/
  python3-simpy                         # bench/simpy_compare.sh
  abigail-tools                         # abidw/abidiff: libpsp-core's ABI check (tests/abi.cmake)
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
