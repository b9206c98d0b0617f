"""A scripted stand-in for the OpenAI Responses API (`POST /v1/responses`, streamed), on 127.0.0.1.

Codex CLI (a custom model provider's `base_url`) and Copilot CLI (BYOK, `COPILOT_PROVIDER_BASE_URL`
with `COPILOT_PROVIDER_WIRE_API=responses`) talk to it instead of a model. Each turn of the script
is one shell command the "model" asks to run; after the last it answers with text. The turn is
the number of tool results already in the request, so retries get the same answer. Every request
is kept (`requests`) so a test can read what the agent sent back: a refused call's reason.

    with StubOpenAI(["cat .env"]) as stub: ...  stub.base_url, stub.requests

Stdlib only; a free port; the server thread stops with the context.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StubOpenAI:
    def __init__(self, commands: list[str], final_text: str = "All done.") -> None:
        self.commands, self.final_text = commands, final_text
        self.requests: list[dict] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> "StubOpenAI":
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # /v1/models and the like
                self._send_json({"object": "list", "data": [{"id": "gpt-5", "object": "model"}]})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                stub.requests.append({"path": self.path, "body": body})
                if not self.path.rstrip("/").endswith("/responses"):
                    self._send_json({})
                    return
                self._stream(stub.reply(body))

            def _send_json(self, doc: dict) -> None:
                data = json.dumps(doc).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, item: dict) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                rid = f"resp_{len(stub.requests)}"
                response = {"id": rid, "object": "response", "status": "in_progress", "output": []}
                events = [("response.created", {"response": response}),
                          ("response.output_item.added", {"output_index": 0, "item": item}),
                          ("response.output_item.done", {"output_index": 0, "item": item}),
                          ("response.completed", {"response": {**response, "status": "completed", "output": [item],
                                                               "usage": {"input_tokens": 10, "output_tokens": 5,
                                                                         "total_tokens": 15}}})]
                if item["type"] == "message":
                    text = item["content"][0]["text"]
                    events.insert(2, ("response.output_text.delta",
                                      {"item_id": item["id"], "output_index": 0, "content_index": 0, "delta": text}))
                for seq, (name, data) in enumerate(events):
                    self.wfile.write(f"event: {name}\ndata: {json.dumps({'type': name, 'sequence_number': seq, **data})}"
                                     f"\n\n".encode())
                self.wfile.flush()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def reply(self, body: dict) -> dict:
        """The next scripted item: a shell call in the request's own tool shape, or the final text."""
        done = sum(1 for i in body.get("input") or [] if isinstance(i, dict) and i.get("type") ==
                   "function_call_output")
        if done >= len(self.commands):
            return {"type": "message", "id": f"msg_{done}", "role": "assistant", "status": "completed",
                    "content": [{"type": "output_text", "text": self.final_text, "annotations": []}]}
        name, args = shell_call(body.get("tools") or [], self.commands[done])
        return {"type": "function_call", "id": f"fc_{done}", "call_id": f"call_{done}", "name": name,
                "arguments": json.dumps(args), "status": "completed"}

    def tool_outputs(self) -> list[str]:
        """Every tool result the agent sent back, in order (the last request holds them all)."""
        last = [r["body"] for r in self.requests if r["path"].rstrip("/").endswith("/responses")]
        items = last[-1].get("input") or [] if last else []
        return [str(i.get("output")) for i in items if isinstance(i, dict) and i.get("type") == "function_call_output"]


def shell_call(tools: list, command: str) -> tuple[str, dict]:
    """The agent's own shell tool and how it takes a command."""
    names = {t.get("name") for t in tools if isinstance(t, dict)}
    for name, args in (("shell_command", {"command": command}), ("exec_command", {"cmd": command}),
                       ("shell", {"command": ["bash", "-lc", command]}), ("bash", {"command": command})):
        if name in names:
            return name, args
    raise AssertionError(f"no shell tool among {sorted(n for n in names if n)}")
