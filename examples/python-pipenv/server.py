"""A Flask app with flask-cors: Pipenv's default packages only."""

import importlib.util

from flask import Flask
from flask_cors import CORS

site = Flask(__name__)
CORS(site)


@site.get("/")
def index() -> str:
    dev = "with" if importlib.util.find_spec("pytest") else "without"
    return f"hello from pipenv, {dev} dev packages\n"
