"""The catalog: runtime records, the format of catalog files, loading with overlays and
the cache, look-ups, coverage and refresh from public datasets."""
