"""What the code at the cursor can name, as weights on the decoder's identifier candidates.

The server reads the names in scope (parameters, locals, imports, the module's definitions)
and, after `receiver.`, the receiver's members from the syntax tree and the symbol index
(`context.scope_names`). An n-gram model knows which identifiers followed a context anywhere
in the workspace; these hints say which of them exist here. Where an identifier may follow, a
candidate in scope has its probability multiplied by `NAME_BOOST`; right after a member
operator, a known member by `MEMBER_BOOST` and any other identifier by `MEMBER_PENALTY` (the
member list may miss inherited or dynamic attributes, so strangers are not ruled out). The
candidates keep their total mass, so confidence stays comparable with and without hints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ghostfill.engine.lexer import Family, is_word
from ghostfill.engine.vocab import token_ids

NAME_BOOST = 4.0
MEMBER_BOOST = 3.0
MEMBER_PENALTY = 0.5


@dataclass(frozen=True, slots=True)
class NameHints:
    """Token ids of the names in scope and of the members after the receiver at the cursor."""

    names: frozenset[int] = frozenset()
    members: frozenset[int] = frozenset()

    @classmethod
    def of(cls, names: frozenset[str], members: frozenset[str]) -> NameHints:
        return cls(frozenset(token_ids(list(names))), frozenset(token_ids(list(members))))

    def __bool__(self) -> bool:
        return bool(self.names or self.members)

    def factors(
        self, after: str | None, cands: Sequence[int], texts: Sequence[str], family: Family
    ) -> list[float] | None:
        """A weight per candidate (`texts` theirs) after the token `after`; None: no change."""
        member = after is not None and after in family.member
        if member and self.members:
            known, boost, other = self.members, MEMBER_BOOST, MEMBER_PENALTY
        elif not member and self.names:
            known, boost, other = self.names, NAME_BOOST, 1.0
        else:
            return None
        keywords = family.keywords
        out = [
            (boost if w in known else other) if t not in keywords and is_word(t, family) else 1.0
            for w, t in zip(cands, texts, strict=True)
        ]
        return out if any(f != 1.0 for f in out) else None
