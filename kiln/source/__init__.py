"""Source code: git checkouts (clone, commit metadata) and, later, GitHub App tokens."""
