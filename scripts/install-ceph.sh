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

# shellcheck source=apt-install.sh
source "$(dirname "$0")/apt-install.sh"
apt_install "install-ceph (missing: ${missing[*]})" radosgw ceph-mon ceph-osd
echo "install-ceph: installed radosgw ceph-mon ceph-osd ($(radosgw --version | awk '{print $3}'))"
