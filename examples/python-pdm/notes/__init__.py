"""The notes package."""
