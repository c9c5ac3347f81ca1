"""Which files may never reach a prompt, the offline index or the symbol index.

Globs are gitignore-style and matched against the path relative to its workspace folder
(and against the bare file name, so `.env*` matches `config/.env.local` too).

A filter is built once per settings and folders, and every answer is kept: a request asks
about its document on every keystroke, and matching a path costs more than the cache lookup
that answers the keystroke.
"""

from __future__ import annotations

from pathlib import PurePath

import pathspec

KEPT_ANSWERS = 4096
"""Paths whose answers a filter keeps (then it starts over)."""


class PrivacyFilter:
    def __init__(
        self, globs: tuple[str, ...], roots: tuple[str, ...] = (), workspace_only: bool = True
    ) -> None:
        self.globs = globs
        self._spec = pathspec.GitIgnoreSpec.from_lines(globs)
        self.roots = tuple(str(PurePath(r)) for r in roots)
        self.workspace_only = workspace_only
        self._excluded: dict[str, bool] = {}
        self._secret: dict[str, bool] = {}

    def excluded(self, path: str) -> bool:
        """True when `path` may not be read into context or an index: it matches a privacy
        glob, or lies outside the workspace folders while `context.workspaceOnly` is on."""
        known = self._excluded.get(path)
        if known is None:
            outside = self.workspace_only and self.roots and self._relative(PurePath(path)) is None
            known = _keep(self._excluded, path, bool(outside) or self.secret(path))
        return known

    def secret(self, path: str) -> bool:
        """True when `path` matches a privacy glob, wherever it lies. Such a document gets no
        completion at all; a document outside the workspace that is not secret may still be
        completed from its own text (it is what the user is editing), never with context from
        other files outside the workspace."""
        known = self._secret.get(path)
        if known is None:
            pure = PurePath(path)
            rel = self._relative(pure)
            candidate = str(rel if rel is not None else pure).lstrip("/")
            matched = self._spec.match_file(candidate) or self._spec.match_file(pure.name)
            known = _keep(self._secret, path, matched)
        return known

    def _relative(self, path: PurePath) -> PurePath | None:
        for root in self.roots:
            if path.is_relative_to(root):
                return path.relative_to(root)
        return None


def _keep(answers: dict[str, bool], path: str, answer: bool) -> bool:
    if len(answers) >= KEPT_ANSWERS:
        answers.clear()
    answers[path] = answer
    return answer
