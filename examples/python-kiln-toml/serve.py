"""A standard-library HTTP server; kiln.toml says how to start it and which Python to use."""

import argparse
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"hello from kiln.toml on python {sys.version_info.major}.{sys.version_info.minor}\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(body.encode())


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    HTTPServer(("0.0.0.0", parser.parse_args().port), Hello).serve_forever()
