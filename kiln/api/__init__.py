"""The REST API (FastAPI): routes, SSE log streaming, errors as JSON."""
