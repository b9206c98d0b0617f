"""The stub Messages API on its own (Claude Code only ever streams, so the JSON answers are checked here)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from parts.stub_anthropic import StubAPI

TURNS = [{"tools": [{"name": "Bash", "input": {"command": "ls"}}, {"name": "Glob", "input": {"pattern": "*"}}]},
         {"text": "Finished."}]
TOOLS = [{"name": "Bash", "input_schema": {}}, {"name": "Read", "input_schema": {}}]


@pytest.fixture
def stub(tmp_path: Path) -> Iterator[StubAPI]:
    api = StubAPI(tmp_path, TURNS, final="Nothing left.").start()
    yield api
    api.stop()
    assert api.proc is not None and api.proc.poll() is not None


def call(stub: StubAPI, body: dict | None, method: str = "POST", path: str = "/v1/messages") -> tuple[int, bytes]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(stub.url + path, data=data, method=method,
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status, resp.read()


def test_turns_follow_the_conversation(stub: StubAPI) -> None:
    user = {"role": "user", "content": "go"}
    _, raw = call(stub, {"model": "claude-x", "tools": TOOLS, "messages": [user]})
    first = json.loads(raw)
    assert first["stop_reason"] == "tool_use"
    assert [(b["name"], b["input"]) for b in first["content"]] == [("Bash", {"command": "ls"}),
                                                                   ("Glob", {"pattern": "*"})]
    results = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": b["id"], "content": "ok"}
                                           for b in first["content"]]}
    history = [user, {"role": "assistant", "content": first["content"]}, results]
    _, raw = call(stub, {"model": "claude-x", "tools": TOOLS, "messages": history})
    assert json.loads(raw)["content"] == [{"type": "text", "text": "Finished."}]
    _, again = call(stub, {"model": "claude-x", "tools": TOOLS, "messages": history})  # a retry: the same turn
    assert json.loads(again)["content"] == [{"type": "text", "text": "Finished."}]
    later = [*history, {"role": "assistant", "content": "Finished."}, {"role": "user", "content": "more"}]
    _, raw = call(stub, {"model": "claude-x", "tools": TOOLS, "messages": later, "stream": True})
    events = [json.loads(line[6:]) for line in raw.decode().splitlines() if line.startswith("data: ")]
    assert [e["type"] for e in events] == ["message_start", "content_block_start", "content_block_delta",
                                           "content_block_stop", "message_delta", "message_stop"]
    assert events[2]["delta"] == {"type": "text_delta", "text": "Nothing left."}
    log = stub.requests()
    assert [(r["kind"], r["turn"]) for r in log] == [("main", 0), ("main", 1), ("main", 1), ("main", 2)]
    assert log[1]["body"]["messages"][2]["content"][0]["content"] == "ok"


def test_auxiliary_requests_use_no_turn(stub: StubAPI) -> None:
    title = {"model": "claude-x", "tools": [], "messages": [{"role": "user", "content": "hi"}],
             "output_config": {"format": {"type": "json_schema", "schema": {
                 "type": "object", "properties": {"title": {"type": "string"}}, "required": ["title"]}}}}
    _, raw = call(stub, title)
    assert json.loads(json.loads(raw)["content"][0]["text"]) == {"title": "Scripted session"}
    _, raw = call(stub, {"model": "claude-haiku-4", "tools": TOOLS, "messages": [{"role": "user", "content": "x"}]})
    assert json.loads(raw)["content"][0]["type"] == "text"
    _, raw = call(stub, {"model": "claude-x", "tools": TOOLS, "messages": [{"role": "user", "content": "go"}]})
    assert json.loads(raw)["content"][0]["name"] == "Bash"
    assert [r["kind"] for r in stub.requests()] == ["aux", "aux", "main"]


def test_other_paths_answer_empty(stub: StubAPI) -> None:
    assert call(stub, None, "HEAD", "/") == (200, b"")
    assert call(stub, None, "GET", "/v1/models") == (200, b"{}")
    assert call(stub, {"x": 1}, "POST", "/v1/messages/count_tokens") == (200, b"{}")
    assert [(r["method"], r["path"], r["body"]) for r in stub.requests()] == [
        ("HEAD", "/", None), ("GET", "/v1/models", None), ("POST", "/v1/messages/count_tokens", {"x": 1})]
