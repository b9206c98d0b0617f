"""A scripted stand-in for the Gemini API (`models/*:streamGenerateContent`, and the plain
`generateContent` and `countTokens` around it), on 127.0.0.1, for Gemini CLI pointed at it with
GOOGLE_GEMINI_BASE_URL and a dummy GEMINI_API_KEY. Each turn of the script is one shell command
the "model" asks to run (run_shell_command); after the last it answers with text. The turn is the
number of function responses already in the request. Every request is kept (`requests`).

    with StubGemini(["printenv"]) as stub: ...  stub.base_url, stub.tool_outputs()
"""

from __future__ import annotations

import json

from .stub_server import StubServer, send_json, start_stream

USAGE = {"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 15}
SIDE_ANSWER = '{"next_speaker": "user", "reasoning": "done", "model_choice": "pro"}'


class StubGemini(StubServer):
    @property
    def base_url(self) -> str:
        return self.origin

    def answer(self, handler, path: str, body: dict) -> None:
        if ":countTokens" in path:
            send_json(handler, {"totalTokens": 10})
        elif ":streamGenerateContent" in path:
            start_stream(handler)
            handler.wfile.write(f"data: {json.dumps(self.reply(body))}\r\n\r\n".encode())
        else:  # side requests (routing, next speaker): a short JSON answer
            send_json(handler, {"candidates": [{"content": {"role": "model", "parts": [{"text": SIDE_ANSWER}]},
                                                "finishReason": "STOP"}], "usageMetadata": USAGE})

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
