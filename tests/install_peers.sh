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
