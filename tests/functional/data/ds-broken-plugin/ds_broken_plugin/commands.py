"""A plugin whose module raises on import, for ds's tests."""

raise RuntimeError("this plugin is broken on purpose")
