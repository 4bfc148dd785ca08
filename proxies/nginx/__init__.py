"""The real nginx from Debian's package, launched on port 0 from a preset config template."""
