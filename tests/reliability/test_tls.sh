# TLS: verification is always on. portal-sim serving HTTPS with a certificate
# from a CA generated here is refused (exit 5, a message naming the
# certificate) until the connection's ca_file names that CA; another CA is
# refused too; plain http:// to a host that is not loopback is refused with
# nothing sent; no config key, environment variable or option turns
# verification off.
source "$(dirname "$0")/../lib/common.sh"

# A private CA and a server certificate it signed, for 127.0.0.1.
gen() { openssl "$@" 2>/dev/null; }
gen req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=portalctl test CA" \
    -keyout "$TEST_TMP/ca.key" -out "$TEST_TMP/ca.pem"
gen req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout "$TEST_TMP/server.key" -out "$TEST_TMP/server.csr"
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$TEST_TMP/san.ext"
gen x509 -req -in "$TEST_TMP/server.csr" -CA "$TEST_TMP/ca.pem" -CAkey "$TEST_TMP/ca.key" \
    -CAcreateserial -days 2 -extfile "$TEST_TMP/san.ext" -out "$TEST_TMP/server.pem"
gen req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=some other CA" \
    -keyout "$TEST_TMP/other.key" -out "$TEST_TMP/other.pem"

start_sim --tls-cert "$TEST_TMP/server.pem" --tls-key "$TEST_TMP/server.key"
expect_match '^https://127\.0\.0\.1:' "$SIM_URL" "portal-sim serves HTTPS"

cfg="$TEST_TMP/config.ini"
cat >"$cfg" <<INI
[connection tls-plain]
vendor = ecgrid
url = $SIM_URL

[connection tls-other-ca]
vendor = ecgrid
url = $SIM_URL
ca_file = $TEST_TMP/other.pem

[connection tls-ca]
vendor = ecgrid
url = $SIM_URL
ca_file = $TEST_TMP/ca.pem
INI
no_sanitizer() { ! grep -q -E 'Sanitizer|runtime error' "$TEST_TMP/err" || { cat "$TEST_TMP/err" >&2; fail "sanitizer report"; }; }
for c in tls-plain tls-other-ca tls-ca; do printf 'sim-ecgrid-netadmin\n' | pc auth set "$c" 2>/dev/null; done

# Without ca_file: the system's CAs do not know ours. Refused, clearly, and
# not one HTTP request reached the simulator (the handshake failed first).
expect_eq 5 "$(status_of pc users list tls-plain)" "exit status for an untrusted certificate"
no_sanitizer
expect_match 'TLS failed' "$(cat "$TEST_TMP/err")" "the error says TLS"
expect_match '[Cc]ertificate' "$(cat "$TEST_TMP/err")" "the error names the certificate"
expect_eq 0 "$(wc -l <"$SIM_LOG")" "HTTP requests that reached portal-sim over unverified TLS"

# Another CA in ca_file: refused the same way.
expect_eq 5 "$(status_of pc users list tls-other-ca)" "exit status for a certificate of another CA"
expect_match '[Cc]ertificate' "$(cat "$TEST_TMP/err")" "the error names the certificate"
expect_eq 0 "$(wc -l <"$SIM_LOG")" "HTTP requests over TLS verified against the wrong CA"

# The environment cannot switch verification off or swap the trust store in.
rc=$(status_of env CURL_CA_BUNDLE="$TEST_TMP/ca.pem" SSL_CERT_FILE=/dev/null \
    CURL_SSL_NO_VERIFY=1 PORTALCTL_INSECURE=1 GIT_SSL_NO_VERIFY=1 \
    "$PORTALCTL_BIN" --config "$cfg" users list tls-plain)
expect_eq 5 "$rc" "exit status with environment variables that disable verification elsewhere"

# With the CA configured: accepted, over verified TLS.
expect_eq 0 "$(status_of pc users list tls-ca)" "exit status with ca_file"
no_sanitizer
expect_match 'netadmin' "$(cat "$TEST_TMP/out")" "users listed over verified TLS"

