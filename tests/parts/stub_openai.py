"""A scripted stand-in for the OpenAI Responses API (`POST /v1/responses`, streamed), on 127.0.0.1.

Codex CLI (a custom model provider's `base_url`) and Copilot CLI (BYOK, `COPILOT_PROVIDER_BASE_URL`
with `COPILOT_PROVIDER_WIRE_API=responses`) talk to it instead of a model. Each turn of the script
is one shell command the "model" asks to run; after the last it answers with text. The turn is
the number of tool results already in the request, so retries get the same answer. Every request
is kept (`requests`) so a test can read what the agent sent back: a refused call's reason.

    with StubOpenAI(["cat .env"]) as stub: ...  stub.base_url, stub.requests

Stdlib only; a free port; the server thread stops with the context (stub_server.py).
"""

from __future__ import annotations

import json

from .stub_server import StubServer, send_json, start_stream


class StubOpenAI(StubServer):
    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    def answer(self, handler, path: str, body: dict) -> None:
        if not path.rstrip("/").endswith("/responses"):
            send_json(handler, {})
            return
        item = self.reply(body)
        start_stream(handler)
        rid = f"resp_{len(self.requests)}"
        response = {"id": rid, "object": "response", "status": "in_progress", "output": []}
        events = [("response.created", {"response": response}),
                  ("response.output_item.added", {"output_index": 0, "item": item}),
                  ("response.output_item.done", {"output_index": 0, "item": item}),
                  ("response.completed", {"response": {**response, "status": "completed", "output": [item],
                                                       "usage": {"input_tokens": 10, "output_tokens": 5,
                                                                 "total_tokens": 15}}})]
        if item["type"] == "message":
            events.insert(2, ("response.output_text.delta", {"item_id": item["id"], "output_index": 0,
                                                             "content_index": 0, "delta": item["content"][0]["text"]}))
        for seq, (name, data) in enumerate(events):
            handler.wfile.write(f"event: {name}\ndata: {json.dumps({'type': name, 'sequence_number': seq, **data})}"
                                f"\n\n".encode())
        handler.wfile.flush()

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
