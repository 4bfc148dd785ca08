#!/usr/bin/env bash
# Installs the Debian packages sockfault's real proxies and browser need, when missing.
# As root it installs them; otherwise it says what was skipped (those scenarios then skip).
set -u
missing=()
for pkg in "$@"; do
  case "$pkg" in
    chromium) bin=/usr/bin/chromium ;;
    *) bin=/usr/sbin/$pkg ;;
  esac
  [ -x "$bin" ] || command -v "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "not root: skipped apt packages ${missing[*]} (scenarios needing them will be skipped)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
echo "installing ${missing[*]} from apt"
apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/sockfault-apt.log 2>&1 || {
  apt-get update -q >>/tmp/sockfault-apt.log 2>&1
  apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/sockfault-apt.log 2>&1 || {
    echo "apt-get install ${missing[*]} failed; see /tmp/sockfault-apt.log" >&2; tail -5 /tmp/sockfault-apt.log >&2; exit 1; }
}
# Debian starts services it installs where it can; sockfault runs its own instances only.
for svc in nginx haproxy; do
  if command -v service >/dev/null 2>&1; then service "$svc" stop >/dev/null 2>&1 || true; fi
done
exit 0
