"""The catalog: runtime records, the format of catalog files, loading with overlays and
the cache, look-ups, and refresh from public datasets."""
