"""Base images built from Debian packages (mmdebstrap), for hosts without a public registry."""
