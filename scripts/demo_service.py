"""The service half of `make demo`: start `kiln serve`, create a workspace, a registry and an app
from a local example repository, trigger a build over the REST API, follow its log over SSE, and
print the image digest. Usage: demo_service.py REGISTRY EXAMPLE_DIR"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "kiln-demo-token"  # noqa: S105 - a throwaway token for the local demo
PORT = int(os.environ.get("KILN_DEMO_PORT", "8700"))


def git_repository(example: Path) -> Path:
    repo = Path(tempfile.mkdtemp(prefix="kiln-demo-repo-")) / example.name
    shutil.copytree(example, repo)
    identity = ["-c", "user.name=kiln demo", "-c", "user.email=demo@kiln.dev"]
    for argv in (["init", "-q", "-b", "main"], ["add", "-A"], [*identity, "commit", "-qm", "demo"]):
        subprocess.run(["git", *argv], cwd=repo, check=True)
    return repo


def main() -> int:
    registry, example = sys.argv[1], Path(sys.argv[2]).resolve()
    data_dir = Path(os.environ.get("KILN_DATA_DIR", ROOT / ".kiln" / "data"))
    env = {
        **os.environ,
        "KILN_DATA_DIR": str(data_dir),
        "KILN_BOOTSTRAP_TOKEN": TOKEN,
        "KILN_ALLOW_LOCAL_REPOS": "1",
        "KILN_PORT": str(PORT),
        "KILN_DATABASE_URL": f"sqlite:///{data_dir / 'demo.db'}",
    }
    (data_dir / "demo.db").unlink(missing_ok=True)
    log = (ROOT / ".kiln" / "serve.log").open("w")
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "kiln"), "serve"], env=env,
                              stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{PORT}"
    try:
        api = httpx.Client(base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {TOKEN}"},
                           timeout=30)  # fmt: skip
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            print("kiln serve did not start; see .kiln/serve.log", file=sys.stderr)
            return 1
        print(f"  kiln serve is up: {base}/api/docs (embedded Temporal, SQLite)")
        api.post("/workspaces", json={"slug": "demo", "name": "Demo"}).raise_for_status()
        api.post("/workspaces/demo/registries", json={
            "name": "local", "kind": "generic", "url": registry, "namespace": "demo",
            "is_default": True,
        }).raise_for_status()  # fmt: skip
        repo = git_repository(example)
        api.post("/workspaces/demo/apps", json={"slug": example.name, "repo_url": str(repo),
                                                "branch": "main"}).raise_for_status()  # fmt: skip
        build = api.post(f"/workspaces/demo/apps/{example.name}/builds", json={}).json()
        print(f"  POST /workspaces/demo/apps/{example.name}/builds → build #{build['number']} "
              f"({build['id']}), commit {build['commit_sha'][:12]}")  # fmt: skip
        sse = {"Accept": "text/event-stream"}
        with api.stream("GET", f"/builds/{build['id']}/logs", headers=sse, timeout=None) as stream:
            event = "message"
            for line in stream.iter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: "):
                    data = json.loads(line[6:])
                    if event == "message":
                        print(f"  [{data['step'] or '-':>7}] {data['line']}")
                    elif event == "status":
                        print(f"  == {data['status']}")
                    elif event == "end":
                        break
                    event = "message"
        final = api.get(f"/builds/{build['id']}").json()
        print(f"\n  build #{final['number']}: {final['status']}")
        for step in final["steps"]:
            print(f"    {step['name']:<8} {step['duration_seconds'] or 0:6.2f}s")
        if final["status"] != "built":
            print(f"  {final['error_summary']}\n  {final['error_suggestion']}")
            return 1
        print(f"  image  {final['image_ref']}\n  digest {final['digest']}")
        print(f"  API    {base}/api/v1/builds/{final['id']}")
        return 0
    finally:
        server.terminate()
        server.wait(30)
        log.close()


if __name__ == "__main__":
    sys.exit(main())
