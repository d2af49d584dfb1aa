#!/usr/bin/env bash
# Installs the real peers the test suite talks to (Debian packages), only
# those missing. Run by `deno task test` before the tests, so one command
# works on a fresh machine.
set -u
need=()
command -v nc >/dev/null 2>&1 || need+=(netcat-openbsd)
command -v ncat >/dev/null 2>&1 || need+=(ncat)
command -v socat >/dev/null 2>&1 || need+=(socat)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v microsocks >/dev/null 2>&1 || need+=(microsocks)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v script >/dev/null 2>&1 || need+=(bsdutils)
command -v zsh >/dev/null 2>&1 || need+=(zsh)
command -v fish >/dev/null 2>&1 || need+=(fish)
command -v groff >/dev/null 2>&1 || need+=(groff-base)
# Node's `ws` package from npm: the WebSocket peer of tests/ws_*_test.ts, in a
# cache folder of its own (gitignored); tests/_test_utils/ws_peer.ts installs
# it the same way when a test runs without this script.
ws_dir="$(cd "$(dirname "$0")" && pwd)/.npm-peers"
if [ ! -f "$ws_dir/node_modules/ws/package.json" ] && command -v npm >/dev/null 2>&1; then
  echo "installing test peer: ws@8.23.0 (npm) into tests/.npm-peers" >&2
  mkdir -p "$ws_dir"
  npm install --prefix "$ws_dir" --no-audit --no-fund --no-save --silent ws@8.23.0 >/dev/null 2>&1 ||
    echo "could not install ws from npm: the WebSocket tests will fail" >&2
fi
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing test peers: ${need[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo="sudo"
if command -v apt-get >/dev/null 2>&1; then
  $sudo apt-get update -qq >/dev/null 2>&1
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 ||
    echo "could not install ${need[*]}: tests that need them will fail" >&2
else
  echo "no apt-get: install ${need[*]} by hand; tests that need them will fail" >&2
fi
exit 0
