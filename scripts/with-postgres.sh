#!/usr/bin/env bash
# Run a command against PostgreSQL at TEST_DATABASE_URL. Outside CI an unreachable server is a
# skip with the reason; under CI=true it is installed or started, and still missing is an error.
set -euo pipefail
url=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
here=$(cd "$(dirname "$0")/.." && pwd)
py="$here/.venv/bin/python"

reachable() {
  "$py" -c "import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$url" 2>/dev/null
}

if ! reachable && [ "${CI:-}" = "true" ]; then
  if ! command -v pg_ctlcluster >/dev/null; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
  fi
  for version in $(ls /etc/postgresql 2>/dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  for _ in $(seq 1 20); do reachable && break; sleep 1; done
fi

if ! reachable; then
  if [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL is not reachable at $url: under CI=true this is an error." >&2
    exit 1
  fi
  echo "SKIPPED the PostgreSQL run: no server reachable at $url (set TEST_DATABASE_URL)."
  exit 0
fi

echo "== the same suite on PostgreSQL ($url) =="
DATABASE_URL="$url" exec "$@"
