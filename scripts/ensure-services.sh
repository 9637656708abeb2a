#!/usr/bin/env bash
# Under CI=true, install or start what the tests need and this machine lacks: Debian's Chromium
# for the browser tests and a local Redis for the fan-out tests (PostgreSQL: with-postgres.sh).
# Outside CI nothing is installed: the tests that need a missing service skip and say why.
set -euo pipefail
[ "${CI:-}" = "true" ] || exit 0

apt_install() {
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -q; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi

# The media tests (giaoban/media): Janus, janus-pp-rec and the two front-end libraries. A system
# janus.service started by the package is stopped: the tests run their own on free ports.
missing=""
for pkg in janus janus-tools libjs-janus-gateway libjs-webrtc-adapter; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  apt_install $missing
  service janus stop >/dev/null 2>&1 || true
fi

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
