"""Build engines behind one protocol: buildah (embedded default) and, later, BuildKit."""