# The name must match too: the certificate is for 127.0.0.1 and localhost,
# not for another name of this machine, even with the right CA.
host_ip=$(hostname -I 2>/dev/null | awk '{print $1}')
if [[ -n "$host_ip" ]]; then
    sim_port=${SIM_URL##*:}
    stop_sim
    start_sim --listen "0.0.0.0:$sim_port" --tls-cert "$TEST_TMP/server.pem" \
        --tls-key "$TEST_TMP/server.key"
    cat >"$TEST_TMP/name.ini" <<INI
[connection tls-ca]
vendor = ecgrid
url = https://$host_ip:$sim_port
ca_file = $TEST_TMP/ca.pem
INI
    rc=$(status_of "$PORTALCTL_BIN" --config "$TEST_TMP/name.ini" users list tls-ca)
    expect_eq 5 "$rc" "exit status for a certificate that does not name the host"
    expect_eq 0 "$(wc -l <"$SIM_LOG")" "HTTP requests to a host the certificate does not name"
fi
stop_sim

# Plain http:// to a host that is not loopback: refused before anything is
# sent. A plain portal-sim listens on every address; asked through this
# machine's own non-loopback address it would answer, so an empty request
# log (and no wait for a connect) proves nothing went out.
start_sim --listen 0.0.0.0:0
port=${SIM_URL##*:}
target=${host_ip:-192.0.2.1}
cat >"$TEST_TMP/plain.ini" <<INI
[connection plain-remote]
vendor = ecgrid
url = http://$target:$port

[connection plain-name]
vendor = ecgrid
url = http://localhost.example:$port

[connection plain-loopback]
vendor = ecgrid
url = http://127.0.0.1:$port
INI
for c in plain-remote plain-name plain-loopback; do
    printf 'sim-ecgrid-netadmin\n' | "$PORTALCTL_BIN" --config "$TEST_TMP/plain.ini" auth set "$c" 2>/dev/null
done
for c in plain-remote plain-name; do
    start=$(date +%s%N)
    rc=$(status_of "$PORTALCTL_BIN" --config "$TEST_TMP/plain.ini" users list "$c")
    elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    expect_eq 5 "$rc" "exit status for plain http:// to $c"
    no_sanitizer
    expect_match 'plain http:// is only allowed to this machine' "$(cat "$TEST_TMP/err")" \
        "the refusal says why ($c)"
    (( elapsed_ms < 5000 )) || fail "$c: refusal took ${elapsed_ms} ms (a connection was tried?)"
done
expect_eq 0 "$(wc -l <"$SIM_LOG")" "requests sent over plain http:// to a non-loopback host"
expect_eq 0 "$(status_of "$PORTALCTL_BIN" --config "$TEST_TMP/plain.ini" users list plain-loopback)" \
    "plain http:// to loopback (portal-sim) is allowed"
expect_eq 1 "$(jq -s 'length' "$SIM_LOG")" "the loopback request arrived"
stop_sim

# No config key turns verification off: each is refused as unknown (exit 2),
# so a typo-like "verify = false" never passes silently.
for key in insecure verify ssl_verify tls_verify verify_peer ssl_no_verify; do
    printf '[connection k]\nvendor = ecgrid\n%s = false\n' "$key" >"$TEST_TMP/key.ini"
    rc=$(status_of "$PORTALCTL_BIN" --config "$TEST_TMP/key.ini" users list k)
    expect_eq 2 "$rc" "exit status for config key $key"
    expect_match "$key" "$(cat "$TEST_TMP/err")" "the refused key is named"
done
# ...and there is no command-line option for it.
for opt in --insecure -k --no-verify; do
    expect_eq 2 "$(status_of "$PORTALCTL_BIN" "$opt" connections)" "exit status for $opt"
done
# ...and no source file sets libcurl's verification off.
! grep -rnE 'SSL_VERIFY(PEER|HOST|STATUS)[^;]*,[[:space:]]*0L?\)' "$PORTALCTL_SOURCE_DIR/src" \
    || fail "a source file turns TLS verification off"
echo ok
