"""gather(document, position) -> CompletionContext: window, scopes, ranked snippets, mode.

`ContextEngine.standard(grammars)` builds the engine with every source: definitions through
imports and the workspace symbol index, neighbour windows of open and recent files, and the
user's recent edits. Sources that keep state about open documents are told about them through
the engine's `opened/changed/saved/closed` hooks, which the LSP handlers call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from ghostfill.context.definitions import DefinitionSource
from ghostfill.context.index import SymbolIndex
from ghostfill.context.multiline import wants_block
from ghostfill.context.neighbours import NeighbourSource
from ghostfill.context.ranking import within_budget
from ghostfill.context.recent_edits import RecentEdits
from ghostfill.context.scopes import enclosing_signatures
from ghostfill.context.window import Window, cursor_window
from ghostfill.documents.store import Document, TextChange
from ghostfill.documents.syntax import Grammars
from ghostfill.model import CompletionContext, Position, Snippet
from ghostfill.settings import Settings

log = logging.getLogger(__name__)


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

    @classmethod
    def standard(cls, grammars: Grammars) -> ContextEngine:
        """Every source: definitions (with a symbol index), neighbours, recent edits."""
        symbols = SymbolIndex(grammars)
        return cls([DefinitionSource(symbols), NeighbourSource(), RecentEdits()], symbols)

    # -- document hooks -------------------------------------------------------------------

    def opened(self, doc: Document) -> None:
        self._tell(lambda s: s.opened(doc))

    def changed(self, doc: Document, changes: Sequence[TextChange]) -> None:
        self._tell(lambda s: s.changed(doc, changes))

    def saved(self, doc: Document) -> None:
        self._tell(lambda s: s.saved(doc))

    def closed(self, doc: Document) -> None:
        self._tell(lambda s: s.closed(doc))

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

    def gather(
        self,
        doc: Document,
        pos: Position,
        settings: Settings,
        workspace: str = "",
        excluded: Callable[[str], bool] | None = None,
    ) -> CompletionContext:
        """Everything the prompt needs about `pos`. `excluded(path)` (the privacy filter) is
        checked on every snippet that makes the cut; excluded files never reach the prompt."""
        cursor = doc.offset(pos)
        row, col = doc.point(cursor)
        window = cursor_window(doc, row, col, settings.context.windowTokens)
        snippets: list[Snippet] = []
        for source in self.sources:
            try:
                snippets += source.snippets(doc, window, settings)
            except Exception:  # context is an extra: a failing source costs only its snippets
                log.exception("context source %s failed", type(source).__name__)
        line_prefix = window.line_prefix
        return CompletionContext(
            uri=doc.uri,
            path=doc.path,
            language=doc.language,
            prefix=window.prefix,
            suffix=window.suffix,
            line_prefix=line_prefix,
            line_suffix=window.line_suffix,
            scopes=enclosing_signatures(doc, cursor, window.first_row),
            snippets=_ranked(snippets, doc, window, settings, excluded),
            multiline=wants_block(
                settings.completion.multiline, window.prefix, line_prefix, window.line_suffix
            ),
            indent=line_prefix[: len(line_prefix) - len(line_prefix.lstrip())],
            comment=doc.spec.line_comment if doc.spec and doc.spec.line_comment else "#",
            language_name=doc.spec.shown_as if doc.spec else doc.language,
            spec=doc.spec,
            workspace=workspace,
        )


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
