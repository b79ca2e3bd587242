#!/usr/bin/env bash
# Debian's vipsthumbnail (libvips-tools), the command-line peer of the render bench (bench/render.ts).
# Called by the bench when the command is missing; never by CI.
set -euo pipefail
command -v vipsthumbnail >/dev/null 2>&1 && exit 0
# shellcheck source=../scripts/apt-install.sh
source "$(dirname "$0")/../scripts/apt-install.sh"
apt_install install-vips libvips-tools
