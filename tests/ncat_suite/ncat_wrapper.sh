#!/bin/bash
# Stands in for `ncat` in ncat's own test suite (nmap/nmap ncat/test/ncat-test.pl):
# its HTTP proxy servers (`-l --proxy-type http`) and proxy clients (`--proxy`)
# run socktool; every other invocation (the test's plain servers and clients)
# runs the real ncat. The suite expects ncat's start-up to be instant and
# its `--test` LISTEN line; socktool prints "listening on" with -v, which is
# turned into that line, and a client of the proxy port waits until it listens.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SOCKTOOL=(deno run -q -P --config "$ROOT/deno.json" "$ROOT/main.ts")
PROXY_PORT=$((${NCAT_SUITE_PORT:-40000} + 1))

listen=0 ptype=0 proxy=0 host=127.0.0.1 port=
args=()
for a in "$@"; do
	case "$a" in
	-l) listen=1 ;;
	--proxy-type) ptype=1 ;;
	--proxy) proxy=1 ;;
	-6) host=::1 ;;
	esac
	[ "$a" = --test ] || args+=("$a")
done
# The positional port, for clients: the last all-digit argument.
for a in "$@"; do [[ $a =~ ^[0-9]+$ ]] && port=$a; done

wait_for_proxy() {
	for _ in $(seq 1 150); do
		(exec 3<>"/dev/tcp/$host/$PROXY_PORT") 2>/dev/null && return
		sleep 0.02
	done
}

if [ $listen = 1 ] && [ $ptype = 1 ]; then
	exec "${SOCKTOOL[@]}" -v "${args[@]}" 2> >(while IFS= read -r line; do
		printf '%s\n' "$line" >&2
		[[ $line == *"listening on"* ]] && printf 'NCAT TEST: LISTEN\n' >&2
	done)
elif [ $proxy = 1 ]; then
	[[ " $* " == *":$PROXY_PORT "* ]] && wait_for_proxy
	# ncat's proxy type defaults to http, socktool's to socks5.
	[ $ptype = 1 ] || args+=(--proxy-type http)
	exec "${SOCKTOOL[@]}" "${args[@]}"
else
	[ $listen = 0 ] && [ "$port" = $PROXY_PORT ] && wait_for_proxy
	exec ncat "$@"
fi
