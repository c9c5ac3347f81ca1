"""The code attrs, cattrs and dataclasses generate, compiled once and kept between starts.

lsprotocol defines ~570 attrs classes, and attrs writes each one's `__init__`, `__eq__`,
`__repr__`... as Python source and compiles it when the module is imported; cattrs does the
same for every (un)structure function on its first use, and `dataclasses` for each of the
server's own ~100 dataclasses (`exec` of a source string: 0.45 of a dataclass's 0.55 ms).
Compiling those sources is a third of a server's start (about 130 ms of `import
lsprotocol.types` on these machines), the same work every time. `GeneratedCode.install()`
puts a caching `compile` (or `exec`) in the namespaces of the modules that do it (they look
it up as a global): a source already seen under the same file name gets the code object
compiled last time (loaded with `marshal`, as Python loads its own `.pyc` files), anything
else is compiled as before and kept. The flags are the ones the builtin would have inherited
from the calling module, so the code is the same either way. `exec` is given no file name, so
a dataclass's sources are kept under its module's name (`<dataclass ghostfill.settings>`).

The file is trusted code, so it is read only when this user owns it and nobody else may write
it, as for the daemon's socket; it lives under the user cache directory, one per Python
bytecode version, and a file that does not load is compiled again from scratch.
"""

from __future__ import annotations
import __future__

import builtins
import importlib
import marshal
import os
import sys

TYPE_CHECKING = False  # the relay imports this module's caller: no `typing` at run time
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import CodeType, ModuleType
    from typing import Any

PATCHED = ("attr._make", "cattrs.gen", "cattrs.gen.typeddicts")
"""Modules that compile generated source through the builtin `compile`."""
EXECUTING = ("dataclasses",)
"""Modules that run generated source through the builtin `exec` (no file name given)."""
KEPT = 6000
"""Most entries kept (lsprotocol's classes plus the converter's hooks are ~1,500)."""


def default_path() -> str:
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    tag = sys.implementation.cache_tag or "python"
    return os.path.join(cache, "ghostfill", "generated-code", f"{tag}.marshal")


def _trusted(fd: int) -> bool:
    st = os.fstat(fd)
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


class GeneratedCode:
    """A `compile` for generated source, backed by one marshal file (see the module doc)."""

    def __init__(self, path: str, *, enabled: bool = True) -> None:
        self.path = path
        self.enabled = enabled
        self.hits = 0
        self.misses = 0
        self._code: dict[str, CodeType] = {}
        self._used: set[str] = set()
        self._dirty = False
        self._installed: list[tuple[ModuleType, str, object]] = []

    @classmethod
    def default(cls) -> GeneratedCode:
        """At `GHOSTFILL_GENERATED_CODE` if set (`off`: keep nothing), else `default_path()`."""
        path = os.environ.get("GHOSTFILL_GENERATED_CODE") or default_path()
        return cls(path, enabled=path != "off")

    def load(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return
        try:
            if not _trusted(fd):
                return
            with os.fdopen(fd, "rb", closefd=False) as f:
                data = marshal.loads(f.read())  # one read: marshal.load(file) is 6x slower
        except (OSError, ValueError, EOFError, TypeError):
            return
        finally:
            os.close(fd)
        if isinstance(data, dict):
            self._code = {k: v for k, v in data.items() if isinstance(k, str)}

    def install(self) -> GeneratedCode:
        """Load the file and route the patched modules' `compile` through it; before anything
        imports lsprotocol (classes defined earlier were compiled the usual way)."""
        if not self.enabled:
            return self
        self.load()
        for name in PATCHED:
            try:
                module = importlib.import_module(name)
            except ImportError:
                continue
            flags = _future_flags(module)
            self._patch(module, "compile", self._compiler(flags))
        for name in EXECUTING:
            module = importlib.import_module(name)
            self._patch(module, "exec", self._executor(self._compiler(_future_flags(module))))
        return self

    def _patch(self, module: ModuleType, name: str, replacement: object) -> None:
        self._installed.append((module, name, module.__dict__.get(name, _MISSING)))
        module.__dict__[name] = replacement

    def uninstall(self) -> None:
        for module, name, previous in reversed(self._installed):
            if previous is _MISSING:
                module.__dict__.pop(name, None)
            else:
                module.__dict__[name] = previous
        self._installed.clear()

    def _compiler(self, flags: int) -> Callable[..., CodeType]:
        real = builtins.compile

        def cached_compile(
            source: object, filename: str, mode: str, *args: Any, **kw: Any
        ) -> CodeType:
            if args or kw or not isinstance(source, str) or not isinstance(filename, str):
                return real(source, filename, mode, *args, **kw)  # type: ignore[call-overload,no-any-return]
            key = f"{mode}\0{filename}\0{source}"
            code = self._code.get(key)
            if code is None:
                self.misses += 1
                code = real(source, filename, mode, flags, dont_inherit=True)
                self._code[key] = code
                self._dirty = True
            else:
                self.hits += 1
            self._used.add(key)
            return code

        return cached_compile

    @staticmethod
    def _executor(compiled: Callable[..., CodeType]) -> Callable[..., None]:
        real = builtins.exec

        def cached_exec(source: object, globals: Any = None, locals: Any = None, /) -> None:
            if isinstance(source, str) and isinstance(globals, dict):
                source = compiled(source, f"<dataclass {globals.get('__name__')}>", "exec")
            real(source, globals, locals)  # type: ignore[arg-type]

        return cached_exec

    def save(self) -> None:
        """Write what was compiled since the load (nothing when nothing was). An entry this
        process did not use is dropped when it used another source under the same file name
        (a new attrs or lsprotocol, or the per-process salt attrs writes into a hashable
        class's `__hash__`), and the used ones are kept first when there are more than
        `KEPT`. Failures are ignored: the next start only compiles again."""
        if not self._dirty:
            return
        names = {_name(k) for k in self._used}
        code = {k: v for k, v in self._code.items() if k in self._used or _name(k) not in names}
        if len(code) > KEPT:
            order = sorted(code, key=lambda k: k not in self._used)[:KEPT]
            code = {k: code[k] for k in order}
        tmp = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(marshal.dumps(code))
            os.replace(tmp, self.path)
            self._dirty = False
        except (OSError, ValueError):
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _future_flags(module: ModuleType) -> int:
    """The `from __future__` flags a builtin called from `module` inherits."""
    future = getattr(module, "annotations", None) is __future__.annotations
    return __future__.annotations.compiler_flag if future else 0


def _name(key: str) -> str:
    """The file name in a `mode\\0filename\\0source` key."""
    return key.split("\0", 2)[1]


_MISSING = object()
