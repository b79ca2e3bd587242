#!/usr/bin/env bash
# Installs nginx from Debian (nginx-light: the WebDAV module is built in), the benchmark's HTTP peer.
# Idempotent: does nothing when /usr/sbin/nginx exists. Needs root (or sudo) and apt. The package's
# own service is never started or changed: the benchmark runs nginx with a config of its own.
set -euo pipefail

if [ -x /usr/sbin/nginx ]; then
	echo "install-nginx: nginx already installed ($(/usr/sbin/nginx -v 2>&1 | sed 's/.*\///'))"
	exit 0
fi

# shellcheck source=apt-install.sh
source "$(dirname "$0")/apt-install.sh"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

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
	if [ -n "$made_policy" ]; then $sudo rm -f "$policy"; fi
}
trap cleanup EXIT
apt_install install-nginx nginx-light
echo "install-nginx: installed $(/usr/sbin/nginx -v 2>&1 | sed 's/.*\///')"
