"""The build step railpack.json names: renders the page the start command serves."""

from pathlib import Path

Path("public").mkdir(exist_ok=True)
Path("public/index.html").write_text("<h1>hello from railpack.json</h1>\n")
