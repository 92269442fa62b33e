"""Human output, one module per command (the only package that imports rich); layout.py
holds what they share: the consoles, tables, hanging indents."""
