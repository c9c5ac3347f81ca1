"""Startup and memory per editor window: a cold daemon, windows joining it, and in-process.

Everything runs in a private socket and state directory (never the user's own daemon), on a
workspace made of real code, with bytecode compiled first as an installed package has it.
Prints spawn -> initialize result (and -> first completion) for an in-process server started
for the first time (no generated code kept: `GeneratedCode`) and again; for the first window
(the daemon starts; this build has never answered and has kept no generated code, so the
daemon's own initialize result is awaited), for a window started cold
again (the relay answers from the initialize answers it kept) with spawn -> first completion for
both, for each window that joins the daemon, the same for an in-process server, each relay's RSS, the daemon's RSS with one
window and with two on the same root, whether a joining window indexed again, and the cached
keystroke latency through the relay against in-process. Floors measured in the same run: a
bare `python -c pass` and the import of the relay's modules. On a loaded machine the wall
times stretch with the load; the CPU figures do not: the CPU a relay has used by its
initialize result (its start-up: interpreter, imports, handshake), and the CPU the daemon
spends on a joining window from its spawn to its initialize result.

`--offline` starts every window without a backend, as a user who configured nothing meets it
(the offline engine answers); by default the windows use a fake OpenAI-style backend on
127.0.0.1. `--again N` sets how many in-process starts with the generated code kept make the
median, which is printed with their CPU time up to the first completion (load-independent).

`GHOSTFILL_BENCH_SERVE` (a command line, e.g. `env PYTHONPATH=../old/server python -m
ghostfill serve`) measures another checkout's `serve` with this harness, for a before and an
after in the same conditions (`--no-daemon` is added for the in-process window).
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import marshal
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types

from ghostfill.bench.driver import ServerUnderTest, cpu_ms, percentile, rss_mb, summary
from ghostfill.fakes.openai import FakeProvider

PACKAGE = Path(__file__).resolve().parent.parent
AGAIN = 3
"""Default in-process starts with the generated code kept, for a median (one is noise here)."""
SETTLE_S = 60.0
"""Longest wait for a window's indexing to end before its memory is read."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--windows", type=int, default=3, help="editor windows on one root")
    parser.add_argument("--files", type=int, default=150, help="workspace size (real .py files)")
    parser.add_argument("--keystrokes", type=int, default=200, help="cached requests timed")
    parser.add_argument(
        "--offline",
        action="store_true",
        help="no backend (the offline engine), as configured by default",
    )
    parser.add_argument(
        "--again",
        type=int,
        default=AGAIN,
        metavar="N",
        help="in-process starts with the generated code kept, for the median",
    )


class Window(ServerUnderTest):
    """A server under test that advertises work-done progress (to see indexing)."""

    def capabilities(self) -> types.ClientCapabilities:
        caps = super().capabilities()
        caps.window = types.WindowClientCapabilities(work_done_progress=True)
        return caps

    def kinds(self) -> list[str]:
        values = [getattr(p, "value", None) for p in self.progress]
        return [
            str(v.get("kind") if isinstance(v, dict) else getattr(v, "kind", "")) for v in values
        ]

    async def indexed(self) -> bool:
        """Wait until the indexing progress ends; False if none began (nothing to index)."""
        deadline = time.monotonic() + SETTLE_S
        while time.monotonic() < deadline:
            if "end" in self.kinds():
                return True
            await asyncio.sleep(0.05)
        return False


def _spawn_ms(argv: list[str], env: dict[str, str], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, env=env, check=True, stdin=subprocess.DEVNULL)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _workspace(root: Path, files: int) -> Path:
    """Real code to index: this package's own sources, repeated up to `files` files."""
    ws = root / "ws"
    ws.mkdir()
    sources = sorted(PACKAGE.rglob("*.py"))
    for n in range(files):
        src = sources[n % len(sources)]
        shutil.copyfile(src, ws / f"m{n:04d}_{src.name}")
    return ws


async def _keystrokes(window: Window, ws: Path, count: int) -> list[float]:
    """Cached requests: the same position asked again after a fresh answer, `count` times."""
    path = ws / "typing.py"
    text = "def total(items):\n" + "".join(f"    value_{i} = compute({i})\n" for i in range(200))
    path.write_text(text)
    uri = path.as_uri()
    window.open(uri, text, "python")
    lines = text.split("\n")
    cached: list[float] = []
    version = 1
    for n in range(count):
        row = 1 + n % 199
        version += 1
        window.insert(uri, version, row, len(lines[row]), " ")
        lines[row] += " "
        await window.inline(uri, row, len(lines[row]))
        started = time.perf_counter()
        await window.inline(uri, row, len(lines[row]))
        cached.append((time.perf_counter() - started) * 1000)
    return cached


