#!/usr/bin/env bash
# Brings this machine to what the tests need, idempotently: the Ceph daemons for the S3 driver's
# suites (the tests start and stop Ceph RGW and s3rver themselves) and a running PostgreSQL on
# 127.0.0.1:5432 (its tests create and drop a database of their own).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-ceph.sh

if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
    echo "test-services: started PostgreSQL"
  else
    echo "test-services: PostgreSQL is not running on 127.0.0.1:5432; its tests will fail" >&2
  fi
fi
