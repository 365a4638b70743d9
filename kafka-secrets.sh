#!/usr/bin/env bash
# Makes the files the secured Kafka of docker-compose.yml reads, once, before `docker compose up`:
#
#   DIR/ca.crt                     the CA every client checks the broker's certificate against
#   DIR/{admin,agent,streams,api}.password   one password per role (the services read theirs as a compose secret)
#   DIR/broker/broker.p12          the broker's key and certificate (for kafka, localhost, 127.0.0.1), PKCS#12
#   DIR/broker/broker-keystore.password      its password (the apache/kafka image reads it from this file)
#   DIR/broker/ca.crt              the CA again, for the broker's connections to itself
#   DIR/broker/broker-jaas.conf    the broker's PLAIN users: admin (the super user) and the three roles
#   DIR/broker/admin-client.properties       the admin's client settings, for the broker's healthcheck
#
# DIR is secrets/kafka unless given. Nothing is replaced unless --force is given; the CA key never leaves DIR.
# Needs openssl. The directory is private to you (0700); the files inside are readable, because the containers
# run as their own users and read them through bind mounts.
set -euo pipefail

force=no
dir=secrets/kafka
for arg in "$@"; do
  case "$arg" in
    --force) force=yes ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) dir="$arg" ;;
  esac
done

if [ -e "$dir/ca.crt" ] && [ "$force" = no ]; then
  echo "$dir already holds Kafka secrets; use --force to replace them (every client then needs the new ones)" >&2
  exit 1
fi

umask 077
mkdir -p "$dir/broker"
chmod 700 "$dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The CA: EC P-256, ten years; its key stays in DIR/ca.key to issue more certificates later.
openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -days 3650 \
  -subj "/CN=tunnelvision-kafka-ca" -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null

# The broker's certificate, valid for the compose service name and for tools on this machine.
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -sha256 -subj "/CN=kafka" \
  -keyout "$work/broker.key" -out "$work/broker.csr" 2>/dev/null
cat > "$work/broker.ext" <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:kafka, DNS:localhost, IP:127.0.0.1
EOF
openssl x509 -req -in "$work/broker.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
  -days 825 -sha256 -extfile "$work/broker.ext" -out "$work/broker.crt" 2>/dev/null

password() {
  openssl rand -hex 24
}

keystore_password=$(password)
printf '%s' "$keystore_password" > "$dir/broker/broker-keystore.password"
# -passout file: keeps the password out of the process list
openssl pkcs12 -export -in "$work/broker.crt" -inkey "$work/broker.key" -certfile "$dir/ca.crt" -name kafka \
  -passout "file:$dir/broker/broker-keystore.password" -out "$dir/broker/broker.p12"
cp "$dir/ca.crt" "$dir/broker/ca.crt"

for role in admin agent streams api; do
  password > "$dir/$role.password"
done
read_password() {
  tr -d '\n' < "$dir/$1.password"
}

# PLAIN over TLS: the broker checks each role's password against this list. `username`/`password` are the
# broker's own login (to itself and to its controller), as the super user.
cat > "$dir/broker/broker-jaas.conf" <<EOF
KafkaServer {
  org.apache.kafka.common.security.plain.PlainLoginModule required
  username="admin"
  password="$(read_password admin)"
  user_admin="$(read_password admin)"
  user_agent="$(read_password agent)"
  user_streams="$(read_password streams)"
  user_api="$(read_password api)";
};
EOF

cat > "$dir/broker/admin-client.properties" <<EOF
security.protocol=SASL_SSL
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$(read_password admin)";
ssl.truststore.type=PEM
ssl.truststore.location=/etc/kafka/secrets/ca.crt
EOF

# Readable inside the containers (their users are not yours); the 0700 directory keeps them from other users here.
chmod 644 "$dir"/*.password "$dir/ca.crt" "$dir"/broker/*
chmod 755 "$dir/broker"
chmod 600 "$dir/ca.key"
echo "Kafka secrets written to $dir (CA, broker certificate, passwords of admin, agent, streams and api)"
