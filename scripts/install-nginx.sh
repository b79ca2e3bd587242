#!/usr/bin/env bash
# Installs nginx from Debian (nginx-light: the WebDAV module is built in), the benchmark's HTTP peer.
# Idempotent: does nothing when /usr/sbin/nginx exists. Needs root (or sudo) and apt. The package's
# own service is never started or changed: the benchmark runs nginx with a config of its own.
set -euo pipefail

if [ -x /usr/sbin/nginx ]; then
	echo "install-nginx: nginx already installed ($(/usr/sbin/nginx -v 2>&1 | sed 's/.*\///'))"
	exit 0
fi

# Run apt as root; fall back to sudo when invoked as a normal user (e.g. on CI runners).
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

log=$(mktemp)
# policy-rc.d (exit 101) keeps the package's post-install from starting the system nginx; it is
# only created when absent, and removed again afterwards.
policy=/usr/sbin/policy-rc.d
made_policy=""
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
	$sudo chmod +x "$policy"
	made_policy=1
fi
cleanup() {
	rm -f "$log"
	if [ -n "$made_policy" ]; then $sudo rm -f "$policy"; fi
}
trap cleanup EXIT
# Keep apt quiet on success but show its output if it fails.
if ! { $sudo apt-get update -q &&
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		nginx-light; } >"$log" 2>&1; then
	cat "$log" >&2
	echo "install-nginx: apt-get failed" >&2
	exit 1
fi
echo "install-nginx: installed $(/usr/sbin/nginx -v 2>&1 | sed 's/.*\///')"
