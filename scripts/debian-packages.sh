#!/usr/bin/env bash
# The Debian packages giaoban uses beyond Python (Janus, Chromium, ...), installed where this
# machine lets us: as root with apt-get, or with sudo that needs no password. Elsewhere nothing is
# installed; the exact command for this machine is printed and the caller goes on.
#
#   debian-packages.sh PACKAGE...          install those missing; exit 1 if some still are
#   debian-packages.sh --print PACKAGE...  print the command that installs those missing, if any
set -euo pipefail

print_only=""
if [ "${1:-}" = "--print" ]; then print_only=1; shift; fi

missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

install="apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q ${missing[*]}"

# How this machine's user may run apt-get: "root", "sudo" (no password asked) or "" (not at all).
privilege() {
  command -v apt-get >/dev/null || return 0
  if [ "$(id -u)" = 0 ]; then echo root
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then echo sudo
  fi
}

# What the user should type here: su where there is no sudo, as on a fresh Debian machine.
command_for_user() {
  if ! command -v apt-get >/dev/null; then
    echo "your system's package manager (these are Debian's names): ${missing[*]}"
  elif [ "$(id -u)" = 0 ]; then echo "$install"
  elif command -v sudo >/dev/null; then echo "sudo sh -c '$install'"
  else echo "su -c '$install'"
  fi
}

if [ -n "$print_only" ]; then command_for_user; exit 0; fi

case "$(privilege)" in
  root) sh -c "$install" ;;
  sudo) sudo sh -c "$install" ;;
  *)
    echo "Chưa cài: ${missing[*]}. Lệnh cài trên máy này: $(command_for_user)"
    echo "Not installed: ${missing[*]}. To install them on this machine: $(command_for_user)"
    exit 1 ;;
esac
# The janus package starts a system Janus on the default ports; giaoban runs its own.
if [[ " ${missing[*]} " == *" janus "* ]]; then
  case "$(privilege)" in
    root) service janus stop >/dev/null 2>&1 || true ;;
    sudo) sudo service janus stop >/dev/null 2>&1 || true ;;
  esac
fi
