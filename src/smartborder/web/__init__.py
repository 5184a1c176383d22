"""The officers' and analysts' web UI: server-rendered pages (Jinja2) with htmx, on the same
service as the API."""
