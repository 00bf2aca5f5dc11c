"""Registry quota: usage counted once per unique blob, and the cleanup that keeps it under quota."""
