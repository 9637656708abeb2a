#!/usr/bin/env bash
# What the tests need beyond Python. Debian's Chromium (browser tests) and Janus with its tools and
# browser libraries (media tests) are installed wherever this machine lets us (root, or sudo with
# no password; scripts/debian-packages.sh), under CI or not; where it cannot, the tests that need
# them skip and the run ends naming them and the command (conftest.py). Under CI=true, Redis,
# nginx and PostgreSQL's programs are installed or started too, and nothing may be missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if ! bash "$here/debian-packages.sh" chromium janus janus-tools libjs-janus-gateway libjs-webrtc-adapter; then
  [ "${CI:-}" = "true" ] && { echo "Under CI=true these packages are required." >&2; exit 1; }
fi
[ "${CI:-}" = "true" ] || exit 0

apt_install() {
  if [ -z "${apt_updated:-}" ]; then apt-get update -q; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi

# The deployment and fault tests (giaoban/ops): nginx run with its own configuration, and
# PostgreSQL's programs to start a cluster of their own (the suite never touches the shared one).
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || apt_install nginx
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
