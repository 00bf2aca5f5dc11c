"""A Flask app: Poetry installs its main group, not the dev group."""

import importlib.util

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    dev = "with" if importlib.util.find_spec("pytest") else "without"
    return f"hello from poetry, {dev} dev dependencies\n"
