"""A FastAPI app: kiln finds `api = FastAPI(` here by reading the text, and serves it with uvicorn."""

import importlib.util
import sys

from fastapi import FastAPI

api = FastAPI()


@api.get("/")
def index() -> dict[str, str]:
    dev = "with" if importlib.util.find_spec("pytest") else "without"
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return {"message": f"hello from uv on python {python}, {dev} dev dependencies"}
