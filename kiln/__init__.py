"""kiln: a self-hostable build service that turns a git repository into an OCI image."""

__version__ = "0.1.0"
