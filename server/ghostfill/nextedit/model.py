"""The values of the next-edit stage: an edit made, an edit predicted, a prediction."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Edit:
    """One coalesced edit the user made: `new` now sits at `start` where `old` was.

    Offsets are UTF-8 bytes in the document as it reads now (later edits shift them).
    """

    start: int
    old: bytes
    new: bytes

    @property
    def end(self) -> int:
        """Where the edit's new text ends now."""
        return self.start + len(self.new)


@dataclass(frozen=True, slots=True)
class Replacement:
    """A predicted edit: bytes `start..end` of the current version become `text`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Prediction:
    """What to suggest for one document version; no edits is the "no change" answer."""

    uri: str
    version: int
    edits: tuple[Replacement, ...] = ()
    rule: str = ""

    @property
    def empty(self) -> bool:
        return not self.edits


def apply(data: bytes, edits: tuple[Replacement, ...] | list[Replacement]) -> bytes:
    """`data` with every edit applied (edits must not overlap)."""
    out = data
    for e in sorted(edits, key=lambda e: e.start, reverse=True):
        out = out[: e.start] + e.text.encode("utf-8", errors="surrogatepass") + out[e.end :]
    return out
