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
        self._spec = pathspec.PathSpec.from_lines("gitwildmatch", globs)
        self.roots = tuple(str(PurePath(r)) for r in roots)
        self.workspace_only = workspace_only

    def excluded(self, path: str) -> bool:
        """True when `path` matches a privacy glob (or lies outside the workspace, if limited)."""
        pure = PurePath(path)
        rel = self._relative(pure)
        if rel is None and self.workspace_only and self.roots:
            return True
        candidate = str(rel if rel is not None else pure).lstrip("/")
        return self._spec.match_file(candidate) or self._spec.match_file(pure.name)

    def _relative(self, path: PurePath) -> PurePath | None:
        for root in self.roots:
            if path.is_relative_to(root):
                return path.relative_to(root)
        return None
