"""The REST API (/v1, OpenAPI at /docs) and the server that also serves the officers' web UI."""
