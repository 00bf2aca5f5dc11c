#!/usr/bin/env bash
# Install buildkitd + buildctl (moby/buildkit, pinned), built from its module on the Go module proxy.
# Idempotent: does nothing when both binaries of the pinned version are already on PATH / in GOBIN.
# Needs Go (>= 1.22; /usr/local/go/bin/go is used when `go` is not on PATH) and Debian's runc.
set -euo pipefail
BUILDKIT_VERSION="${BUILDKIT_VERSION:-v0.34.2}"
GOBIN="${GOBIN:-/usr/local/bin}"
export GOBIN

installed_version() {  # prints the version a binary reports, or nothing
  "$1" --version 2>/dev/null | awk '{print $3}'
}

if [ "$(installed_version "$GOBIN/buildctl")" = "$BUILDKIT_VERSION" ] &&
   [ "$(installed_version "$GOBIN/buildkitd")" = "$BUILDKIT_VERSION" ]; then
  exit 0
fi

go_bin="$(command -v go || true)"
[ -n "$go_bin" ] || go_bin=/usr/local/go/bin/go
if [ ! -x "$go_bin" ]; then
  echo "install-buildkit: no Go toolchain (need go >= 1.22 on PATH or at /usr/local/go/bin/go)" >&2
  exit 1
fi
command -v runc >/dev/null 2>&1 || { echo "install-buildkit: runc missing (apt-get install runc)" >&2; exit 1; }

echo "installing buildkit $BUILDKIT_VERSION into $GOBIN (Go module proxy)"
started=$(date +%s)
# `go install github.com/moby/buildkit/cmd/buildkitd@version` is refused: buildkit's go.mod has
# `exclude` directives, which `go install pkg@version` rejects. So fetch the module from the
# proxy and build its commands inside it, as the main module (its go.mod and go.sum apply).
"$go_bin" mod download "github.com/moby/buildkit@$BUILDKIT_VERSION"
src="$("$go_bin" env GOMODCACHE)/github.com/moby/buildkit@$BUILDKIT_VERSION"
# The version string the binaries print comes from this linker flag.
ldflags="-X github.com/moby/buildkit/version.Version=$BUILDKIT_VERSION"
for cmd in buildkitd buildctl; do
  (cd "$src" && CGO_ENABLED=0 "$go_bin" build -mod=readonly -ldflags "$ldflags" \
     -o "$GOBIN/$cmd" "./cmd/$cmd")
done
echo "buildkit $BUILDKIT_VERSION installed in $(( $(date +%s) - started ))s"
