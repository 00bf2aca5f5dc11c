"""Build logs: where lines go (reporters now; the sequenced, redacted sink with the service)."""
