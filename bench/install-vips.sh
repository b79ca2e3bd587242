#!/bin/sh
# Debian's vipsthumbnail (libvips-tools), the command-line peer of the render bench (bench/render.ts).
# Called by the bench when the command is missing; never by CI.
set -e
command -v vipsthumbnail >/dev/null 2>&1 && exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends libvips-tools >/dev/null
