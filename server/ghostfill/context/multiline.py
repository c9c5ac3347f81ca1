"""Whether to suggest a block or only the rest of the line.

`auto`: a block when the cursor sits on an empty line right after a block opener of the
document's language (its `[blocks] openers`: `:`, `{`, `(`, `=>`, ` do`, ` then`, ...) or in an
empty body; otherwise the rest of the current line.
"""

from __future__ import annotations

from ghostfill.documents.languages import GENERIC_OPENERS, LanguageSpec


def openers_of(spec: LanguageSpec | None) -> tuple[str, ...]:
    """What opens a block in `spec`'s files (the generic list for a file type without one)."""
    return spec.blocks.openers if spec is not None else GENERIC_OPENERS


def wants_block(
    mode: str,
    prefix: str,
    line_prefix: str,
    line_suffix: str,
    openers: tuple[str, ...] = GENERIC_OPENERS,
) -> bool:
    if mode == "always":
        return True
    if mode == "never":
        return False
    if line_suffix.strip() not in ("", ")", "}", "]", "});", "})", ");"):
        return False
    if line_prefix.strip():
        return line_prefix.rstrip().endswith(openers) and not line_suffix.strip()
    above = prefix[: len(prefix) - len(line_prefix)].rstrip("\n").rstrip()
    return above.endswith(openers)
