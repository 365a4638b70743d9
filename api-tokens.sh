#!/usr/bin/env bash
# Makes the api's bearer tokens for docker-compose.yml, once, before `docker compose up`:
#
#   DIR/operator.token   the operator's token (approve, reject, everything a viewer sees): for the dashboard and CLI
#   DIR/viewer.token     a read-only token (Grafana, a wall screen)
#   DIR/tokens.env       TUNNELVISION_API_TOKENS=operator:operator:SHA256,viewer:viewer:SHA256, the api's env_file
#
# DIR is secrets/api unless given. Nothing is replaced unless --force is given (then every holder of an old token
# needs the new one, and the api must be recreated: `docker compose up -d api`). The api only ever gets the
# SHA-256 of each token (api/README.md, "Auth"). Needs openssl and sha256sum.
set -euo pipefail

force=no
dir=secrets/api
for arg in "$@"; do
  case "$arg" in
    --force) force=yes ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) dir="$arg" ;;
  esac
done

if [ -e "$dir/tokens.env" ] && [ "$force" = no ]; then
  echo "$dir already holds api tokens; use --force to replace them" >&2
  exit 1
fi

umask 077
mkdir -p "$dir"
chmod 700 "$dir"

entries=()
for role in operator viewer; do
  # 32 random bytes, as hex: long enough that a plain SHA-256 needs no salt or slow hash
  token=$(openssl rand -hex 32)
  printf '%s\n' "$token" > "$dir/$role.token"
  hash=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
  entries+=("$role:$role:$hash")
done

# compose reads this file on the host; the tokens themselves stay readable by you only (0600)
(IFS=,; printf 'TUNNELVISION_API_TOKENS=%s\n' "${entries[*]}") > "$dir/tokens.env"
chmod 600 "$dir"/*.token
chmod 644 "$dir/tokens.env"
echo "api tokens written to $dir: operator.token, viewer.token (the api gets their hashes from tokens.env)"
