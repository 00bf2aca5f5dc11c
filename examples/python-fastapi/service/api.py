import sys

from fastapi import FastAPI

api = FastAPI(title="kiln example")


@api.get("/")
def hello() -> dict[str, str]:
    return {"message": f"hello from fastapi on python {sys.version_info.major}.{sys.version_info.minor}"}
