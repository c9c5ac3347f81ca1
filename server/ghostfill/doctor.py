"""`ghostfill doctor`: check the configured backend end to end and say what to fix.

Configuration → proxy and trust → reachability (TLS handshake) → auth → model → a few small timed completions (time to first
token, tokens/s). Each step prints one line; a failed step prints the fix, and the exit code
is non-zero when anything failed. The API key is never printed, not even in part.
"""

from __future__ import annotations

import asyncio
import dataclasses
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx

from ghostfill.backends.base import Backend, BackendConfig
from ghostfill.backends.client import make_client
from ghostfill.backends.network import NetworkConfig, certificate_problem
from ghostfill.backends.network import resolve as resolve_network
from ghostfill.backends.presets import OFFLINE, PRESETS, Preset
from ghostfill.backends.registry import create, resolve
from ghostfill.backends.usage import Meter
from ghostfill.errors import AuthError, BackendError, ConfigError
from ghostfill.feedback.spend import Usage, usage_from
from ghostfill.feedback.store import connect as connect_stats
from ghostfill.feedback.store import default_path as default_stats_path
from ghostfill.model import CompletionContext, GenerationParams, Prompt
from ghostfill.prompt.render import render
from ghostfill.settings import (
    BackendSettings,
    NetworkSettings,
    Settings,
    with_overrides,
)

Print = Callable[[str], None]

PROBE_PREFIX = 'def fibonacci(n):\n    """Return the n-th Fibonacci number."""\n    '
PROBE_SUFFIX = "\n\n\nprint(fibonacci(10))\n"
PROBE_TOKENS = 48
CHARS_PER_TOKEN = 4.0
REACH_TIMEOUT_S = 5.0


@dataclass
class Timing:
    first_ms: float
    total_ms: float
    chars: int
    chunks: int
    text: str

    @property
    def tokens_per_s(self) -> float | None:
        """Estimated from characters (about 4 per token) over the time after the first token."""
        span = (self.total_ms - self.first_ms) / 1000
        if self.chars < 2 * CHARS_PER_TOKEN or span <= 0:
            return None
        return self.chars / CHARS_PER_TOKEN / span


@dataclass
class Report:
    out: Print
    problems: int = 0

    def ok(self, step: str, text: str) -> None:
        self.out(f"  ok    {step:<10} {text}")

    def note(self, step: str, text: str) -> None:
        self.out(f"  note  {step:<10} {text}")

    def fail(self, step: str, text: str, fix: str = "") -> None:
        self.problems += 1
        self.out(f"  FAIL  {step:<10} {text}")
        if fix:
            self.out(f"        {'':<10} fix: {fix}")


def run_doctor(overrides: Mapping[str, Any], requests: int = 3) -> int:
    """CLI entry: settings from the flags (secrets from the environment), report on stdout."""
    settings = with_overrides(Settings(), **overrides)
    return asyncio.run(
        doctor(settings.backend, requests=max(requests, 0), network=settings.network)
    )


