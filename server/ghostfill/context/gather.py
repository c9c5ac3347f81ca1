"""gather(document, position) -> CompletionContext: window, scopes, ranked snippets, mode.

`ContextEngine.standard(grammars)` builds the engine with every source: definitions through
imports and the workspace symbol index, neighbour windows of open and recent files, and the
user's recent edits. Sources that keep state about open documents are told about them through
the engine's `opened/changed/saved/closed` hooks, which the LSP handlers call.

Incremental: the snippets and scope signatures of the previous request are reused while the
user keeps typing inside the same scope (the innermost enclosing class or function, or the
cursor's line at top level): the cursor is still in it and every edit since was inside it.
Only the window around the cursor is cut again. The window may have moved (Enter moves it a
line) by up to `REUSE_WINDOW_SHIFT` rows when no enclosing scope starts in the rows it moved
over (its signature would have to appear or go); snippets of this file that the moved window
now shows are dropped. Any edit elsewhere, or a document opened,
saved or closed, settings changed, or `REUSE_LIMIT` reuses in a row, recomputes everything.

`ahead` gathers and keeps the same thing before any request asks, in the wait between an
editor's edit and its request (its debounce), so a request at a new place reuses it too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ghostfill.context.definitions import DefinitionSource
from ghostfill.context.index import SymbolIndex
from ghostfill.context.multiline import openers_of, wants_block
from ghostfill.context.neighbours import NeighbourSource
from ghostfill.context.ranking import within_budget
from ghostfill.context.recent_edits import RecentEdits
from ghostfill.context.scope_names import Hints, ScopeHints
from ghostfill.context.scopes import enclosing_scopes, enclosing_signatures
from ghostfill.context.window import Window, cursor_window
from ghostfill.documents.store import Document, TextChange
from ghostfill.documents.syntax import Grammars, Match
from ghostfill.model import CompletionContext, Position, Snippet
from ghostfill.settings import Settings

log = logging.getLogger(__name__)

REUSE_LIMIT = 64
"""Requests in a row served with the same snippets before they are gathered afresh."""
REUSE_WINDOW_SHIFT = 8
"""Rows the window may have moved since the snippets were gathered (Enter moves it one)."""


@dataclass
class _Reused:
    """What the previous request gathered, and the rows of the scope it was gathered in."""

    uri: str
    settings: Settings
    workspace: str
    first_row: int
    last_row: int
    window_first: int
    scopes: tuple[str, ...]
    snippets: tuple[Snippet, ...]
    scope_starts: tuple[int, ...] = ()
    """First rows of the scopes enclosing the cursor then (their signatures depend on the
    window's first row)."""
    uses: int = 0

    def moved_over_a_scope(self, window_first: int) -> bool:
        lo, hi = sorted((window_first, self.window_first))
        return any(lo <= start < hi for start in self.scope_starts)


class SnippetSource(Protocol):
    """A source of context from outside the cursor window (definitions, neighbours, edits)."""

    def snippets(self, doc: Document, window: Window, settings: Settings) -> list[Snippet]: ...


@runtime_checkable
class DocumentListener(Protocol):
    """A source that follows the open documents (the handlers call these through the engine)."""

    def opened(self, doc: Document) -> None: ...

    def changed(self, doc: Document, changes: Sequence[TextChange]) -> None: ...

    def saved(self, doc: Document) -> None: ...

    def closed(self, doc: Document) -> None: ...


class ContextEngine:
    def __init__(
        self, sources: Sequence[SnippetSource] = (), symbols: SymbolIndex | None = None
    ) -> None:
        self.sources = list(sources)
        self.symbols = symbols
        """The workspace symbol index, a WorkspaceIndexer consumer (None without one)."""
        self._listeners = [s for s in self.sources if isinstance(s, DocumentListener)]
        self._last: _Reused | None = None
        self._hints = ScopeHints()
        self.reused = 0
        """Requests answered with the previous request's snippets (for benchmarks)."""
        self.ahead_count = 0
        """Gathers done ahead of a request, after an edit (for benchmarks)."""

    @classmethod
    def standard(cls, grammars: Grammars) -> ContextEngine:
        """Every source: definitions (with a symbol index), neighbours, recent edits."""
        symbols = SymbolIndex(grammars)
        return cls([DefinitionSource(symbols), NeighbourSource(), RecentEdits()], symbols)

    # -- document hooks -------------------------------------------------------------------

    def opened(self, doc: Document) -> None:
        self._last = None
        self._tell(lambda s: s.opened(doc))

    def changed(self, doc: Document, changes: Sequence[TextChange]) -> None:
        self._follow(doc, changes)
        self._tell(lambda s: s.changed(doc, changes))

    def saved(self, doc: Document) -> None:
        self._last = None
        self._tell(lambda s: s.saved(doc))

    def closed(self, doc: Document) -> None:
        self._last = None
        self._tell(lambda s: s.closed(doc))

    def _follow(self, doc: Document, changes: Sequence[TextChange]) -> None:
        """Keep the previous request's context only while every edit stays inside its scope
        (whose last row moves with the lines an edit adds or removes)."""
        last = self._last
        if last is None:
            return
        if doc.uri != last.uri:
            self._last = None
            return
        for change in changes:
            if change.start is None or change.end is None:
                self._last = None
                return
            if not (last.first_row <= change.start.line <= change.end.line <= last.last_row):
                self._last = None
                return
            last.last_row += change.text.count("\n") - (change.end.line - change.start.line)

    def _tell(self, call: Callable[[DocumentListener], None]) -> None:
        for listener in self._listeners:
            try:
                call(listener)
            except Exception:  # a source's bug must not break document sync
                log.exception("context source %s failed", type(listener).__name__)

    def consumers(self) -> list[SymbolIndex]:
        """What the WorkspaceIndexer should feed (its `observe`/`forget` consumers)."""
        return [self.symbols] if self.symbols is not None else []

    def ready(self, timeout: float | None = None) -> bool:
        """Wait until the symbol index has caught up (`ghostfill complete`, benches, tests)."""
        return self.symbols is None or self.symbols.wait_idle(timeout)

    def close(self) -> None:
        if self.symbols is not None:
            self.symbols.close()

    # -- the request path -----------------------------------------------------------------

    def hints(self, doc: Document, pos: Position, line_prefix: str) -> Hints:
        """Names in scope at `pos` and the members after its receiver (offline engine)."""
        return self._hints(doc, doc.offset(pos, strict=False), line_prefix, self.symbols)

    def gather(
        self,
        doc: Document,
        pos: Position,
        settings: Settings,
        workspace: str = "",
        excluded: Callable[[str], bool] | None = None,
        *,
        snippets: bool = True,
    ) -> CompletionContext:
        """Everything the prompt needs about `pos`. `excluded(path)` (the privacy filter) is
        checked on every snippet that makes the cut; excluded files never reach the prompt.
        With `snippets=False` only the cursor window is read (no prompt will be rendered)."""
        cursor = doc.offset(pos)
        window = _window_at(doc, cursor, settings)
        scopes: tuple[str, ...]
        ranked: tuple[Snippet, ...]
        if not snippets:  # no prompt will be rendered: the cursor window is all
            scopes, ranked = (), ()
        elif (reuse := self._reusable(doc, window, settings, workspace)) is not None:
            reuse.uses += 1
            self.reused += 1
            scopes, ranked = reuse.scopes, _outside(reuse.snippets, doc.path, window)
        else:
            scopes, ranked = self._gathered(doc, cursor, window, settings, workspace, excluded)
        line_prefix = window.line_prefix
        return CompletionContext(
            uri=doc.uri,
            path=doc.path,
            language=doc.language,
            prefix=window.prefix,
            suffix=window.suffix,
            line_prefix=line_prefix,
            line_suffix=window.line_suffix,
            scopes=scopes,
            snippets=ranked,
            multiline=wants_block(
                settings.completion.multiline,
                window.prefix,
                line_prefix,
                window.line_suffix,
                openers_of(doc.spec),
            ),
            indent=line_prefix[: len(line_prefix) - len(line_prefix.lstrip())],
            comment=doc.spec.line_comment if doc.spec and doc.spec.line_comment else "#",
            language_name=doc.spec.shown_as if doc.spec else doc.language,
            spec=doc.spec,
            workspace=workspace,
        )

    def ahead(
        self,
        doc: Document,
        pos: Position,
        settings: Settings,
        workspace: str = "",
        excluded: Callable[[str], bool] | None = None,
    ) -> bool:
        """Gather the snippets and scopes at `pos` now and keep them, so that a request there
        reuses them: an editor waits its debounce between sending an edit and asking, and that
        wait is idle time here. False when a request at `pos` would reuse what is kept already
        (nothing is done)."""
        cursor = doc.offset(pos, strict=False)
        window = _window_at(doc, cursor, settings)
        if self._reusable(doc, window, settings, workspace) is not None:
            return False
        self._gathered(doc, cursor, window, settings, workspace, excluded)
        self.ahead_count += 1
        return True

    def _gathered(
        self,
        doc: Document,
        cursor: int,
        window: Window,
        settings: Settings,
        workspace: str,
        excluded: Callable[[str], bool] | None,
    ) -> tuple[tuple[str, ...], tuple[Snippet, ...]]:
        """Scopes and ranked snippets at `cursor`, gathered afresh and kept for reuse."""
        tree = doc.syntax(fresh=False)
        around = enclosing_scopes(doc, tree, cursor) if tree is not None else []
        scopes = enclosing_signatures(doc, cursor, window.first_row, around)
        ranked = self._snippets(doc, window, settings, excluded)
        first, last = _scope_rows(around, window.row)
        starts = tuple(m.captures["context"][0].start_row for m in around)
        self._last = _Reused(
            doc.uri, settings, workspace, first, last, window.first_row, scopes, ranked, starts
        )
        return scopes, ranked

    def rehearse(
        self,
        doc: Document,
        pos: Position,
        settings: Settings,
        workspace: str = "",
        excluded: Callable[[str], bool] | None = None,
        *,
        snippets: bool = True,
    ) -> CompletionContext:
        """`gather`, leaving nothing for the next request to reuse or count (a rehearsal)."""
        last, reused = self._last, self.reused
        try:
            return self.gather(doc, pos, settings, workspace, excluded, snippets=snippets)
        finally:
            self._last, self.reused = last, reused

    def _reusable(
        self, doc: Document, window: Window, settings: Settings, workspace: str
    ) -> _Reused | None:
        last = self._last
        if (
            last is None
            or last.uri != doc.uri
            or last.settings is not settings
            or last.workspace != workspace
            or last.uses >= REUSE_LIMIT
            or not last.first_row <= window.row <= last.last_row
            or abs(window.first_row - last.window_first) > REUSE_WINDOW_SHIFT
            or last.moved_over_a_scope(window.first_row)
        ):
            return None
        return last

    def _snippets(
        self,
        doc: Document,
        window: Window,
        settings: Settings,
        excluded: Callable[[str], bool] | None,
    ) -> tuple[Snippet, ...]:
        snippets: list[Snippet] = []
        for source in self.sources:
            try:
                snippets += source.snippets(doc, window, settings)
            except Exception:  # context is an extra: a failing source costs only its snippets
                log.exception("context source %s failed", type(source).__name__)
        return _ranked(snippets, doc, window, settings, excluded)


def _window_at(doc: Document, cursor: int, settings: Settings) -> Window:
    """The cursor window at byte `cursor`, sized by the context settings."""
    row, col = doc.point(cursor)
    context = settings.context
    return cursor_window(doc, row, col, context.windowTokens, context.suffixShare)


def _outside(snippets: tuple[Snippet, ...], path: str, window: Window) -> tuple[Snippet, ...]:
    """`snippets` without those of `path` that `window` shows (it may have moved since)."""

    def shown(s: Snippet) -> bool:
        end = s.start_line + s.text.count("\n")
        return s.path == path and s.start_line <= window.last_row and end >= window.first_row

    return tuple(s for s in snippets if not shown(s))


def _scope_rows(scopes: list[Match], row: int) -> tuple[int, int]:
    """Rows of the innermost scope around the cursor (the cursor's row at top level)."""
    if not scopes:
        return row, row
    span = scopes[-1].captures["context"][0]
    return span.start_row, max(span.end_row, row)


def _ranked(
    snippets: list[Snippet],
    doc: Document,
    window: Window,
    settings: Settings,
    excluded: Callable[[str], bool] | None,
) -> tuple[Snippet, ...]:
    def rank(candidates: list[Snippet]) -> tuple[Snippet, ...]:
        return within_budget(
            candidates,
            settings.context.budgetTokens,
            current_path=doc.path,
            window_rows=(window.first_row, window.last_row),
        )

    chosen = rank(snippets)
    if excluded is None:
        return chosen
    checked: dict[str, bool] = {}

    def barred(path: str) -> bool:
        if path not in checked:
            checked[path] = excluded(path)
        return checked[path]

    while any(barred(s.path) for s in chosen):
        snippets = [s for s in snippets if not checked.get(s.path, False)]
        chosen = rank(snippets)
    return chosen
