"""A fake Tabby server on 127.0.0.1, enough for tabby-agent 1.5.0 (the peer the typing replay
measures against).

Routes, as tabby-agent's `dist/cli.js` calls them:
- `GET|POST /v1/health`: a health state with `model`, `device` and `version.git_describe`
  (>= 0.9.0, so the agent also asks for the server setting);
- `GET /v1beta/server_setting`: `{"disable_client_side_telemetry": true}`;
- `POST /v1/completions`: body `{language, segments: {prefix, suffix, ...}}`, answered after
  the time to first token plus the generation time of the whole reply (Tabby's completion
  endpoint does not stream), as `{id, choices: [{index, text}]}`;
- `POST /v1/events`: accepted and ignored.

Requests are recorded with their arrival time and body size, faults and keys work as for
every other fake (`wire.FakeServer`).
"""

from __future__ import annotations

import math
import time
from typing import Any

from ghostfill.fakes.wire import FakeServer, Reply, RequestHandler

HEALTH: dict[str, Any] = {
    "model": "TabbyML/FakeCoder-1B",
    "chat_model": None,
    "device": "cpu",
    "arch": "x86_64",
    "cpu_info": "fake",
    "cpu_count": 2,
    "cuda_devices": [],
    "version": {
        "build_date": "2025-10-01",
        "build_timestamp": "2025-10-01T00:00:00Z",
        "git_sha": "0000000",
        "git_describe": "v0.30.0",
    },
}
COMPLETIONS = "/v1/completions"


class FakeTabby(FakeServer):
    def __init__(self, text: str | Reply = "pass", **kwargs: Any) -> None:
        super().__init__(text, **kwargs)

    @property
    def endpoint(self) -> str:
        """What tabby-agent's `[server] endpoint` is set to."""
        return self.root_url

    def is_generation(self, path: str) -> bool:
        return path.split("?", 1)[0].rstrip("/") == COMPLETIONS

    def generation_s(self, text: str) -> float:
        """Time to first token plus the time to generate all of `text`."""
        tokens = math.ceil(len(text) / max(self.chars_per_token, 1))
        per_token = 1 / self.tokens_per_s if self.tokens_per_s else 0.0
        return self.ttft_ms / 1000 + tokens * per_token

    def handle(self, h: RequestHandler, method: str, path: str, body: dict[str, Any]) -> None:
        path = path.rstrip("/")
        if path == "/v1/health":
            h.json(200, HEALTH)
        elif path == "/v1beta/server_setting":
            h.json(200, {"disable_client_side_telemetry": True})
        elif path == "/v1/events":
            h.json(200, {})
        elif path == COMPLETIONS and method == "POST":
            started = time.perf_counter()
            text = "".join(self.tokens(body, h.fault))
            wait = started + self.generation_s(text) - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            h.json(200, {"id": "cmpl-fake", "choices": [{"index": 0, "text": text}]})
            with self.lock:
                self.completed += 1
        else:
            h.json(404, {"error": f"no route {method} {path}"})
