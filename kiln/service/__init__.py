"""Use cases: what the doors (REST, gRPC, dashboard, CLI) call. Doors call nothing else."""
