"""Token ids: a 62-bit hash of the token's text, so no vocabulary table is kept.

A vocabulary that maps every token ever seen to a dense id grows with the workspace and can
never shrink (ids must stay stable); on 10,000 files it held 600,000 entries, about 80 MB. Hash
ids need no table and no coordination between the indexing thread and requests: the same text
always gets the same id. Text for rendering is kept only where it is needed (`Texts`), and
pruned with the counts. Collisions among a million tokens have odds of about 1 in 10^7.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import repeat
from operator import and_

from ghostfill.engine.lexer import BOS, DEDENT, INDENT, NEWLINE, NL, STRING

ID_MASK = (1 << 62) - 1


def token_id(token: str) -> int:
    return hash(token) & ID_MASK


def token_ids(tokens: Iterable[str]) -> list[int]:
    """Ids of `tokens`, computed in C."""
    return list(map(and_, map(hash, tokens), repeat(ID_MASK)))


BOS_ID = token_id(BOS)
NEWLINE_ID = token_id(NEWLINE)
NL_ID = token_id(NL)
INDENT_ID = token_id(INDENT)
DEDENT_ID = token_id(DEDENT)
STRING_ID = token_id(STRING)


class Texts:
    """id → token text, for the tokens a model may suggest."""

    __slots__ = ("_texts",)

    def __init__(self) -> None:
        self._texts: dict[int, str] = {}

    def add(self, ids: Sequence[int], tokens: Sequence[str]) -> None:
        self._texts.update(zip(ids, tokens, strict=True))

    def get(self, token: int) -> str | None:
        return self._texts.get(token)

    def keep(self, alive: dict[int, int]) -> None:
        """Drop the texts of ids no longer in `alive` (a model's unigram counts)."""
        self._texts = {i: t for i, t in self._texts.items() if i in alive}

    def __len__(self) -> int:
        return len(self._texts)

    def __contains__(self, token: int) -> bool:
        return token in self._texts
