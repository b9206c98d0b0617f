"""What the model-API stubs share: a threaded HTTP server on 127.0.0.1 (a free port) that keeps
every request and hands POSTs to the stub's `answer`, stopped when the context ends."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StubServer:
    """`commands`: the shell command the "model" asks to run at each turn; then `final_text`."""

    def __init__(self, commands: list[str], final_text: str = "All done.") -> None:
        self.commands, self.final_text = commands, final_text
        self.requests: list[dict] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def origin(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def answer(self, handler: BaseHTTPRequestHandler, path: str, body: dict) -> None:
        raise NotImplementedError

    def __enter__(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # model lists and the like
                send_json(self, {"object": "list", "data": [], "models": []})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                stub.requests.append({"path": self.path, "body": body})
                stub.answer(self, self.path, body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def send_json(handler: BaseHTTPRequestHandler, doc: dict) -> None:
    data = json.dumps(doc).encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def start_stream(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/event-stream")
    handler.send_header("Cache-Control", "no-cache")
    handler.end_headers()
