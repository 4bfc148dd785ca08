"""The real HAProxy from Debian's package, launched on port 0 from a preset config template."""
