"""The command line: parses, calls the library, hands results to the renderer."""
