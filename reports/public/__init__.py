"""The public site: views, rendering, search, page cache, feeds, sitemaps, preview."""
