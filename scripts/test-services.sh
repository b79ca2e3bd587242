#!/usr/bin/env bash
# Brings this machine to what the tests need, idempotently: the Ceph daemons for the S3 driver's
# suites (the tests start and stop Ceph RGW and s3rver themselves), Debian's chromium for the web
# UI's end-to-end tests, poppler-utils for the exports' PDF checks, Debian's S3 clients (aws-cli,
# boto3, rclone) for the S3 endpoint's tests, and a running PostgreSQL on 127.0.0.1:5432 (its tests
# create and drop a database of their own).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-ceph.sh

# shellcheck source=apt-install.sh
source scripts/apt-install.sh

# Debian's chromium for the web UI's end-to-end tests (playwright-core drives it; it never downloads one).
if [ ! -x /usr/bin/chromium ]; then
  apt_install test-services chromium
  echo "test-services: installed chromium ($(/usr/bin/chromium --version))"
fi

# Debian's poppler-utils: the exports tests read their PDFs' text back with pdftotext.
if ! command -v pdftotext >/dev/null 2>&1; then
  apt_install test-services poppler-utils
  echo "test-services: installed poppler-utils ($(pdftotext -v 2>&1 | head -n 1))"
fi

# Debian's S3 clients for the S3 endpoint's tests: aws-cli, boto3 and rclone, run against a real Coffer.
if [ ! -x /usr/bin/aws ] || [ ! -x /usr/bin/rclone ] || ! /usr/bin/python3 -c 'import boto3' 2>/dev/null; then
  apt_install test-services awscli python3-boto3 rclone
  echo "test-services: installed $(/usr/bin/aws --version), $(/usr/bin/rclone version | head -n 1)"
fi

if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
    echo "test-services: started PostgreSQL"
  else
    echo "test-services: PostgreSQL is not running on 127.0.0.1:5432; its tests will fail" >&2
  fi
fi
