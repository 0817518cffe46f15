#!/usr/bin/env bash
# `make demo`: start the embedded local hub, log in, create and list projects,
# stop the hub. Everything lives in a temporary directory that is removed after.
set -euo pipefail

work=$(mktemp -d)
hub_pid=
cleanup() {
  if [ -n "$hub_pid" ]; then kill "$hub_pid" 2>/dev/null || true; wait "$hub_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The demo keeps its login apart from yours.
export XDG_CONFIG_HOME="$work/config"
port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export DOTSCIENCE_URL="http://127.0.0.1:$port"
export PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring

show() { printf '\n$ %s\n' "$*"; "$@"; }

echo "Starting the embedded hub on $DOTSCIENCE_URL (data in $work/hub)"
ds-hub up --data-dir "$work/hub" --port "$port" --admin-password demo-password >"$work/hub.log" 2>&1 &
hub_pid=$!
for _ in $(seq 100); do
  if python -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1] + '/v2/health', timeout=1)" "$DOTSCIENCE_URL" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$hub_pid" 2>/dev/null; then cat "$work/hub.log"; exit 1; fi
  sleep 0.1
done

printf '\n$ ds login admin --password-stdin\n'
echo demo-password | ds login admin --password-stdin
show ds project create mnist
show ds project create cifar10
show ds project ls
show ds project ls -f json
show ds project inspect mnist
show ds project rm cifar10
show ds project ls -q
echo
echo "Demo finished: the hub is stopped and its data removed."
