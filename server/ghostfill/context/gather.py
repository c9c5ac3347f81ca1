"""gather(document, position) -> CompletionContext: window, scopes, ranked snippets, mode."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ghostfill.context.multiline import wants_block
from ghostfill.context.ranking import within_budget
from ghostfill.context.scopes import enclosing_signatures
from ghostfill.context.window import Window, cursor_window
from ghostfill.documents.store import Document
from ghostfill.model import CompletionContext, Position, Snippet
from ghostfill.settings import Settings


class SnippetSource(Protocol):
    """A source of context from outside the cursor window (definitions, neighbours, edits)."""

    def snippets(self, doc: Document, window: Window, settings: Settings) -> list[Snippet]: ...


class ContextEngine:
    def __init__(self, sources: Sequence[SnippetSource] = ()) -> None:
        self.sources = list(sources)

    def gather(
        self, doc: Document, pos: Position, settings: Settings, workspace: str = ""
    ) -> CompletionContext:
        cursor = doc.offset(pos)
        row, col = doc.point(cursor)
        window = cursor_window(doc, row, col, settings.context.windowTokens)
        snippets: list[Snippet] = []
        for source in self.sources:
            snippets += source.snippets(doc, window, settings)
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
            snippets=within_budget(snippets, settings.context.budgetTokens),
            multiline=wants_block(
                settings.completion.multiline, window.prefix, line_prefix, window.line_suffix
            ),
            indent=line_prefix[: len(line_prefix) - len(line_prefix.lstrip())],
            workspace=workspace,
        )
