#!/usr/bin/env bash
# Installs the Ceph daemons the S3 driver's tests run against (radosgw + one mon + one osd).
# Idempotent: does nothing when they are already on PATH. Needs root (or sudo) and apt.
set -euo pipefail

missing=()
for bin in radosgw ceph-mon ceph-osd; do
	command -v "$bin" >/dev/null 2>&1 || missing+=("$bin")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-ceph: radosgw, ceph-mon, ceph-osd already installed"
	exit 0
fi

# Run apt as root; fall back to sudo when invoked as a normal user (e.g. on CI runners).
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Keep apt quiet on success but show its output if it fails.
if ! { $sudo apt-get update -q &&
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		radosgw ceph-mon ceph-osd; } >"$log" 2>&1; then
	cat "$log" >&2
	echo "install-ceph: apt-get failed (missing: ${missing[*]})" >&2
	exit 1
fi
echo "install-ceph: installed radosgw ceph-mon ceph-osd ($(radosgw --version | awk '{print $3}'))"
