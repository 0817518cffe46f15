#!/usr/bin/env bash
# `make demo`: start the embedded local hub (and its local runner), log in,
# create and list projects, run jobs and read their logs, stop the hub. Everything lives in a temporary directory that is removed after.
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

# Jobs run on the runner that `ds-hub up` started next to the hub.
for _ in $(seq 100); do
  ds runner ls -f value -c status 2>/dev/null | grep -q online && break
  sleep 0.1
done
show ds runner ls
show ds run -p mnist python -c "import dotscience, sys; print('training with dotscience', dotscience.__name__); print('epoch 1/1 done', file=sys.stderr)"
printf '\n$ ds run -p mnist -d sh -c ...\n'
task=$(ds run -p mnist -d sh -c 'for i in 1 2 3; do echo "step $i"; sleep 0.2; done; echo "a warning" >&2')
echo "$task"
show ds logs -f "$task"
show ds logs -v "$task"
show ds task ls

# Upload a local project (scratch/, *.tmp and hidden files stay home: see
# examples/mnist-project/.dotscience-ignore), run it, and list the workspace.
show ds run -p mnist -u "$(dirname "$0")/mnist-project" python train.py
show ds file ls mnist

# Each attempt the job published with the dotscience library is a run.
show ds runs ls --summary-type=mse mnist
echo
echo "Demo finished: the hub is stopped and its data removed."
