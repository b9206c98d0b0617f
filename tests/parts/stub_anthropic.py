"""A scripted Anthropic Messages API on 127.0.0.1, so a real agent CLI runs its tools and hooks offline.

The server runs as its own process (stdlib only), started and stopped by `StubAPI`:

    python stub_anthropic.py --script SCRIPT.json --log REQUESTS.jsonl --port-file PORTFILE

SCRIPT.json is {"turns": [TURN, ...], "final": TEXT}; a TURN is
    {"tools": [{"name": "Bash", "input": {...}}, ...]}   the model calls these tools, or
    {"text": "..."}                                       the model answers and ends its turn.
Which turn a request gets is read from the conversation it carries: the stub names its tool calls
`toolu_sg<turn>n<k>`, so the next turn is one past the highest turn found in the assistant messages
(plus one per text-only assistant message after it). A retried request gets the same turn again;
after the last turn every request gets `final`.

Auxiliary requests (no tools offered, a haiku model, a title or summary prompt) get a short text, or
a minimal JSON object when they ask for a json_schema, and use no turn. `POST /v1/messages` answers
as server-sent events when the body says `"stream": true`, else as one JSON message; `HEAD /` and
every other path get 200 `{}`. Each request is appended to the log as one JSON line:
{"n", "method", "path", "kind" (main/aux/other), "turn", "body"}, so a test can assert exactly
what the model was shown.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

TOOL_ID = re.compile(r"^toolu_sg(\d+)n\d+$")
AUX_SYSTEM = re.compile(r"\btitle\b|summar|\btopic\b", re.IGNORECASE)
AUX_TEXT = "Scripted session"
AGENT_TOOLS = {"Bash", "Read", "Write", "Edit", "Glob", "Grep"}


def is_auxiliary(body: dict) -> bool:
    tools = body.get("tools") or []
    if not tools or "haiku" in str(body.get("model", "")).lower():
        return True
    names = {t.get("name") for t in tools if isinstance(t, dict)}
    system = body.get("system")
    if isinstance(system, list):
        system = " ".join(b.get("text", "") for b in system if isinstance(b, dict))
    return not names & AGENT_TOOLS and bool(AUX_SYSTEM.search(str(system or "")))


def next_turn(body: dict) -> int:
    """The script turn this conversation is at (see the module docstring)."""
    last, texts_after = -1, 0
    for message in body.get("messages") or []:
        if message.get("role") != "assistant":
            continue
        blocks = message.get("content")
        blocks = [{"type": "text", "text": blocks}] if isinstance(blocks, str) else blocks or []
        turns = [int(m.group(1)) for b in blocks if isinstance(b, dict) and b.get("type") == "tool_use"
                 for m in [TOOL_ID.match(str(b.get("id", "")))] if m]
        if turns:
            if max(turns) > last:
                last, texts_after = max(turns), 0
        elif any(isinstance(b, dict) and b.get("type") == "text" for b in blocks):
            texts_after += 1
    return last + 1 + texts_after


def fill_schema(schema: object) -> object:
    """A small value that satisfies a simple JSON schema (for structured auxiliary requests)."""
    if not isinstance(schema, dict):
        return AUX_TEXT
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        return {key: fill_schema(props.get(key)) for key in schema.get("required") or props}
    return {"array": [], "integer": 0, "number": 0, "boolean": False, "null": None}.get(kind, AUX_TEXT)


def auxiliary_text(body: dict) -> str:
    fmt = (body.get("output_config") or {}).get("format") or body.get("output_format") or {}
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        return json.dumps(fill_schema(fmt.get("schema")))
    return AUX_TEXT


def reply_blocks(script: dict, turn: int) -> tuple[list[dict], str]:
    """(content blocks, stop_reason) for one script turn."""
    turns = script.get("turns") or []
    if turn >= len(turns):
        return [{"type": "text", "text": script.get("final", "Done.")}], "end_turn"
    step = turns[turn]
    if step.get("tools"):
        return [{"type": "tool_use", "id": f"toolu_sg{turn}n{k}", "name": call["name"], "input": call.get("input", {})}
                for k, call in enumerate(step["tools"])], "tool_use"
    return [{"type": "text", "text": step.get("text", "")}], "end_turn"


def sse(message: dict) -> bytes:
    """The message as the Messages API streams it: start, one delta per block, stop."""
    events = [("message_start", {"message": {**message, "content": [], "stop_reason": None}})]
    for i, block in enumerate(message["content"]):
        if block["type"] == "text":
            start, delta = {"type": "text", "text": ""}, {"type": "text_delta", "text": block["text"]}
        else:
            start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
        events += [("content_block_start", {"index": i, "content_block": start}),
                   ("content_block_delta", {"index": i, "delta": delta}),
                   ("content_block_stop", {"index": i})]
    events += [("message_delta", {"delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
                                  "usage": {"output_tokens": message["usage"]["output_tokens"]}}),
               ("message_stop", {})]
    return "".join(f"event: {name}\ndata: {json.dumps({'type': name, **data})}\n\n"
                   for name, data in events).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: every answer carries its Content-Length

    def log_message(self, *args: object) -> None:  # the request log is the record, not stderr
        pass

    def body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = b""
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                data += self.rfile.read(size)
                self.rfile.readline()
            self.rfile.readline()
            return data
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def answer(self, payload: bytes, content_type: str = "application/json", send_body: bool = True) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("request-id", f"req_sg_{time.monotonic_ns()}")
        self.end_headers()
        if send_body:
            self.wfile.write(payload)

    def do_HEAD(self) -> None:
        self.server.record(self.command, self.path, "other")
        self.answer(b"{}", send_body=False)

    def do_GET(self) -> None:
        self.server.record(self.command, self.path, "other")
        self.answer(b"{}")

    do_DELETE = do_GET

    def do_POST(self) -> None:
        raw = self.body()
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = raw.decode("utf-8", "replace")
        if self.path.split("?")[0] != "/v1/messages" or not isinstance(body, dict):
            self.server.record(self.command, self.path, "other", body=body)
            self.answer(b"{}")
            return
        if is_auxiliary(body):
            turn, (blocks, stop) = None, ([{"type": "text", "text": auxiliary_text(body)}], "end_turn")
        else:
            turn = next_turn(body)
            blocks, stop = reply_blocks(self.server.script, turn)
        self.server.record(self.command, self.path, "main" if turn is not None else "aux", turn, body)
        message = {"id": f"msg_sg_{time.monotonic_ns()}", "type": "message", "role": "assistant",
                   "model": body.get("model", "stub"), "content": blocks, "stop_reason": stop, "stop_sequence": None,
                   "usage": {"input_tokens": 1, "output_tokens": 1}}
        if body.get("stream"):
            self.answer(sse(message), "text/event-stream")
        else:
            self.answer(json.dumps(message).encode())

    do_PUT = do_PATCH = do_POST


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, script: dict, log: Path) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.script, self.log, self.lock, self.count = script, log, threading.Lock(), 0

    def record(self, method: str, path: str, kind: str, turn: int | None = None, body: object = None) -> None:
        with self.lock:
            self.count += 1
            line = {"n": self.count, "method": method, "path": path, "kind": kind, "turn": turn, "body": body}
            with self.log.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(line) + "\n")


class StubAPI:
    """The stub as a subprocess of the test: started on a free port, stopped by its PID."""

    def __init__(self, workdir: Path, turns: list[dict], final: str = "Done.") -> None:
        self.workdir = workdir
        self.script = workdir / "stub-script.json"
        self.log = workdir / "stub-requests.jsonl"
        self.script.write_text(json.dumps({"turns": turns, "final": final}))
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def start(self) -> StubAPI:
        port_file = self.workdir / "stub.port"
        with (self.workdir / "stub.stderr").open("wb") as err:
            self.proc = subprocess.Popen([sys.executable, __file__, "--script", str(self.script), "--log",
                                          str(self.log), "--port-file", str(port_file)],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and self.proc.poll() is None:
            if port_file.exists():
                self.url = f"http://127.0.0.1:{int(port_file.read_text())}"
                return self
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"the stub API did not start: {(self.workdir / 'stub.stderr').read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # the server has no SIGTERM handler: it ends at once, its log complete
            self.proc.wait(timeout=10)

    def requests(self) -> list[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines() if line]


def main() -> None:
    ap = argparse.ArgumentParser(description="scripted Anthropic Messages API")
    ap.add_argument("--script", type=Path, required=True)
    ap.add_argument("--log", type=Path, required=True)
    ap.add_argument("--port-file", type=Path, required=True)
    args = ap.parse_args()
    server = Server(json.loads(args.script.read_text()), args.log)
    tmp = args.port_file.with_name(args.port_file.name + ".tmp")
    tmp.write_text(str(server.server_address[1]))
    os.replace(tmp, args.port_file)  # listening already: connections wait in the backlog
    server.serve_forever()  # until SIGTERM from StubAPI.stop


if __name__ == "__main__":
    main()
