"""What the log redaction masks: secrets it was given, key-shaped tokens, and nothing else."""

from __future__ import annotations

import pytest
from ghostfill.logs import RedactingFilter


@pytest.mark.parametrize(
    "key",
    [
        "sk-proj-abcdEFGH1234",  # OpenAI
        "sk-ant-api03-abcdefgh",  # Anthropic
        "csk-canary-k3y9f8e7d6",  # Cerebras
        "gsk_abcdefgh12345678",  # Groq
        "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY",  # a 32-character key without a prefix (Mistral)
        "0123456789abcdef0123456789abcdef01234567",  # hex
    ],
)
def test_key_shaped_tokens_are_masked(key: str) -> None:
    assert RedactingFilter().redact(f"401 from the provider: bad key {key}, try again") == (
        "401 from the provider: bad key ***, try again"
    )


@pytest.mark.parametrize(
    "text",
    [
        "test_a_provider_without_a_key_is_never_contacted failed",
        "/tmp/pytest-of-root/test_the_stages_of_fresh_requests_and_cache_hits/big.py",
        "resolved ghostfill.context.definitions.DefinitionSource_resolve_member",
    ],
)
def test_long_identifiers_and_paths_stay_readable(text: str) -> None:
    assert RedactingFilter().redact(text) == text


def test_a_registered_secret_is_masked_whatever_its_shape() -> None:
    redact = RedactingFilter()
    redact.add("hunter2-canary")
    assert redact.redact("key hunter2-canary rejected") == "key *** rejected"
