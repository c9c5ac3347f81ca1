"""`ghostfill bench http2` pieces: the fake speaks both protocols with the same stream, and
the bench reads it over each through ghostfill's own client and backend. Asserts no timings."""

from __future__ import annotations

import argparse
import asyncio
import re
from pathlib import Path

import pytest
from ghostfill.bench import http2
from ghostfill.fakes.h2 import sse_chunks

pytestmark = pytest.mark.bench
trustme = pytest.importorskip("trustme")


def test_the_chunks_are_an_openai_chat_stream() -> None:
    chunks = sse_chunks("a  b")
    assert chunks[-1] == b"data: [DONE]\n\n"
    assert all(c.startswith(b"data: ") and c.endswith(b"\n\n") for c in chunks)
    assert b'"content": "  "' in chunks[2]  # a run of spaces is one token


def test_a_run_streams_over_both_protocols(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two requests per protocol and kind: the fake (its own process) saw one HTTP/2
    connection for all of HTTP/2's, and every request arrived."""
    authority = trustme.CA()
    cert = tmp_path / "chain.pem"
    authority.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(cert))
    parser = argparse.ArgumentParser()
    http2.add_arguments(parser)
    args = parser.parse_args(["--requests", "2"])
    asyncio.run(http2.one_run(args, authority, cert, 0.0))
    out = capsys.readouterr().out
    for row in ("http/1.1 whole", "h2 whole", "http/1.1 cut", "h2 cut"):
        assert re.search(rf"{re.escape(row)}\s+\d+\.\d\d ms", out), out
    assert "'h2': 1" in out and "for 8 requests" in out
