#!/usr/bin/env bash
# Installs what the tests need when it is missing (Debian packages; run as root, or install them yourself):
# `./tunnelvision test` runs it before the test suite, and CI runs nothing else. Nothing is installed when
# everything is there.
set -euo pipefail

# util-linux's unshare lets the embedded PostgreSQL run when CI runs as root; iproute2 for namespace tests.
need=()
command -v unshare >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1 || need+=(util-linux)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
# systemd-analyze checks the agent's unit offline (SystemdUnitConfinementIT); no systemd needs to run
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
# the lab's WireGuard (userspace: no kernel module needed) and OpenVPN tunnels (lab/README.md)
command -v wireguard-go >/dev/null 2>&1 || need+=(wireguard-go)
command -v wg >/dev/null 2>&1 || need+=(wireguard-tools)
command -v openvpn >/dev/null 2>&1 || need+=(openvpn)
# the agent's path-MTU prober sends DF probes with iputils' ping -M do (PmtuBlackholeLabIT)
command -v ping >/dev/null 2>&1 || need+=(iputils-ping)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# the agent reads and sets NIC rings, channels and coalescing with ethtool (agent and lab tests on veth)
[ -x /usr/sbin/ethtool ] || [ -x /sbin/ethtool ] || need+=(ethtool)
# the agent's Debian package (DebPackageIT): dpkg-deb comes with dpkg; lintian and shellcheck check it
command -v lintian >/dev/null 2>&1 || need+=(lintian)
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
# Debian's headless browser and its WebDriver for the dashboard's browser tests (api DashboardIT)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
# promtool checks ops/prometheus/alerts.yml (local OpsFilesTest); installed without the package's recommends
# (node exporter, ...), and no server of it is started
command -v promtool >/dev/null 2>&1 && extra=() || extra=(prometheus)
if [ ${#extra[@]} -gt 0 ] && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${extra[@]}"
elif [ ${#extra[@]} -gt 0 ]; then
  need+=("${extra[@]}")
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    # without recommends: they add about 90 packages no test uses (a real-time kernel image and its initramfs,
    # samba and printing libraries, avahi) and minutes to a clean machine's first run
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
  else
    echo "missing packages: ${need[*]} (install them, or run CI as root)" >&2
    exit 1
  fi
fi

