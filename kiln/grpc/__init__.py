"""The gRPC door: BuildService (proto/kiln/build/v1/build.proto) served by `kiln serve`."""