async def doctor(
    settings: BackendSettings,
    *,
    requests: int = 3,
    out: Print = print,
    environ: Mapping[str, str] | None = None,
    api_key: str = "",
    network: NetworkSettings | None = None,
    stats_path: Path | None = None,
) -> int:
    report = Report(out)
    if settings.provider == OFFLINE:
        out("ghostfill doctor: backend 'offline' (the built-in engine): nothing to check.")
        out(
            "  To use a provider: ghostfill doctor --backend cerebras   (ghostfill backends lists all)"
        )
        return 0
    try:
        config = resolve(settings, api_key, environ, require_key=False)
    except ConfigError as exc:
        out(f"ghostfill doctor: backend '{settings.provider}'")
        report.fail(
            "config", exc.user_message, "ghostfill backends lists the presets and what each needs"
        )
        return 1
    assert config is not None
    preset = PRESETS[config.provider]
    out(f"ghostfill doctor: backend {config.provider}, model {config.model or '(server default)'}")
    out(f"  base URL   {config.base_url}")
    _check_key(report, config, preset)
    _spend(report, settings, stats_path or default_stats_path(environ))
    try:
        net = resolve_network(network, environ)
    except ConfigError as exc:
        report.fail("network", exc.user_message)
        return _summary(report)
    _route(report, net, config.base_url)
    async with make_client(net) as client:
        config = dataclasses.replace(config, network=net)
        backend = create(config, client)
        if not await _reachable(report, client, config, net):
            return _summary(report)
        models_ok = await _models(report, backend, config, preset)
        if models_ok:
            await _capabilities(report, backend)
        if models_ok and requests:
            if getattr(backend, "wire", "") == "responses":
                await backend.warm()  # the server opens its socket at initialize, too
            await _timings(report, backend, config, requests, _wire(report, backend))
            if getattr(backend, "wire", "") == "responses":
                await _other_transport(report, backend, config, client, requests)
        close = getattr(backend, "aclose", None)
        if close is not None:
            await close()
    return _summary(report)


def _wire(report: Report, backend: Backend) -> str:
    """The API and transport the backend speaks (OpenAI-style presets), as a label."""
    wire, transport = getattr(backend, "wire", ""), getattr(backend, "transport", "http")
    if wire:
        report.ok("wire", f"{wire} API over {transport} (backend.wire, backend.transport)")
    return f"{wire}/{transport}" if wire == "responses" else ""


async def _other_transport(
    report: Report, backend: Backend, config: BackendConfig, client: httpx.AsyncClient, n: int
) -> None:
    """The Responses API over the transport not in use, timed the same way for comparison."""
    used = getattr(backend, "transport", "http")
    other = "http" if used == "websocket" else "websocket"
    peer = create(dataclasses.replace(config, transport=other, wire="responses"), client)
    try:
        await peer.warm()
        if getattr(peer, "transport", "http") != other:
            report.note("latency", f"{other}: not served here (the upgrade was refused)")
            return
        await _timings(report, peer, config, n, f"responses/{other} (for comparison)")
    finally:
        close = getattr(peer, "aclose", None)
        if close is not None:
            await close()


def _check_key(report: Report, config: BackendConfig, preset: Preset) -> None:
    env = config.api_key_env
    if config.api_key:
        report.ok("key", f"set (from {env or 'the editor'}); never printed")
    elif preset.key_required:
        where = f" (get one at {preset.key_url})" if preset.key_url else ""
        report.fail(
            "key",
            f"no API key: {env or 'backend.apiKeyEnv'} is not set",
            f"export {env or 'YOUR_KEY_VAR'}=<your key>{where}, or set it from your editor",
        )
    elif env:
        report.note("key", f"none ({env} unset; only needed if the server requires one)")


def _spend(report: Report, settings: BackendSettings, path: Path) -> None:
    """Usage of every window (from the local stats) against the spend caps."""
    used = Usage()
    if path.exists():
        conn = connect_stats(path)
        try:
            used = usage_from(conn, time.time())
        finally:
            conn.close()
    hour = f"{used.tokens_hour:,} tokens in the last hour"
    day = f"${used.cost_today:.4f} today (estimated)"
    caps = settings.maxTokensPerHour or settings.maxCostPerDay
    if settings.maxTokensPerHour:
        hour += f" of {settings.maxTokensPerHour:,} (backend.maxTokensPerHour)"
    if settings.maxCostPerDay:
        day += f" of ${settings.maxCostPerDay:.2f} (backend.maxCostPerDay)"
    text = f"{hour}; {day}" + ("" if caps else "; no caps set")
    over = (settings.maxTokensPerHour and used.tokens_hour >= settings.maxTokensPerHour) or (
        settings.maxCostPerDay and used.cost_today >= settings.maxCostPerDay
    )
    if over:
        report.fail("spend", text, "a cap is reached: ghostfill serves offline until usage drops")
    else:
        report.ok("spend", text)


