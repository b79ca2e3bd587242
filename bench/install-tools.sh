#!/usr/bin/env bash
# Installs the benchmark's compiled load generator, wrk, from Debian (the request-rate cases P3, P4,
# P7 run on it: autocannon saturates its own core near 20k req/s, below what nginx and bare Node
# serve here). taskset comes with util-linux. Idempotent: does nothing when both are there. Needs
# root (or sudo) and apt. The bench calls it when wrk is missing; CI never does.
set -euo pipefail

if command -v wrk >/dev/null && command -v taskset >/dev/null; then
	exit 0
fi

# shellcheck source=../scripts/apt-install.sh
source "$(dirname "$0")/../scripts/apt-install.sh"
apt_install install-tools wrk util-linux
echo "install-tools: installed $(wrk -v 2>&1 | head -1)"
