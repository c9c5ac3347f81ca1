"""The oracle model of the keystroke replay: it knows the file being typed and answers with its
true continuation, for ghostfill's FIM prompts and for a Tabby server's segments."""

from __future__ import annotations

import math
import random
import zlib
from typing import Any

CHARS_PER_TOKEN = 4
ORACLE_MAX_CHARS = 512
"""What the oracle model generates at most: maxTokens (128) x 4 characters."""
ORACLE_MAX_LINES = 10
TABBY_MAX_CHARS = 256
"""Tabby's server stops at 64 tokens by default (max_decoding_tokens)."""
TAIL = 200
"""Characters of the prompt's prefix looked up in the file to find the cursor."""


class Oracle:
    """Knows the file being typed and where the replay's cursor is in it.

    With `wrong` > 0 that share of replies (chosen by a hash of the prompt, so every run and
    every client gets the same ones) is right only up to a random point of its first line,
    then wrong: typing past that point needs a new request, as with a real model.
    """

    def __init__(self, wrong: float = 0.0, seed: int = 0) -> None:
        self.text = ""
        self.cursor = 0
        self.wrong = wrong
        self.seed = seed

    def spoil(self, prefix: str, reply: str) -> str:
        if self.wrong <= 0:
            return reply
        rng = random.Random(zlib.crc32(f"{self.seed}:{prefix[-TAIL:]}".encode()))
        if rng.random() >= self.wrong:
            return reply
        line = reply.split("\n", 1)[0]
        at = rng.randrange(len(line) + 1)
        return reply[:at] + "wrong_guess" + reply[at:]

    def locate(self, prefix: str) -> int | None:
        """Offset in the file where `prefix` ends (the occurrence nearest the replay's cursor)."""
        tail = prefix[-TAIL:]
        if not tail:
            return 0
        best: int | None = None
        at = self.text.find(tail)
        while at != -1:
            end = at + len(tail)
            if best is None or abs(end - self.cursor) < abs(best - self.cursor):
                best = end
            at = self.text.find(tail, at + 1)
        return best

    def continuation(self, prefix: str) -> str:
        """The true text after the cursor, as a perfect model with maxTokens 128 would write."""
        at = self.locate(prefix)
        if at is None:
            return ""
        rest = self.text[at : at + ORACLE_MAX_CHARS]
        return self.spoil(prefix, "\n".join(rest.split("\n")[:ORACLE_MAX_LINES]))

    def tabby_continuation(self, prefix: str) -> str:
        """What a Tabby server would return: up to 64 tokens, stopping at the next line that
        starts in column 0 (Tabby's top-level stop words)."""
        at = self.locate(prefix)
        if at is None:
            return ""
        lines = self.text[at : at + TABBY_MAX_CHARS].split("\n")
        kept = [lines[0]]
        for line in lines[1:]:
            if line[:1].strip() and line[:1] not in ")]}":
                break
            kept.append(line)
        return self.spoil(prefix, "\n".join(kept))

    def fim_reply(self, body: dict[str, Any]) -> str:
        prompt = str(body.get("prompt", ""))
        if "<|fim_prefix|>" not in prompt:
            return ""
        prefix = prompt.rsplit("<|fim_prefix|>", 1)[1].split("<|fim_suffix|>", 1)[0]
        return self.continuation(prefix)

    def tabby_reply(self, body: dict[str, Any]) -> str:
        segments = body.get("segments") or {}
        return self.tabby_continuation(str(segments.get("prefix", "")))


def first_line_chars(reply: str) -> int:
    """Characters up to the end of the first line with something on it."""
    at = 0
    for line in reply.split("\n"):
        at += len(line) + 1
        if line.strip():
            return min(at, len(reply))
    return len(reply)


def first_line_ms(reply: str, ttft_ms: float, tokens_per_s: float) -> float:
    tokens = math.ceil(first_line_chars(reply) / CHARS_PER_TOKEN)
    return ttft_ms + (tokens / tokens_per_s * 1000 if tokens_per_s else 0.0)


def honour_stops(reply: str, body: dict[str, Any]) -> str:
    """The reply cut at the first of the request's stop sequences, as a real server does."""
    stops = body.get("stop") or []
    cut = len(reply)
    for stop in stops if isinstance(stops, list) else [stops]:
        if isinstance(stop, str) and stop and (at := reply.find(stop)) != -1:
            cut = min(cut, at)
    return reply[:cut]
