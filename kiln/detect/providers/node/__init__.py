"""Node.js: npm, yarn, pnpm, bun; workspaces; frameworks (see docs/providers/node.md)."""

from kiln.detect.providers.node.provider import NodeProvider

__all__ = ["NodeProvider"]