async def _first_completion_ms(window: Window, ws: Path) -> float:
    """Spawn -> the first inline completion answered, asked right after initialize."""
    path = ws / "first.py"
    text = "def scale(x):\n    "
    path.write_text(text)
    window.open(path.as_uri(), text, "python")
    await window.inline(path.as_uri(), 1, 4)
    return (time.perf_counter() - window.spawned_at) * 1000


def _daemon_pid(run_dir: Path) -> int:
    """The running daemon's pid, from its pid file (whichever build: the one under test may
    be another checkout's, with its own socket name)."""
    for pid_file in run_dir.rglob("daemon-*.pid"):
        text = pid_file.read_text().strip()
        if text.isdigit() and Path(f"/proc/{text}").exists():
            return int(text)
    return 0


def _stop_daemon(run_dir: Path) -> None:
    pid = _daemon_pid(run_dir)
    if pid:
        os.kill(pid, signal.SIGTERM)
        for _ in range(200):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.05)


def _entries(path: Path) -> int:
    """How many compiled sources a `GeneratedCode` file holds (0: none written)."""
    try:
        return len(marshal.loads(path.read_bytes()))
    except (OSError, ValueError, EOFError):
        return 0


def _env(root: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("GHOSTFILL_NO_DAEMON", "PYTHONDONTWRITEBYTECODE")
    }
    env["XDG_RUNTIME_DIR"] = str(root / "run")
    env["XDG_STATE_HOME"] = str(root / "state")
    (root / "run").mkdir(mode=0o700)
    return env


