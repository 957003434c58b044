# portal-sim serves HTTPS with a generated self-signed certificate: a client
# that trusts the certificate gets answers, one that does not is refused.
source "$(dirname "$0")/../lib/common.sh"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$TEST_TMP/key.pem" -out "$TEST_TMP/cert.pem" 2>/dev/null

start_sim --tls-cert "$TEST_TMP/cert.pem" --tls-key "$TEST_TMP/key.pem"
expect_match '^https://127\.0\.0\.1:[0-9]+$' "$SIM_URL" "HTTPS listening URL"

status=$(curl -s --cacert "$TEST_TMP/cert.pem" -o /dev/null -w '%{http_code}' "$SIM_URL/nowhere")
expect_eq 404 "$status" "answer over verified TLS"

rc=0
curl -s -o /dev/null "$SIM_URL/nowhere" || rc=$?
expect_eq 60 "$rc" "curl exit status without the CA (certificate verify failed)"

rc=0
curl -s -o /dev/null "${SIM_URL/https:/http:}/nowhere" || rc=$?
[[ $rc -ne 0 ]] || fail "plain HTTP answered on the TLS port"
stop_sim
echo "ok"
