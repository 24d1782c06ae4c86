#!/usr/bin/env bash
# Checks what make_certs.sh left in OUTDIR: each certificate verifies against its CA for its
# purpose and names, each key matches its certificate, the rogue client certificate does not
# verify against the test CA, and a second run of make_certs.sh keeps the set as it is.
# Prints one line per failed check; exit status 0 when all pass.
#
# Usage: verify_certs.sh OUTDIR        (OPENSSL=/path/to/openssl to choose the binary)
set -uo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi
DIR=$1
OPENSSL=${OPENSSL:-openssl}
failed=0
checks=0

# check WHAT COMMAND...: runs COMMAND, which must succeed.
check() {
  local what=$1 out
  shift
  checks=$((checks + 1))
  if ! out=$("$@" 2>&1); then
    echo "FAILED: $what: $out"
    failed=$((failed + 1))
  fi
}

# refused WHAT COMMAND...: runs COMMAND, which must fail.
refused() {
  local what=$1
  shift
  checks=$((checks + 1))
  if "$@" >/dev/null 2>&1; then
    echo "FAILED: $what: accepted"
    failed=$((failed + 1))
  fi
}

pubkey_of_cert() { "$OPENSSL" x509 -in "$DIR/$1" -noout -pubkey; }
pubkey_of_key() { "$OPENSSL" pkey -in "$DIR/$1" -pubout; }
same_key() { [ "$(pubkey_of_cert "$1.pem")" = "$(pubkey_of_key "$1.key")" ]; }
subject() { "$OPENSSL" x509 -in "$DIR/$1" -noout -subject -nameopt RFC2253; }
serial() { "$OPENSSL" x509 -in "$DIR/$1" -noout -serial; }
first_cert() { "$OPENSSL" x509 -in "$DIR/$1"; }
last_cert() { awk '/BEGIN CERT/ { n++ } n == 2' "$DIR/$1" | "$OPENSSL" x509; }
equal() { [ "$1" = "$2" ]; }

verify() { "$OPENSSL" verify -x509_strict -CAfile "$DIR/$1" "${@:2}"; }

check "servers verify against ca.pem" \
  verify ca.pem -purpose sslserver "$DIR/server.pem" "$DIR/server2.pem" "$DIR/server-rsa.pem" \
  "$DIR/a.test.pem" "$DIR/b.test.pem"
check "client.pem verifies against ca.pem" verify ca.pem -purpose sslclient "$DIR/client.pem"
check "rogue-client.pem verifies against other-ca.pem" \
  verify other-ca.pem -purpose sslclient "$DIR/rogue-client.pem"
refused "rogue-client.pem against ca.pem" verify ca.pem "$DIR/rogue-client.pem"
refused "client.pem as a server" verify ca.pem -purpose sslserver "$DIR/client.pem"
refused "server.pem as a client" verify ca.pem -purpose sslclient "$DIR/server.pem"

for name in server server2 server-rsa; do
  check "$name.pem for localhost" verify ca.pem -verify_hostname localhost "$DIR/$name.pem"
  check "$name.pem for 127.0.0.1" verify ca.pem -verify_ip 127.0.0.1 "$DIR/$name.pem"
  check "$name.pem for ::1" verify ca.pem -verify_ip ::1 "$DIR/$name.pem"
done
check "a.test.pem for a.test" verify ca.pem -verify_hostname a.test "$DIR/a.test.pem"
check "a.test.pem for www.a.test" verify ca.pem -verify_hostname www.a.test "$DIR/a.test.pem"
check "b.test.pem for b.test" verify ca.pem -verify_hostname b.test "$DIR/b.test.pem"
refused "b.test.pem for a.test" verify ca.pem -verify_hostname a.test "$DIR/b.test.pem"
refused "a.test.pem for localhost" verify ca.pem -verify_hostname localhost "$DIR/a.test.pem"
refused "server.pem for a.test" verify ca.pem -verify_hostname a.test "$DIR/server.pem"

for name in ca other-ca server server2 server-rsa a.test b.test client rogue-client; do
  check "$name.key matches $name.pem" same_key "$name"
done
for name in server server2 server-rsa a.test b.test; do
  check "$name-chain.pem starts with $name.pem" \
    equal "$(first_cert "$name-chain.pem")" "$(first_cert "$name.pem")"
  check "$name-chain.pem ends with ca.pem" \
    equal "$(last_cert "$name-chain.pem")" "$(first_cert ca.pem)"
done
check "server2.pem has another subject" \
  equal "$(subject server2.pem)" "subject=CN=localhost,O=reloaded"
refused "server2.pem has another serial" equal "$(serial server2.pem)" "$(serial server.pem)"
refused "server2.key differs from server.key" \
  equal "$(pubkey_of_key server2.key)" "$(pubkey_of_key server.key)"
check "client.pem is CN=alice,O=restws-test" \
  equal "$(subject client.pem)" "subject=CN=alice,O=restws-test"
check "dhparams.pem is ffdhe2048" \
  eval "\"$OPENSSL\" pkeyparam -in \"$DIR/dhparams.pem\" -noout -text | grep -q ffdhe2048"

# Idempotence: a second run keeps the files (same CA, same keys).
before=$(cat "$DIR"/*.pem "$DIR"/*.key | "$OPENSSL" sha256)
again=$("$(dirname "$0")/make_certs.sh" "$DIR" 2>&1)
check "make_certs.sh runs again, silently (printed: '$again')" equal "$?:$again" "0:"
after=$(cat "$DIR"/*.pem "$DIR"/*.key | "$OPENSSL" sha256)
check "a second make_certs.sh run changes nothing" equal "$before" "$after"

if [ "$failed" -ne 0 ]; then
  echo "tls.certs_verify: $failed of $checks checks failed"
  exit 1
fi
echo "tls.certs_verify: $checks checks passed"