async def measure(args: argparse.Namespace) -> int:
    compileall.compile_dir(str(PACKAGE), quiet=1)  # as an installed wheel has it
    other = os.environ.get("GHOSTFILL_BENCH_SERVE")
    serve = shlex.split(other) if other else [sys.executable, "-m", "ghostfill", "serve"]
    with (
        tempfile.TemporaryDirectory(prefix="gfb-") as tmp,
        FakeProvider("value = compute(x)") as fake,
    ):
        root = Path(tmp)
        env = _env(root)
        ws = _workspace(root, args.files)
        backend = {"provider": "openai-compatible", "baseUrl": fake.base_url, "model": "fake-coder"}
        options: dict[str, object] = {"completion": {"debounceMs": 0}}
        if not args.offline:
            options["backend"] = backend
        bare = _spawn_ms([sys.executable, "-c", "pass"], env)
        relay_import = _spawn_ms(
            [
                sys.executable,
                "-c",
                "import ghostfill.cli, ghostfill.daemon.commands, ghostfill.daemon.relay",
            ],
            env,
        )

        # Each mode starts with no generated code kept, as after an install or an upgrade.
        env = {**env, "GHOSTFILL_GENERATED_CODE": str(root / "in-process.marshal")}
        installed = Window([*serve, "--no-daemon"], env)
        await installed.start(options, ws)
        installed_answer = await _first_completion_ms(installed, ws)
        await installed.stop()
        in_process: list[tuple[float, float, float]] = []  # (startup, first completion, CPU)
        for _ in range(max(args.again, 1) - 1):
            window = Window([*serve, "--no-daemon"], env)
            await window.start(options, ws)
            answer = await _first_completion_ms(window, ws)
            in_process.append((window.startup_ms, answer, cpu_ms(window.pid)))
            await window.stop()
        alone = Window([*serve, "--no-daemon"], env)
        await alone.start(options, ws)
        alone_answer = await _first_completion_ms(alone, ws)
        in_process.append((alone.startup_ms, alone_answer, cpu_ms(alone.pid)))
        await alone.indexed()
        alone_rss = rss_mb(alone.pid)
        alone_keys = await _keystrokes(alone, ws, args.keystrokes)
        await alone.stop()

        env = {**env, "GHOSTFILL_GENERATED_CODE": str(root / "daemon.marshal")}
        run_dir = root / "run"
        windows: list[Window] = []
        daemon_rss: list[float] = []
        join_cpu: list[float] = []
        relay_start_cpu: list[float] = []
        for n in range(max(args.windows, 2)):
            window = Window(serve, env)
            daemon = _daemon_pid(run_dir) if n else 0
            before = cpu_ms(daemon) if daemon else 0.0
            await window.start(options, ws)
            if daemon:
                join_cpu.append(cpu_ms(daemon) - before)
            relay_start_cpu.append(cpu_ms(window.pid))
            windows.append(window)
            if n == 0:
                first_answer = await _first_completion_ms(window, ws)
                await window.indexed()
            else:
                await asyncio.sleep(1.0)  # give a re-index, if any, time to show
                await window.indexed() if "begin" in window.kinds() else None
            daemon_rss.append(rss_mb(_daemon_pid(run_dir)))
        relay_cpu = cpu_ms(windows[0].pid)
        relay_keys = await _keystrokes(windows[0], ws, args.keystrokes)
        relay_cpu = (cpu_ms(windows[0].pid) - relay_cpu) / args.keystrokes
        relay_rss = [rss_mb(w.pid) for w in windows]
        reindexed = sum("begin" in w.kinds() for w in windows[1:])
        joins = [w.startup_ms for w in windows[1:]]
        for window in windows:
            await window.stop()
        _stop_daemon(run_dir)
        kept = [_entries(root / f"{name}.marshal") for name in ("in-process", "daemon")]
        again = Window(serve, env)  # cold again: no daemon, the initialize answer kept
        await again.start(options, ws)
        again_answer = await _first_completion_ms(again, ws)
        await again.stop()
        _stop_daemon(run_dir)

    backend_shown = "none (offline engine)" if args.offline else "fake OpenAI-style on 127.0.0.1"
    print(
        f"workspace: {args.files} files; {len(windows)} windows on one root; private daemon dir; "
        f"backend: {backend_shown}"
    )
    print(
        f"floor: python -c pass {bare:.0f} ms; relay imports {relay_import - bare:+.0f} ms over it"
    )
    print(
        f"spawn -> initialize, in-process (--no-daemon), first start   {installed.startup_ms:.0f} ms"
        f"; first completion {installed_answer:.0f} ms"
    )
    starts = ", ".join(f"{a:.0f}" for a, _, _ in in_process)
    print(
        f"spawn -> initialize, in-process (--no-daemon)         median "
        f"{statistics.median(a for a, _, _ in in_process):.0f} ms (each: {starts}); first completion "
        f"{statistics.median(b for _, b, _ in in_process):.0f} ms"
    )
    print(
        f"  CPU (load-independent): in-process server up to its first completion "
        f"{statistics.median(c for _, _, c in in_process):.0f} ms median of {len(in_process)}"
    )
    print(
        f"spawn -> initialize, cold, first start (starts the daemon)  {windows[0].startup_ms:.0f} ms"
        f"; first completion {first_answer:.0f} ms"
    )
    print(
        f"spawn -> initialize, cold, answered by the relay            {again.startup_ms:.0f} ms"
        f"; first completion {again_answer:.0f} ms"
    )
    print(
        f"spawn -> initialize, joining the daemon         median {statistics.median(joins):.0f} ms "
        f"(each: {', '.join(f'{j:.0f}' for j in joins)})"
    )
    print(
        f"  CPU (load-independent): relay up to its initialize result "
        f"{statistics.median(relay_start_cpu):.0f} ms median; daemon per joining window "
        f"{statistics.median(join_cpu):.0f} ms median (each: {', '.join(f'{c:.0f}' for c in join_cpu)})"
    )
    print(
        f"RSS: in-process server {alone_rss:.0f} MB; relay per window {statistics.median(relay_rss):.1f} MB"
    )
    print(
        f"RSS: daemon with 1 window {daemon_rss[0]:.0f} MB, with 2 {daemon_rss[1]:.0f} MB "
        f"({daemon_rss[1] / daemon_rss[0]:.2f}x)"
        + (f", with {len(daemon_rss)} {daemon_rss[-1]:.0f} MB" if len(daemon_rss) > 2 else "")
    )
    print(f"generated code kept (entries): in-process {kept[0]}, daemon {kept[1]}")
    print(f"joining windows that indexed the root again: {reindexed} of {len(windows) - 1}")
    print(f"cached keystroke, in-process (ms)   {summary(alone_keys)}")
    print(f"cached keystroke, via relay (ms)    {summary(relay_keys)}")
    print(
        f"  relay CPU per keystroke (a didChange, 2 requests, 2 replies): {relay_cpu * 1000:.0f} us"
    )
    print(
        f"  relay / in-process: p50 {percentile(relay_keys, 0.5) / percentile(alone_keys, 0.5):.2f}x, "
        f"p99 {percentile(relay_keys, 0.99) / percentile(alone_keys, 0.99):.2f}x"
    )
    return 0


def run(args: argparse.Namespace) -> int:
    return asyncio.run(measure(args))
