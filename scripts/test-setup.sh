#!/usr/bin/env bash
# Installs the real programs some tests run the generated configs through (Debian packages):
#   nginx-light  `nginx -t` on the Loki gateway config
#   memcached    starts with the exact flags the cache StatefulSets get
#   dnsmasq-base  the cluster DNS of the end-to-end tier
#   busybox      the shell and applets of the generator Jobs' image, which make Secrets in the cluster
# promtool, amtool, vmagent and the other programs the library pins are not Debian's (older)
# ones: scripts/e2e-build.sh builds them at the pinned versions for the end-to-end tier.
# Needs root (CI runs as root). Locally without root, those tests skip with a loud message.
set -euo pipefail

need=()
command -v nginx >/dev/null 2>&1 || need+=(nginx-light)
command -v memcached >/dev/null 2>&1 || need+=(memcached)
command -v dnsmasq >/dev/null 2>&1 || need+=(dnsmasq-base)
command -v busybox >/dev/null 2>&1 || need+=(busybox)
if [ ${#need[@]} -eq 0 ]; then
  echo "test-setup: nginx, memcached, dnsmasq and busybox already installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "test-setup: not root, cannot install ${need[*]}; the tests that need them will skip" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# Install without starting the services: the tests run the binaries themselves. A policy-rc.d
# that was there before is put back afterwards, whatever happens.
policy=/usr/sbin/policy-rc.d
saved=""
if [ -e "$policy" ]; then saved=$(mktemp) && cp -p "$policy" "$saved"; fi
restore() { if [ -n "$saved" ]; then mv "$saved" "$policy"; else rm -f "$policy"; fi; }
trap restore EXIT
printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy"
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "test-setup: installed ${need[*]}"
