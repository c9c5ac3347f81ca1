"""The shared plumbing: error bodies in every provider's shape, status mapping, URL joining,
key scrubbing."""

from __future__ import annotations

import gzip

import httpx
import pytest
from ghostfill.backends.base import BackendConfig
from ghostfill.backends.http import ErrorInfo, error_info, join, lines, scrub, status_error
from ghostfill.errors import (
    AuthError,
    BackendError,
    BackendTimeout,
    BackendUnavailable,
    ModelNotFound,
    RateLimited,
)

from tests.unit.backends.conftest import CANARY


class Chunks(httpx.AsyncByteStream):
    """A response body arriving in the given pieces, as a network would cut it."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        for chunk in self.chunks:
            yield chunk


CONFIG = BackendConfig(
    "groq", "https://api.groq.com/openai/v1", "llama-3.1-8b-instant", "GROQ_API_KEY", CANARY
)


@pytest.mark.parametrize(
    ("body", "info"),
    [
        (  # OpenAI / Groq / DeepSeek
            b'{"error": {"message": "Invalid API Key", "type": "invalid_request_error", "code": "invalid_api_key"}}',
            ErrorInfo("Invalid API Key", "invalid_request_error", "invalid_api_key"),
        ),
        (  # Anthropic
            b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"r"}',
            ErrorInfo("Overloaded", "overloaded_error", ""),
        ),
        (  # Anthropic spend limit
            b'{"type":"error","error":{"type":"rate_limit_error","message":"limit","details":{"error_code":"enforced_spend_limit_reached"}}}',
            ErrorInfo("limit", "rate_limit_error", "enforced_spend_limit_reached"),
        ),
        (b'{"error":"model \'x\' not found"}', ErrorInfo("model 'x' not found")),  # Ollama
        (  # llama.cpp
            b'{"error":{"code":501,"message":"Infill is not supported","type":"not_supported_error"}}',
            ErrorInfo("Infill is not supported", "not_supported_error", "501"),
        ),
        (  # old vLLM, flat
            b'{"object":"error","message":"The model `q` does not exist.","type":"NotFoundError","param":null,"code":404}',
            ErrorInfo("The model `q` does not exist.", "NotFoundError", "404"),
        ),
        (b'{"message":"Unauthorized","request_id":"933f"}', ErrorInfo("Unauthorized")),  # Mistral
        (b'{"detail":"Unauthorized"}', ErrorInfo("Unauthorized")),
        (  # Mistral 422
            b'{"detail":[{"type":"missing","loc":["body","prompt"],"msg":"Field required"}]}',
            ErrorInfo("Field required"),
        ),
        (  # Cerebras, flat
            b'{"message":"Wrong API Key","type":"invalid_request_error","param":"api_key","code":"wrong_api_key"}',
            ErrorInfo("Wrong API Key", "invalid_request_error", "wrong_api_key"),
        ),
        (b"<html>502 Bad Gateway</html>", ErrorInfo("<html>502 Bad Gateway</html>")),
        (b"[]", ErrorInfo()),
    ],
)
def test_error_info_reads_every_shape(body: bytes, info: ErrorInfo) -> None:
    assert error_info(body) == info


@pytest.mark.parametrize(
    ("status", "body", "kind", "message"),
    [
        (
            401,
            b"{}",
            AuthError,
            "groq rejected the API key (401): set GROQ_API_KEY to a valid key, or run 'ghostfill: Set API Key' in your editor.",
        ),
        (
            403,
            b'{"error":{"message":"no access"}}',
            AuthError,
            "groq refused access (403): no access. Check that the key in GROQ_API_KEY may use model 'llama-3.1-8b-instant'.",
        ),
        (
            400,
            b'{"error":{"message":"The model `llama-3.1-8b-instant` has been decommissioned","type":"invalid_request_error","code":"model_decommissioned"}}',
            ModelNotFound,
            "groq returned 400 for model 'llama-3.1-8b-instant': The model `llama-3.1-8b-instant` has been decommissioned. Check ghostfill.backend.model and baseUrl ('ghostfill doctor' lists the models).",
        ),
        (
            400,
            b'{"error":{"message":"context too long"}}',
            BackendError,
            "groq refused the request (400): context too long.",
        ),
        (408, b"", BackendTimeout, "groq timed out (408)."),
        (500, b"", BackendUnavailable, "groq server error 500; offline suggestions meanwhile."),
        (
            529,
            b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
            BackendUnavailable,
            "groq server error 529: Overloaded; offline suggestions meanwhile.",
        ),
        (
            429,
            b"",
            RateLimited,
            "groq rate limit reached; pausing requests for 5 s (offline suggestions meanwhile).",
        ),
    ],
)
def test_status_mapping(status: int, body: bytes, kind: type[BackendError], message: str) -> None:
    error = status_error(status, body, httpx.Headers(), CONFIG)
    assert type(error) is kind
    assert error.user_message == message


def test_model_list_in_a_404_is_capped_at_ten() -> None:
    models = [f"model-{i:02d}" for i in range(14)]
    error = status_error(404, b"{}", httpx.Headers(), CONFIG, models=models)
    assert isinstance(error, ModelNotFound)
    assert error.user_message == (
        "groq has no model 'llama-3.1-8b-instant' (404). Available: "
        + ", ".join(models[:10])
        + " (+4 more). Set ghostfill.backend.model to one of them."
    )


@pytest.mark.parametrize(
    ("base", "path", "url"),
    [
        (
            "https://api.cerebras.ai/v1",
            "chat/completions",
            "https://api.cerebras.ai/v1/chat/completions",
        ),
        ("https://api.cerebras.ai/v1/", "models", "https://api.cerebras.ai/v1/models"),
        (
            "https://api.groq.com/openai/v1",
            "chat/completions",
            "https://api.groq.com/openai/v1/chat/completions",
        ),
        ("https://api.deepseek.com/beta", "/models", "https://api.deepseek.com/models"),
        ("http://127.0.0.1:8080", "infill", "http://127.0.0.1:8080/infill"),
    ],
)
def test_join_keeps_the_base_path(base: str, path: str, url: str) -> None:
    assert join(base, path) == url


@pytest.mark.parametrize(
    "text",
    [
        f"your key {CANARY} is wrong",
        "Authorization: Bearer abc.def-123",
        "Incorrect API key provided: sk-proj-abcdefgh12345678",
        "key csk-4k2j3h4k2j3h4k2j3h4k2j3h",
        "gsk_abcdefghijklmnop",
    ],
)
def test_scrub_masks_keys(text: str) -> None:
    cleaned = scrub(text, CONFIG)
    assert "***" in cleaned
    assert CANARY not in cleaned and "abcdefgh1234" not in cleaned and "4k2j3h4k" not in cleaned


def test_config_repr_hides_the_key() -> None:
    assert CANARY not in repr(CONFIG)
    assert "api_key=" not in repr(CONFIG)


@pytest.mark.parametrize(
    ("chunks", "expected"),
    [
        ((b"data: a\n\n",), ["data: a", ""]),
        ((b"data: a\r", b"\ndata: b\r\n\r\n"), ["data: a", "data: b", ""]),  # CRLF split
        ((b"data: a\r", b"\n", b"\n"), ["data: a", ""]),  # the split LF, then a blank line
        ((b"a\rb\n",), ["a", "b"]),  # a lone CR ends a line too
        ((b"da", b"ta: ", b"x\n"), ["data: x"]),  # a line in three pieces
        ((b"x: \xe2\x80", b"\xa8y\n"), ["x: \u2028y"]),  # a character split between chunks
        (("x\u2028y\x0cz\x85w\n".encode(),), ["x\u2028y\x0cz\x85w"]),
        ((b"data: a\n", b"data: end"), ["data: a", "data: end"]),  # EOF ends the last line
        ((b"\xff\n",), ["\ufffd"]),  # not UTF-8: replaced, not fatal
    ],
)
async def test_lines_end_only_at_cr_and_lf(chunks: tuple[bytes, ...], expected: list[str]) -> None:
    response = httpx.Response(200, stream=Chunks(*chunks))
    assert [line async for line in lines(response, CONFIG)] == expected


async def test_a_compressed_stream_is_decoded() -> None:
    """Asked for identity, a server may still gzip the stream: its lines are decoded."""
    body = gzip.compress(b"data: a\n\ndata: b\n\n")
    response = httpx.Response(
        200, headers={"Content-Encoding": "gzip"}, stream=Chunks(body[:7], body[7:])
    )
    assert [line async for line in lines(response, CONFIG)] == ["data: a", "", "data: b", ""]
