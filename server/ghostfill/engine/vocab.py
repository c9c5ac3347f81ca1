"""Token text ↔ small integer ids, shared by every model of one engine.

Ids are dense and stable for the engine's lifetime, so n-gram keys stay valid; the mapping is a
dict whose `__missing__` hands out the next id, which lets `list(map(...))` intern a whole file
at C speed and only call Python for tokens never seen before.
"""

from __future__ import annotations

from collections.abc import Iterable

from ghostfill.engine.lexer import BOS, DEDENT, INDENT, NEWLINE, NL, STRING


class _Ids(dict[str, int]):
    __slots__ = ("words",)

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []

    def __missing__(self, key: str) -> int:
        value = len(self.words)
        self[key] = value
        self.words.append(key)
        return value


class Vocabulary:
    """Interns token texts to ids; id → text for rendering."""

    __slots__ = ("_ids",)

    def __init__(self) -> None:
        self._ids = _Ids()
        for special in (BOS, NEWLINE, NL, INDENT, DEDENT, STRING):
            self._ids[special]  # interned in this fixed order: see *_ID below

    def ids(self, tokens: Iterable[str]) -> list[int]:
        """Ids of `tokens`, adding unseen ones."""
        return list(map(self._ids.__getitem__, tokens))

    def id(self, token: str) -> int:
        return self._ids[token]

    def known(self, token: str) -> int | None:
        """The id of `token` if it was ever seen, without adding it."""
        return self._ids.get(token)  # dict.get never calls __missing__

    def lookup(self, tokens: Iterable[str]) -> list[int | None]:
        """Ids of `tokens`, None for unseen ones (nothing is added)."""
        return list(map(self._ids.get, tokens))

    def text(self, token_id: int) -> str:
        return self._ids.words[token_id]

    def __len__(self) -> int:
        return len(self._ids.words)


BOS_ID = 0
NEWLINE_ID = 1
NL_ID = 2
INDENT_ID = 3
DEDENT_ID = 4
STRING_ID = 5
SPECIAL_IDS = frozenset({BOS_ID, NEWLINE_ID, NL_ID, INDENT_ID, DEDENT_ID, STRING_ID})


class Overlay:
    """Ids for tokens the shared vocabulary has not seen, private to the suggesting thread.

    The indexing thread owns the shared `Vocabulary` (it interns); `suggest` only reads it and
    gives tokens it does not know (a name typed a minute ago) ids from this overlay, which
    start at `BASE` so they can never clash.
    """

    BASE = 1 << 40
    __slots__ = ("_ids", "_vocab", "_words", "limit")

    def __init__(self, vocab: Vocabulary, limit: int = 50000) -> None:
        self._vocab = vocab
        self._ids: dict[str, int] = {}
        self._words: list[str] = []
        self.limit = limit

    def ids(self, tokens: Iterable[str]) -> list[int]:
        tokens = list(tokens)
        found = self._vocab.lookup(tokens)
        if None not in found:
            return found  # type: ignore[return-value]
        out: list[int] = []
        for tok, known in zip(tokens, found, strict=True):
            if known is None:
                known = self._ids.get(tok)
                if known is None:
                    known = self.BASE + len(self._words)
                    self._ids[tok] = known
                    self._words.append(tok)
            out.append(known)
        return out

    def text(self, token_id: int) -> str:
        if token_id >= self.BASE:
            return self._words[token_id - self.BASE]
        return self._vocab.text(token_id)

    @property
    def full(self) -> bool:
        return len(self._words) >= self.limit

    def clear(self) -> None:
        self._ids.clear()
        self._words.clear()
