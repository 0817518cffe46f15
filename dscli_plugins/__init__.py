"""The built-in command groups of ``ds``, one module each (see docs/plugins.md)."""
