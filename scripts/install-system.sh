#!/usr/bin/env bash
# Install the Debian packages kiln needs (buildah + runc, the registry server, mmdebstrap, git, …).
# Idempotent: only missing packages are installed; needs root (or sudo).
set -euo pipefail
packages=(buildah runc uidmap fuse-overlayfs docker-registry mmdebstrap git ca-certificates
          busybox openssl curl postgresql apache2-utils chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# buildkitd + buildctl (pinned) built from the Go module proxy; a no-op once installed.
bash "$(dirname "$0")/install-buildkit.sh"