def _route(report: Report, net: NetworkConfig, url: str) -> None:
    proxy = net.proxy_for(url)
    if proxy is None:
        bypass = " (NO_PROXY / network.noProxy)" if net.http or net.https else ""
        report.ok("proxy", f"none: {httpx.URL(url).host} is reached directly{bypass}")
    else:
        report.ok("proxy", f"{proxy.shown} (from {proxy.source})")
    if url.startswith("https://"):
        report.note("trust", net.trust())


async def _reachable(
    report: Report, client: httpx.AsyncClient, config: BackendConfig, net: NetworkConfig
) -> bool:
    """Connect (through the proxy, with the TLS handshake) and name what failed."""
    started = time.perf_counter()
    host = httpx.URL(config.base_url).host
    try:
        async with client.stream("GET", config.base_url, timeout=REACH_TIMEOUT_S) as response:
            tls = _tls_version(response)
    except httpx.HTTPError as exc:
        if (reason := certificate_problem(exc)) is not None:
            report.fail("tls", f"{host}: certificate not trusted ({reason})", _tls_fix(reason))
            return False
        proxy = net.proxy_for(config.base_url)
        if isinstance(exc, httpx.ProxyError) and proxy is not None:
            report.fail(
                "proxy",
                f"{proxy.shown} refused the tunnel to {host} ({exc})",
                "check network.proxy / HTTPS_PROXY and the proxy's user and password",
            )
            return False
        local = host in ("127.0.0.1", "localhost", "::1")
        fix = (
            f"start the server ({PRESETS[config.provider].needs})"
            if local
            else "check the network, network.proxy (or HTTPS_PROXY) and backend.baseUrl"
        )
        report.fail("reach", f"cannot connect to {config.base_url} ({type(exc).__name__})", fix)
        return False
    ms = (time.perf_counter() - started) * 1000
    if tls:
        report.ok("tls", f"{host}: handshake {tls}, certificate verified")
    report.ok("reach", f"{host} answered in {ms:.0f} ms ({response.http_version})")
    return True


def _tls_version(response: httpx.Response) -> str:
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    return str(ssl_object.version()) if ssl_object is not None else ""


def _tls_fix(reason: str) -> str:
    inspected = "self-signed" in reason or "local issuer" in reason
    why = (
        "a proxy or firewall re-signs TLS with your company's root certificate; "
        if inspected
        else ""
    )
    return why + "set network.caBundle (or --ca-bundle) to that root certificate (PEM)"


async def _models(report: Report, backend: Backend, config: BackendConfig, preset: Preset) -> bool:
    """Auth and model via the model list; False when nothing further can work."""
    try:
        models = await backend.models()
    except AuthError as exc:
        report.fail("auth", exc.user_message)
        return False
    except BackendError as exc:
        report.note("models", f"no model list ({exc.user_message})")
        return True
    report.ok("auth", "accepted" if config.api_key else "no key needed")
    if not preset.model_required and not config.model:
        report.ok("model", f"server has {', '.join(models[:3]) or 'no model listed'}")
        return True
    if config.model in models:
        report.ok("model", f"{config.model} is available ({len(models)} models)")
        return True
    shown = ", ".join(models[:10]) + (f" (+{len(models) - 10} more)" if len(models) > 10 else "")
    report.fail(
        "model",
        f"'{config.model}' is not in the provider's list",
        f"set backend.model (--model) to one of: {shown or '(none listed)'}",
    )
    return False


async def _capabilities(report: Report, backend: Backend) -> None:
    """What the server says it supports (llama.cpp: /props and the /infill probe)."""
    found = await backend.probe()
    if found.fim is None and found.context_tokens is None:
        return
    fim = {True: "yes", False: "no", None: "unknown"}[found.fim]
    context = f"context {found.context_tokens} tokens" if found.context_tokens else "context ?"
    model = f"model {found.model}; " if found.model else ""
    report.ok("server", f"{model}fill in the middle: {fim}; {context}; {found.prompt_kind}")


