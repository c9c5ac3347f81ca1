"""A fake of what GitHub Copilot's language server talks to, so it can run with no account.

The language server signs in with any token-shaped `GH_COPILOT_TOKEN` when
`GH_COPILOT_API_URL` and `GH_COPILOT_SERVER_URL` point here; it only talks HTTPS, so this runs
behind `tls.TlsFront` with a CA passed in `NODE_EXTRA_CA_CERTS`. Served:

- `GET /copilot_internal/v2/token`: a session token whose endpoints (api, proxy, telemetry,
  origin tracker) are this server;
- `GET /copilot_internal/user` and other account lookups: a signed-in individual user;
- `POST /telemetry` (and every path ending in `telemetry`): the experimentation ("ExP")
  document, whose `vscode` parameters carry e.g. `copilotcompletionsdelay`;
- `POST /v1/engines/<model>/completions`: the completion, streamed as OpenAI-style
  `/completions` SSE from the reply function (its body has `prompt` and `suffix`).

Every response carries an `x-github-request-id`. Paths it does not know are recorded in
`unknown` and answered with an empty JSON object.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from ghostfill.fakes.openai import FakeProvider
from ghostfill.fakes.wire import Reply, RequestHandler


class FakeCopilot(FakeProvider):
    def __init__(
        self,
        text: str | Reply = "pass",
        *,
        parameters: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(text, flavour="openai", **kwargs)
        self.parameters = dict(parameters or {})
        """The ExP `vscode` treatment variables (`copilotcompletionsdelay`, ...)."""
        self.public_url = ""
        """The HTTPS address the language server reaches this fake at (set by the caller)."""
        self.unknown: list[str] = []

    def is_generation(self, path: str) -> bool:
        return "/engines/" in path and path.endswith("/completions")

    def handle(self, h: RequestHandler, method: str, path: str, body: dict[str, Any]) -> None:
        headers = {"x-github-request-id": uuid.uuid4().hex}
        if self.is_generation(path) and method == "POST":
            if body.get("stream"):
                h.stream(body, self.plan(False, body), headers)
            else:
                text = self.reply(body)
                h.json(200, {"choices": [{"index": 0, "text": text, "finish_reason": "stop"}]})
            return
        if path.endswith("/copilot_internal/v2/token"):
            h.json(200, self._token(), headers)
        elif path.endswith("telemetry"):
            h.json(200, self._experiments(), headers)
        elif path.endswith("/copilot_internal/user") or path.rstrip("/").endswith("/user"):
            h.json(200, self._user(), headers)
        elif path.rstrip("/").endswith("/models"):
            h.json(200, {"data": []}, headers)
        else:
            with self.lock:
                self.unknown.append(f"{method} {path}")
            h.json(200, {}, headers)

    def _endpoints(self) -> dict[str, str]:
        url = self.public_url
        return {"api": url, "proxy": url, "telemetry": url, "origin-tracker": url}

    def _token(self) -> dict[str, Any]:
        now = int(time.time())
        return {
            "token": f"tid=fake;exp={now + 3600};sku=free_educational;proxy-ep=127.0.0.1;8kp=1",
            "expires_at": now + 3600,
            "refresh_in": 1500,
            "endpoints": self._endpoints(),
            "chat_enabled": False,
            "sku": "free_educational",
            "individual": True,
            "telemetry": "disabled",
            "tracking_id": "fake",
            "annotations_enabled": False,
            "code_quote_enabled": False,
            "public_suggestions": "enabled",
            "copilotignore_enabled": False,
        }

    def _user(self) -> dict[str, Any]:
        return {
            "login": "ghostfill-bench",
            "access_type_sku": "free_educational",
            "copilot_plan": "individual",
            "chat_enabled": False,
            "endpoints": self._endpoints(),
            "is_mcp_enabled": False,
            "organization_list": [],
        }

    def _experiments(self) -> dict[str, Any]:
        return {
            "Features": [],
            "Flights": {},
            "Configs": [{"Id": "vscode", "Parameters": self.parameters}],
            "ParameterGroups": [],
            "AssignmentContext": "",
        }
