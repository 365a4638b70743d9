#!/usr/bin/env bash
# Runs dpkg on a private root, never on this machine's own: `dpkg-root.sh DIR init` makes DIR/root (an empty
# dpkg database, /bin and friends as links into /usr), then `dpkg-root.sh DIR DPKG-ARGS...` runs
# `dpkg --root=DIR/root DPKG-ARGS` in a mount namespace of its own, where DIR/root/usr is this machine's /usr
# under an overlay (writes go to DIR/usr-upper) and DIR/root/dev/null is /dev/null. The maintainer scripts run
# chrooted into DIR/root; systemctl there is a stand-in that appends its arguments to /var/log/systemctl.calls.
# Dependencies are not checked (--force-depends): the empty database knows no Java; the test checks Depends.
set -euo pipefail

dir=$1
shift
root=$dir/root

if [ "${1:-}" = init ]; then
  mkdir -p "$root"/{etc,usr,dev,tmp,var/log,var/lib/dpkg/info,var/lib/dpkg/updates,var/lib/dpkg/triggers} \
    "$dir/usr-upper/local/sbin" "$dir/usr-work"
  for link in bin sbin lib lib64; do
    [ -e "/$link" ] && ln -sfn "usr/$link" "$root/$link"
  done
  : > "$root/var/lib/dpkg/status"
  : > "$root/var/lib/dpkg/available"
  touch "$root/dev/null"
  chmod 1777 "$root/tmp"
  cat > "$dir/usr-upper/local/sbin/systemctl" <<'STANDIN'
#!/bin/sh
echo "$*" >> /var/log/systemctl.calls
STANDIN
  chmod 755 "$dir/usr-upper/local/sbin/systemctl"
  exit 0
fi

# shellcheck disable=SC2016 # the inner script expands its own arguments
exec unshare --mount --propagation private bash -c '
  set -euo pipefail
  dir=$1; root=$dir/root; shift
  mount -t overlay overlay -o "lowerdir=/usr,upperdir=$dir/usr-upper,workdir=$dir/usr-work" "$root/usr"
  mount --bind /dev/null "$root/dev/null"
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    dpkg --root="$root" --force-depends --log="$root/var/log/dpkg.log" "$@"
' dpkg-root "$dir" "$@"