def _speeds(report: Report, meters: list[Meter]) -> None:
    """Prompt evaluation and decode speed, and cache reuse, as the responses reported them."""
    usages = [m.usage for m in meters if m.usage is not None]
    if not usages:
        return
    prompt = [r for u in usages if (r := u.prompt_tps) is not None]
    decode = [r for u in usages if (r := u.decode_tps) is not None]
    parts = []
    if prompt:
        parts.append(f"prompt evaluation {statistics.median(prompt):.0f} tokens/s")
    if decode:
        parts.append(f"decode {statistics.median(decode):.0f} tokens/s")
    last = usages[-1]
    if last.reuse is not None:
        parts.append(
            f"last request reused {last.cached_tokens} of {last.total_prompt} prompt tokens"
        )
    if parts:
        report.ok("speed", "; ".join(parts) + " (as the server reported)")


async def _timings(
    report: Report, backend: Backend, config: BackendConfig, n: int, label: str = ""
) -> None:
    ctx = CompletionContext(
        uri="file:///ghostfill-doctor/probe.py",
        path="probe.py",
        language="python",
        prefix=PROBE_PREFIX,
        suffix=PROBE_SUFFIX,
        line_prefix="    ",
        line_suffix="",
        multiline=True,
    )
    prompt = backend.prepare(render(ctx, model=config.model, template=config.template))
    kind = "chat hole-fill" if prompt.fim is None else "FIM"
    kind = "prefix continuation" if prompt.fim and prompt.fim == prompt.continuation else kind
    kind += f" via {PRESETS[config.provider].endpoint}" if prompt.fim == "" else ""
    params = GenerationParams(max_tokens=PROBE_TOKENS, temperature=0.0, stop=prompt.stop)
    timings: list[Timing] = []
    meters: list[Meter] = []
    for _ in range(n):
        meters.append(Meter())
        try:
            timings.append(await _one(backend, prompt, replace(params, meter=meters[-1])))
        except BackendError as exc:
            report.fail("complete", exc.user_message)
            return
    firsts = [t.first_ms for t in timings]
    cold, warm = firsts[0], firsts[1:] or firsts
    rates = [r for t in timings if (r := t.tokens_per_s) is not None]
    rate = f"; ~{statistics.median(rates):.0f} tokens/s" if rates else ""
    report.ok(
        "latency",
        f"{label + ': ' if label else ''}{kind}, {n} requests: first token "
        f"{statistics.median(warm):.0f} ms median (first request {cold:.0f} ms){rate}",
    )
    _speeds(report, meters)
    usage = getattr(backend, "usage", None) or getattr(
        getattr(backend, "responses", None), "usage", None
    )
    if label.startswith("responses") and usage is not None and usage.input_tokens:
        report.ok(
            "cache",
            f"last request: {usage.cached_tokens} of {usage.input_tokens} input tokens from the "
            "provider's prompt cache (prompt_cache_key)",
        )
    sample = timings[-1].text.strip().splitlines()
    if not timings[-1].text.strip():
        report.fail("complete", "the model answered with nothing", "try another model or template")
    else:
        report.ok("sample", repr(sample[0][:60]) + (" ..." if len(sample) > 1 else ""))


async def _one(backend: Backend, prompt: Prompt, params: GenerationParams) -> Timing:
    started = time.perf_counter()
    first: float | None = None
    text: list[str] = []
    async for chunk in backend.stream(prompt, params):
        if first is None and chunk.strip():
            first = time.perf_counter()
        text.append(chunk)
    end = time.perf_counter()
    first = first or end
    joined = "".join(text)
    return Timing((first - started) * 1000, (end - started) * 1000, len(joined), len(text), joined)


def _summary(report: Report) -> int:
    if report.problems:
        report.out(
            f"{report.problems} problem(s) found; completions fall back to the offline engine."
        )
        return 1
    report.out("All good.")
    return 0
