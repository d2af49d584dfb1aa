#!/bin/bash
# Runs the HTTP proxy part of ncat's own test suite against socktool.
#
#   tests/ncat_suite/run_http_proxy_tests.sh NMAP_NCAT_TEST_DIR
#
# NMAP_NCAT_TEST_DIR is nmap's ncat/test directory (ncat-test.pl and
# test-cert.pem; not kept in this repository). Needs perl with HTTP::Message,
# Socket6 and URI (Debian: libhttp-message-perl libsocket6-perl liburi-perl),
# ncat, and two fixed ports free on loopback: $PORT and $PORT+1 (PORT from
# the environment, default 45000; the suite's own are 40000 and 40001). The suite's
# preamble (its helpers) and its HTTP proxy section (servers and clients)
# are cut out of ncat-test.pl and run with `ncat_wrapper.sh` as $NCAT.
set -euo pipefail
SUITE=$(cd "${1:?usage: $0 NMAP_NCAT_TEST_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
export NCAT_SUITE_PORT=${PORT:-45000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp "$SUITE/test-cert.pem" "$WORK/"
# The suite renews an expired certificate and then stops; renew it first.
verdict=$(openssl verify -trusted "$WORK/test-cert.pem" "$WORK/test-cert.pem" 2>&1 || true)
if [[ $verdict == *"error 10 at"* ]]; then
	openssl req -new -x509 -nodes -subj /O=ncat-test/CN=localhost/ \
		-keyout "$WORK/test-cert.pem" -out "$WORK/test-cert.pem" 2>/dev/null
fi
pl="$SUITE/ncat-test.pl"
first_test=$(grep -n '^test "Server default listen address and port"' "$pl" | head -1 | cut -d: -f1)
http_from=$(grep -n '^# HTTP proxy tests\.' "$pl" | cut -d: -f1)
http_to=$(grep -n '^# Allow and deny list tests\.' "$pl" | cut -d: -f1)
summary=$(grep -n '^print "\$num_expected_failures expected failures' "$pl" | cut -d: -f1)
{
	sed -n "1,$((first_test - 1))p" "$pl" |
		sed -e "s|^\t\$NCAT = \"../ncat\";|\t\$NCAT = \"$HERE/ncat_wrapper.sh\";|" \
			-e "s|^my \$PORT = 40000;|my \$PORT = $NCAT_SUITE_PORT;|" \
			-e "s|^my \$PROXY_PORT = 40001;|my \$PROXY_PORT = $((NCAT_SUITE_PORT + 1));|"
	sed -n "${http_from},$((http_to - 1))p" "$pl"
	sed -n "${summary},\$p" "$pl"
} >"$WORK/http-proxy-tests.pl"
cd "$WORK"
# The suite ends each test by signalling its own process group: make it a group leader.
setsid perl http-proxy-tests.pl
