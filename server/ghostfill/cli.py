"""Command line: `ghostfill serve | complete | bench | doctor | backends | stats | daemon | setup`.

Flags override settings; secrets only ever come from environment variables. This is the one
module allowed to print: `serve` never does, because stdout carries the protocol there.

The parser imports nothing but argparse: each command imports its module when it runs, and
hands it plain values (never the argparse Namespace). The benchmarks (and the fake backends
they drive) are imported only by `ghostfill bench`, which builds its own parser.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from ghostfill import __version__

TYPE_CHECKING = False  # not `from typing import ...`: `serve` (the relay) never imports typing
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

BENCHES = {
    "offline": "ghostfill.bench.offline",
    "context": "ghostfill.bench.context",
    "replay": "ghostfill.bench.replay",
    "compare": "ghostfill.bench.compare",
    "overhead": "ghostfill.bench.overhead",
    "soak": "ghostfill.bench.soak",
    "stats": "ghostfill.bench.stats",
    "startup": "ghostfill.bench.startup",
    "nextedit": "ghostfill.bench.nextedit",
    "http2": "ghostfill.bench.http2",
}


def add_backend_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("backend (overrides settings)")
    group.add_argument(
        "--backend", dest="provider", metavar="NAME", help="preset name, or openai-compatible"
    )
    group.add_argument("--model", metavar="M", help="model id")
    group.add_argument("--base-url", metavar="URL", help="API base URL")
    group.add_argument(
        "--api-key-env", metavar="VAR", help="environment variable holding the API key"
    )
    group.add_argument("--template", metavar="T", help="prompt kind: auto, chat or a FIM family")
    group.add_argument(
        "--wire",
        choices=["auto", "chat", "completions", "responses"],
        help="OpenAI-style API (default auto: codex models use the Responses API)",
    )
    group.add_argument(
        "--transport",
        choices=["auto", "http", "websocket"],
        help="Responses API transport (default auto: WebSocket where the provider serves it)",
    )
    group.add_argument(
        "--max-tokens-per-hour", type=int, metavar="N", help="spend guard: token cap per hour"
    )
    group.add_argument(
        "--max-cost-per-day", type=float, metavar="USD", help="spend guard: estimated cost cap"
    )
    net = parser.add_argument_group("network (overrides settings and the environment)")
    net.add_argument(
        "--proxy", metavar="URL", help="proxy for backend requests (`direct`: ignore HTTPS_PROXY)"
    )
    net.add_argument(
        "--ca-bundle", metavar="PEM", help="extra root certificates to trust (a company CA)"
    )


def backend_overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "provider": args.provider,
        "model": args.model,
        "base_url": args.base_url,
        "api_key_env": args.api_key_env,
        "template": args.template,
        "wire": args.wire,
        "transport": args.transport,
        "max_tokens_per_hour": args.max_tokens_per_hour,
        "max_cost_per_day": args.max_cost_per_day,
        "proxy": args.proxy,
        "ca_bundle": args.ca_bundle,
    }


def add_grammar_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--grammar-path",
        metavar="DIR",
        action="append",
        default=[],
        type=_absolute,
        help="a folder of language folders (grammars/<lang>/ layout); repeatable, last wins",
    )


def _absolute(path: str) -> str:
    """A folder flag as an absolute path: the daemon the relay talks to has another cwd."""
    return os.path.realpath(os.path.expanduser(path))  # not pathlib: the relay skips it


def _with_absolute_grammar_paths(argv: list[str]) -> list[str]:
    out: list[str] = []
    for i, arg in enumerate(argv):
        if arg.startswith("--grammar-path="):
            arg = "--grammar-path=" + _absolute(arg.split("=", 1)[1])
        elif i and argv[i - 1] == "--grammar-path":
            arg = _absolute(arg)
        out.append(arg)
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ghostfill", description="AI code completions as ghost text, fast."
    )
    parser.add_argument("--version", action="version", version=f"ghostfill {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (default)")
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP address instead")
    serve.add_argument("--log-level", choices=["error", "warning", "info", "debug"], default=None)
    serve.add_argument("--log-file", metavar="PATH", help="also write the log to this file")
    serve.add_argument(
        "--no-daemon",
        action="store_true",
        help="serve in this process, not through the per-user daemon (also GHOSTFILL_NO_DAEMON=1)",
    )
    add_grammar_flag(serve)
    add_backend_flags(serve)

    complete = sub.add_parser("complete", help="print one completion for FILE:LINE:COL (1-based)")
    complete.add_argument("location", metavar="FILE:LINE:COL")
    complete.add_argument("--json", action="store_true", help='print {"text", "ms", "backend"}')
    complete.add_argument(
        "--workspace", metavar="DIR", help="folder the offline engine learns from"
    )
    add_grammar_flag(complete)
    add_backend_flags(complete)

    bench = sub.add_parser(
        "bench",
        help=f"measure latency and quality; prints figures ({', '.join(BENCHES)})",
        add_help=False,
    )
    bench.add_argument("bench_args", nargs=argparse.REMAINDER, help="NAME [options]; -h lists")

    doctor = sub.add_parser("doctor", help="check the configured backend and say what to fix")
    add_backend_flags(doctor)
    doctor.add_argument("--requests", type=int, default=3, help="timed requests to make")

    sub.add_parser("backends", help="list the backend presets and what each needs")

    stats = sub.add_parser("stats", help="local acceptance, latency, token and cost figures")
    stats.add_argument("--json", action="store_true", help="print one JSON object")
    stats.add_argument(
        "--since", metavar="D", help="a duration (30m, 24h, 7d, 2w) or a date (2026-12-01)"
    )

    daemon = sub.add_parser("daemon", help="the per-user daemon that serves every editor window")
    actions = daemon.add_subparsers(dest="action", required=True)
    status = actions.add_parser("status", help="pid, version, uptime, windows; exit 3 if stopped")
    status.add_argument("--json", action="store_true", help="print the status as JSON")
    actions.add_parser("stop", help="stop it (open windows start a new one when next used)")
    actions.add_parser("restart", help="stop it and start a fresh one")
    logs = actions.add_parser("logs", help="print the end of its log")
    logs.add_argument("-n", "--lines", type=int, default=50, help="how many lines (default 50)")
    logs.add_argument("-f", "--follow", action="store_true", help="keep printing new lines")

    setup = sub.add_parser("setup", help="print a ready configuration for an editor")
    setup.add_argument("editor", help="neovim, neovim-legacy, emacs, helix, sublime, zed or vscode")
    return parser


def bench_parser() -> argparse.ArgumentParser:
    """`ghostfill bench NAME ...`: imports every benchmark module (only this command does)."""
    parser = argparse.ArgumentParser(
        prog="ghostfill bench", description="measure latency and quality; prints figures"
    )
    sub = parser.add_subparsers(dest="bench", required=True)
    for name, module in BENCHES.items():
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        p = sub.add_parser(name, help=(mod.__doc__ or name).strip().splitlines()[0])
        mod.add_arguments(p)
    return parser


def run_bench(argv: Sequence[str]) -> int:
    args = bench_parser().parse_args(argv)
    result: int = importlib.import_module(BENCHES[args.bench]).run(args)
    return result


def _with_generated_code(args: argparse.Namespace) -> int:
    """The commands that run the LSP edge or the pipeline, with lsprotocol's generated code
    loaded from the last run (installed before anything imports lsprotocol)."""
    from ghostfill.server.generated_code import GeneratedCode

    collector = None
    if args.command == "serve":  # a long-lived server: collections wait for the pauses
        from ghostfill.lifecycle.collector import Collector

        collector = Collector().install()
    generated = GeneratedCode.default().install()
    try:
        if args.command == "serve":
            from ghostfill.app import serve

            return serve(
                overrides=backend_overrides(args),
                tcp=args.tcp,
                log_level=args.log_level,
                log_file=args.log_file,
                grammar_paths=args.grammar_path,
                generated=generated,
                collector=collector,
            )
        if args.command == "complete":
            from ghostfill.oneshot import run_complete

            return run_complete(
                args.location,
                overrides=backend_overrides(args),
                workspace=args.workspace,
                as_json=args.json,
                grammar_paths=args.grammar_path,
            )
        from ghostfill.doctor import run_doctor

        return run_doctor(backend_overrides(args), requests=args.requests)
    finally:
        generated.save()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"]:  # before the main parser, so `ghostfill bench -h` lists them
        return run_bench(argv[1:])
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        from ghostfill.daemon import commands as daemon

        if daemon.uses_daemon(args):
            return daemon.serve(_with_absolute_grammar_paths(argv))
    if args.command in ("serve", "complete", "doctor"):
        return _with_generated_code(args)
    if args.command == "stats":
        from ghostfill.feedback.command import run_stats

        return run_stats(since=args.since, as_json=args.json)
    if args.command == "daemon":
        from ghostfill.daemon import commands as daemon

        return daemon.run(args)
    if args.command == "backends":
        from ghostfill.backends.presets import describe_presets

        print(describe_presets())
        return 0
    if args.command == "setup":
        from ghostfill.editors import render_setup

        try:
            print(render_setup(args.editor))
        except KeyError as exc:
            print(f"ghostfill: {exc.args[0]}", file=sys.stderr)
            return 2
        return 0
    return 2
