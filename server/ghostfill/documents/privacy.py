"""Which files may never reach a prompt, the offline index or the symbol index.

Globs are gitignore-style and matched against the path relative to its workspace folder
(and against the bare file name, so `.env*` matches `config/.env.local` too).
"""

from __future__ import annotations

from pathlib import PurePath

import pathspec


class PrivacyFilter:
    def __init__(
        self, globs: tuple[str, ...], roots: tuple[str, ...] = (), workspace_only: bool = True
    ) -> None:
        self.globs = globs
        self._spec = pathspec.GitIgnoreSpec.from_lines(globs)
        self.roots = tuple(str(PurePath(r)) for r in roots)
        self.workspace_only = workspace_only

    def excluded(self, path: str) -> bool:
        """True when `path` may not be read into context or an index: it matches a privacy
        glob, or lies outside the workspace folders while `context.workspaceOnly` is on."""
        if self.workspace_only and self.roots and self._relative(PurePath(path)) is None:
            return True
        return self.secret(path)

    def secret(self, path: str) -> bool:
        """True when `path` matches a privacy glob, wherever it lies. Such a document gets no
        completion at all; a document outside the workspace that is not secret may still be
        completed from its own text (it is what the user is editing), never with context from
        other files outside the workspace."""
        pure = PurePath(path)
        rel = self._relative(pure)
        candidate = str(rel if rel is not None else pure).lstrip("/")
        return self._spec.match_file(candidate) or self._spec.match_file(pure.name)

    def _relative(self, path: PurePath) -> PurePath | None:
        for root in self.roots:
            if path.is_relative_to(root):
                return path.relative_to(root)
        return None
