#!/usr/bin/env bash
# Builds the agent's Debian package from the shaded jar, with dpkg-deb from a staging tree (no debhelper):
#
#   agent/src/main/dist/deb/build-deb.sh [--version V] [JAR] [OUTDIR]
#
# JAR defaults to agent/target/tunnelvision-agent.jar (`mvn -B -pl agent -am package -DskipTests` makes it), OUTDIR
# to agent/target/deb; V to the jar's Maven version, with -SNAPSHOT as ~SNAPSHOT so that the release sorts after
# it. Prints the path of the .deb. What goes where and why: the README, "Installing the agent package".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dist=$(dirname "$here")
agent=$(cd "$dist/../../.." && pwd)

version=
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version=$2; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done
jar=${args[0]:-$agent/target/tunnelvision-agent.jar}
out=${args[1]:-$agent/target/deb}

if [ ! -f "$jar" ]; then
  echo "no agent jar at $jar: build it first (mvn -B -pl agent -am package -DskipTests)" >&2
  exit 1
fi
if [ -z "$version" ]; then
  version=$(unzip -p "$jar" META-INF/maven/io.tunnelvision/tunnelvision-agent/pom.properties \
    | sed -n 's/^version=//p' | tr -d '\r')
  [ -n "$version" ] || { echo "cannot read the version from $jar: give --version" >&2; exit 1; }
fi
debversion=${version//-SNAPSHOT/~SNAPSHOT}
debversion=${debversion//-/.}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"
umask 022

install -d "$stage/DEBIAN" "$stage/opt/tunnelvision" "$stage/usr/lib/systemd/system" \
  "$stage/etc/tunnelvision/trusted-keys" "$stage/usr/share/doc/tunnelvision-agent" \
  "$stage/usr/share/lintian/overrides"
install -m 0644 "$jar" "$stage/opt/tunnelvision/tunnelvision-agent.jar"
install -m 0644 "$dist/systemd/tunnelvision-agent.service" "$stage/usr/lib/systemd/system/"

# One file for the settings and the JVM's: agent-jvm.env is the measured JVM configuration (agent/README.md).
{
  cat "$here/agent.env.in"
  cat "$dist/agent-jvm.env"
} > "$stage/etc/tunnelvision/agent.env"
# 0644 like any /etc/default file: it holds no secret, the Kafka password is a file of its own
chmod 0644 "$stage/etc/tunnelvision/agent.env"

cat > "$stage/usr/share/doc/tunnelvision-agent/copyright" <<'COPYRIGHT'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: tunnelvision
Source: https://github.com/tunnelvision/tunnelvision

Files: *
Copyright: 2026 the Tunnelvision authors
License: see the project repository
COPYRIGHT
printf 'tunnelvision-agent (%s) unstable; urgency=medium\n\n  * Built from the Tunnelvision repository.\n\n -- %s  %s\n' \
  "$debversion" "Tunnelvision maintainers <tunnelvision@example.org>" "$(date -R -u -d @"${SOURCE_DATE_EPOCH:-$(date +%s)}")" \
  | gzip -9n > "$stage/usr/share/doc/tunnelvision-agent/changelog.gz"

install -m 0644 "$here/lintian-overrides" "$stage/usr/share/lintian/overrides/tunnelvision-agent"
for script in postinst prerm postrm; do
  install -m 0755 "$here/$script" "$stage/DEBIAN/$script"
done
echo /etc/tunnelvision/agent.env > "$stage/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$debversion/" -e "s/@INSTALLED_SIZE@/$size/" "$here/control.in" > "$stage/DEBIAN/control"

mkdir -p "$out"
deb="$out/tunnelvision-agent_${debversion}_all.deb"
# gzip, not xz: the jar inside is compressed already, and xz took 25 s of CPU to save 2 %
dpkg-deb --root-owner-group -Zgzip --build "$stage" "$deb" >/dev/null
echo "$deb"
