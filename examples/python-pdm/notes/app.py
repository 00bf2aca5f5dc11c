"""An application factory: kiln serves `notes.app:create_app()` with gunicorn."""

import importlib.util

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def index() -> str:
        dev = "with" if importlib.util.find_spec("pytest") else "without"
        return f"hello from pdm, {dev} dev dependencies\n"

    return app
