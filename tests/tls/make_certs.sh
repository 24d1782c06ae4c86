#!/usr/bin/env bash
# Generates the TLS test material into OUTDIR with the openssl CLI, at test time: no private key
# is ever committed. Idempotent: a complete set already in OUTDIR is kept as it is. Prints nothing
# on success; on failure, openssl's output and a non-zero status.
#
# Usage: make_certs.sh OUTDIR        (OPENSSL=/path/to/openssl to choose the binary)
#
# What OUTDIR holds (keys are EC P-256, PKCS#8 PEM, unencrypted, unless named -rsa):
#   ca.pem ca.key                  the test CA (O=restws-test, CN=restws test CA)
#   server.pem server.key          CN=localhost, SAN DNS:localhost IP:127.0.0.1 IP:::1
#   server-chain.pem               server.pem then ca.pem (what a server sends)
#   server2.pem server2.key        the same names, O=reloaded, another key and serial (reload)
#   server2-chain.pem
#   server-rsa.pem server-rsa.key  as server.pem with an RSA 2048 key
#   server-rsa-chain.pem
#   a.test.pem a.test.key          CN=a.test, SAN DNS:a.test DNS:*.a.test (SNI, wildcard)
#   a.test-chain.pem
#   b.test.pem b.test.key          CN=b.test, SAN DNS:b.test (SNI)
#   b.test-chain.pem
#   client.pem client.key          client certificate CN=alice,O=restws-test, signed by the CA
#   other-ca.pem other-ca.key      another CA (O=rogue), trusted by nobody
#   rogue-client.pem rogue-client.key  client certificate CN=mallory,O=rogue, signed by other-ca
#   dhparams.pem                   DH parameters, RFC 7919 group ffdhe2048
# Server certificates have extendedKeyUsage serverAuth, client ones clientAuth; all are valid for
# 10 years from generation. Serials differ from certificate to certificate.
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
OUTDIR=$1
OPENSSL=${OPENSSL:-openssl}
if ! command -v "$OPENSSL" >/dev/null 2>&1; then
  echo "make_certs.sh: $OPENSSL not found (Debian package openssl)" >&2
  exit 2
fi

FILES="ca.pem ca.key
server.pem server.key server-chain.pem
server2.pem server2.key server2-chain.pem
server-rsa.pem server-rsa.key server-rsa-chain.pem
a.test.pem a.test.key a.test-chain.pem
b.test.pem b.test.key b.test-chain.pem
client.pem client.key
other-ca.pem other-ca.key
rogue-client.pem rogue-client.key
dhparams.pem
wss_server.pem wss_key.pem wss_dh2048.pem"
# Written last, once every file is in place: without it (an interrupted run), all is regenerated.
MARKER=.complete

complete() {
  [ -f "$OUTDIR/$MARKER" ] || return 1
  local f
  for f in $FILES; do
    [ -s "$OUTDIR/$f" ] || return 1
  done
}

mkdir -p "$OUTDIR"
complete && exit 0

# Two runs at once (two ctest invocations on one build tree) must not mix their files.
exec 9>"$OUTDIR/.lock"
if command -v flock >/dev/null 2>&1; then
  flock -w 30 9
fi
complete && exit 0

umask 077
WORK=$(mktemp -d "$OUTDIR/.make_certs.XXXXXX")
LOG=$WORK/log
trap 'rm -rf "$WORK"' EXIT
fail() {
  echo "make_certs.sh: $1 failed:" >&2
  cat "$LOG" >&2
  exit 1
}

# One configuration for every certificate, independent of the system's openssl.cnf; the SAN of
# the certificate being made comes from the environment.
cat >"$WORK/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $ENV::SAN
[server_rsa_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $ENV::SAN
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
export OPENSSL_CONF=$WORK/openssl.cnf
export SAN=DNS:unused  # every load of the file expands $ENV::SAN, used or not
CNF=$WORK/openssl.cnf

ec_key() {
  "$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/$1" \
    >>"$LOG" 2>&1 || fail "key $1"
}

rsa_key() {
  "$OPENSSL" genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/$1" \
    >>"$LOG" 2>&1 || fail "key $1"
}

# ca NAME SUBJECT: a self-signed CA certificate NAME.pem with key NAME.key.
ca() {
  ec_key "$1.key"
  "$OPENSSL" req -config "$CNF" -new -x509 -key "$WORK/$1.key" -subj "$2" -days 3650 \
    -set_serial "0x$("$OPENSSL" rand -hex 8)" -extensions ca_ext -out "$WORK/$1.pem" \
    >>"$LOG" 2>&1 || fail "CA $1"
}

# leaf NAME SUBJECT EXTENSIONS ISSUER: NAME.pem from key NAME.key (made beforehand), signed by
# ISSUER.pem/ISSUER.key (whose serial file hands out distinct serials), with SAN=$SAN.
leaf() {
  "$OPENSSL" req -config "$CNF" -new -key "$WORK/$1.key" -subj "$2" -out "$WORK/$1.csr" \
    >>"$LOG" 2>&1 || fail "request $1"
  "$OPENSSL" x509 -req -in "$WORK/$1.csr" -CA "$WORK/$4.pem" -CAkey "$WORK/$4.key" \
    -CAserial "$WORK/$4.srl" -CAcreateserial -days 3650 -extfile "$CNF" -extensions "$3" \
    -out "$WORK/$1.pem" >>"$LOG" 2>&1 || fail "certificate $1"
  rm -f "$WORK/$1.csr"
}

chain() {
  cat "$WORK/$1.pem" "$WORK/ca.pem" >"$WORK/$1-chain.pem"
}

LOCALHOST_SAN="DNS:localhost, IP:127.0.0.1, IP:::1"
ca ca "/O=restws-test/CN=restws test CA"
ca other-ca "/O=rogue/CN=restws other CA"

ec_key server.key
SAN=$LOCALHOST_SAN leaf server "/O=restws-test/CN=localhost" server_ext ca
ec_key server2.key
SAN=$LOCALHOST_SAN leaf server2 "/O=reloaded/CN=localhost" server_ext ca
rsa_key server-rsa.key
SAN=$LOCALHOST_SAN leaf server-rsa "/O=restws-test/CN=localhost" server_rsa_ext ca
ec_key a.test.key
SAN="DNS:a.test, DNS:*.a.test" leaf a.test "/O=restws-test/CN=a.test" server_ext ca
ec_key b.test.key
SAN="DNS:b.test" leaf b.test "/O=restws-test/CN=b.test" server_ext ca
for name in server server2 server-rsa a.test b.test; do
  chain "$name"
done

ec_key client.key
leaf client "/O=restws-test/CN=alice" client_ext ca
ec_key rogue-client.key
leaf rogue-client "/O=rogue/CN=mallory" client_ext other-ca

"$OPENSSL" genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out "$WORK/dhparams.pem" \
  >>"$LOG" 2>&1 || fail "DH parameters"

# The names RESTinio's websocket_wss sample reads (examples/wss_restinio).
cp "$WORK/server-chain.pem" "$WORK/wss_server.pem"
cp "$WORK/server.key" "$WORK/wss_key.pem"
cp "$WORK/dhparams.pem" "$WORK/wss_dh2048.pem"

chmod 644 "$WORK"/*.pem  # certificates and DH parameters are public; keys stay 0600
chmod 600 "$WORK/wss_key.pem"

rm -f "$OUTDIR/$MARKER"
for f in $FILES; do
  mv -f "$WORK/$f" "$OUTDIR/$f"
done
: >"$OUTDIR/$MARKER"
