"""protoc output for proto/kiln/build/v1/build.proto: regenerate with `make proto`, never edit."""
