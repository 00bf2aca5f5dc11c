"""The BuildKit engine (`buildctl` against buildkitd) and a pool of daemons."""

from kiln.engines.buildkit.engine import BuildKitEngine
from kiln.engines.buildkit.pool import BuildKitPool

__all__ = ["BuildKitEngine", "BuildKitPool"]
