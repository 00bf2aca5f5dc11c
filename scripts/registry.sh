#!/usr/bin/env bash
# Start (or reuse) a local docker-registry for the demo: scripts/registry.sh HOST:PORT DATA_DIR
set -euo pipefail
addr=${1:-127.0.0.1:5000}
data=${2:-.kiln/registry}
mkdir -p "$data"
if curl -fsS "http://$addr/v2/" >/dev/null 2>&1; then
  exit 0
fi
cat > "$data/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $(realpath "$data")/storage
  delete:
    enabled: true
http:
  addr: $addr
YAML
nohup docker-registry serve "$data/config.yml" > "$data/registry.log" 2>&1 &
for _ in $(seq 50); do
  curl -fsS "http://$addr/v2/" >/dev/null 2>&1 && exit 0
  sleep 0.1
done
echo "the registry did not start on $addr; see $data/registry.log" >&2
exit 1
