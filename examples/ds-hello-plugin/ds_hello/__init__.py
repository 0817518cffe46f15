"""An example ds plugin (see docs/plugins.md)."""
