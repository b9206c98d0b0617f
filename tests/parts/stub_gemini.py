"""A scripted stand-in for the Gemini API (`models/*:streamGenerateContent`, and the plain
`generateContent` and `countTokens` around it), on 127.0.0.1, for Gemini CLI pointed at it with
GOOGLE_GEMINI_BASE_URL and a dummy GEMINI_API_KEY. Each turn of the script is one shell command
the "model" asks to run (run_shell_command); after the last it answers with text. The turn is the
number of function responses already in the request. Every request is kept (`requests`).

    with StubGemini(["printenv"]) as stub: ...  stub.base_url, stub.tool_outputs()
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

USAGE = {"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 15}


class StubGemini:
    def __init__(self, commands: list[str], final_text: str = "All done.") -> None:
        self.commands, self.final_text = commands, final_text
        self.requests: list[dict] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "StubGemini":
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                self._json({"models": [{"name": "models/gemini-2.5-pro"}]})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                stub.requests.append({"path": self.path, "body": body})
                if ":countTokens" in self.path:
                    self._json({"totalTokens": 10})
                elif ":streamGenerateContent" in self.path:
                    data = json.dumps(stub.reply(body))
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    self.wfile.write(f"data: {data}\r\n\r\n".encode())
                else:  # side requests (routing, next speaker): a short JSON answer
                    self._json({"candidates": [{"content": {"role": "model", "parts": [{"text": '{"next_speaker": '
                               '"user", "reasoning": "done", "model_choice": "pro"}'}]}, "finishReason": "STOP"}],
                                "usageMetadata": USAGE})

            def _json(self, doc: dict) -> None:
                data = json.dumps(doc).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def reply(self, body: dict) -> dict:
        done = len(self._responses(body))
        if done >= len(self.commands):
            part = {"text": self.final_text}
        else:
            part = {"functionCall": {"name": "run_shell_command", "args": {"command": self.commands[done]}}}
        return {"candidates": [{"content": {"role": "model", "parts": [part]}, "finishReason": "STOP", "index": 0}],
                "usageMetadata": USAGE}

    def tool_outputs(self) -> list[str]:
        """Every function response the CLI sent back, in order (the last stream request has them all)."""
        streams = [r["body"] for r in self.requests if ":streamGenerateContent" in r["path"]]
        return [json.dumps(p["functionResponse"].get("response")) for p in self._responses(streams[-1])] if streams \
            else []

    @staticmethod
    def _responses(body: dict) -> list[dict]:
        return [p for c in body.get("contents") or [] for p in c.get("parts") or []
                if isinstance(p, dict) and "functionResponse" in p]
