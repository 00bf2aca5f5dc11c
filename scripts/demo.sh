#!/usr/bin/env bash
# `make demo`: a local registry, base images bootstrapped from Debian, a few examples built and
# pushed (DEMO_EXAMPLES="a b" picks others, DEMO_EXAMPLES=all builds every one), one of them run
# and asked for its page, then the service.
set -euo pipefail
cd "$(dirname "$0")/.."
registry=${1:-127.0.0.1:5000}
export KILN_DATA_DIR=${KILN_DATA_DIR:-$PWD/.kiln/data}
kiln=.venv/bin/kiln

step() { printf '\n\033[1;36m== %s\033[0m\n' "$*"; }

step "registry on $registry"
bash scripts/registry.sh "$registry" .kiln/registry

step "base images from Debian packages (built once, then reused)"
$kiln bases bootstrap --registry "$registry/kiln"

declare -A digests
wanted=${DEMO_EXAMPLES:-node-express python-flask go-http rust-http static-site dockerfile-shell}
[ "$wanted" = all ] && wanted=$(ls examples)
for name in $wanted; do
  example=examples/$name
  [ -f "$example/check.toml" ] || continue
  step "build $name"
  $kiln plan "$example" | sed -n '1,3p'
  digests[$name]=$($kiln build "$example" --image "$registry/examples/$name:demo" --push 2>.kiln/build-$name.log) || {
    tail -20 ".kiln/build-$name.log"; exit 1; }
  echo "  pushed $registry/examples/$name:demo@${digests[$name]}"
done

step "run examples/node-express and ask it for /"
port=18080
image="$registry/examples/node-express:demo"
ctr=$(buildah --storage-driver overlay from --pull-never "$image")
mapfile -d '' -t cmd < <(buildah --storage-driver overlay inspect --type container "$ctr" |
  .venv/bin/python -c 'import json, sys; sys.stdout.write("\0".join(json.load(sys.stdin)["OCIv1"]["config"]["Cmd"]))')
setsid buildah --storage-driver overlay run --runtime runc --network host --env PORT=$port "$ctr" -- \
  "${cmd[@]}" > .kiln/run.log 2>&1 &
runner=$!
cleanup() { kill -- -"$runner" 2>/dev/null || true; wait "$runner" 2>/dev/null || true; buildah --storage-driver overlay rm "$ctr" >/dev/null 2>&1 || true; }
trap cleanup EXIT
for _ in $(seq 100); do
  if answer=$(curl -fsS "http://127.0.0.1:$port/" 2>/dev/null); then
    printf '  GET http://127.0.0.1:%s/ → %s\n' "$port" "$answer"
    for name in "${!digests[@]}"; do printf '  %-18s %s\n' "$name" "${digests[$name]}"; done
    cleanup
    trap - EXIT
    step "the service: kiln serve, a build over the REST API, its log over SSE"
    .venv/bin/python scripts/demo_service.py "$registry" examples/python-flask
    step "done"
    exit 0
  fi
  sleep 0.2
done
echo "the example did not answer; its log:" >&2
cat .kiln/run.log >&2
exit 1
