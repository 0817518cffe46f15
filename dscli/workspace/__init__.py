"""Local workspace files: .dotscience-ignore rules, the manifest, and uploads (ds run -u)."""
