"""OCI distribution registries: the client kiln verifies pushes with and, later, cleans up with."""
