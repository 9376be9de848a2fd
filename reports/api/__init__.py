"""The read-only JSON API (see reports.api.views)."""
