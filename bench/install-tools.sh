#!/usr/bin/env bash
# Installs the benchmark's compiled load generator, wrk, from Debian (the request-rate cases P3, P4,
# P7 run on it: autocannon saturates its own core near 20k req/s, below what nginx and bare Node
# serve here). taskset comes with util-linux. Idempotent: does nothing when both are there. Needs
# root (or sudo) and apt. The bench calls it when wrk is missing; CI never does.
set -euo pipefail

if command -v wrk >/dev/null && command -v taskset >/dev/null; then
	exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Quiet on success, the whole output on failure.
if ! { $sudo apt-get update -q &&
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		wrk util-linux; } >"$log" 2>&1; then
	cat "$log" >&2
	echo "install-tools: apt-get failed" >&2
	exit 1
fi
echo "install-tools: installed $(wrk -v 2>&1 | head -1)"
