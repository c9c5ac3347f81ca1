"""Small ordered filters over the suggestion; each is one module with golden cases.

Stream filters run while the suggestion streams and may stop generation early (the HTTP
stream is closed); final filters run once on the whole text when the stream has ended.
The order matters: unwrap first, then cut, then judge what is left. Preparers do, while the
provider thinks, the work of the filters that depends only on the request (not the answer).
"""

from __future__ import annotations

from ghostfill.postprocess.base import FinalFilter, Preparer, StreamFilter
from ghostfill.postprocess.brackets import balance_brackets, prepare_brackets
from ghostfill.postprocess.chat_cleanup import strip_chat_wrapping
from ghostfill.postprocess.line_limit import limit_lines
from ghostfill.postprocess.repetition import stop_at_repetition
from ghostfill.postprocess.stop_tokens import stop_at_stop_tokens
from ghostfill.postprocess.suffix_overlap import drop_suffix_overlap
from ghostfill.postprocess.syntax_gate import prepare_gate, syntax_gate

STREAM_FILTERS: tuple[StreamFilter, ...] = (
    stop_at_stop_tokens,
    strip_chat_wrapping,
    limit_lines,
    stop_at_repetition,
    balance_brackets,
)
FINAL_FILTERS: tuple[FinalFilter, ...] = (drop_suffix_overlap, syntax_gate)
PREPARERS: tuple[Preparer, ...] = (prepare_brackets, prepare_gate)

__all__ = ["FINAL_FILTERS", "PREPARERS", "STREAM_FILTERS"]
