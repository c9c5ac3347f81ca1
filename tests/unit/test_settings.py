"""Settings: camelCase in, typed frozen dataclasses out; bad groups fall back, with a message."""

from __future__ import annotations

import dataclasses

import pytest
from ghostfill.settings import DEFAULT_EXCLUDES, Settings, parse, with_overrides


def test_defaults_when_nothing_is_sent() -> None:
    parsed = parse(None)
    assert parsed.settings == Settings() and parsed.problems == ()
    assert parsed.settings.backend.provider == "offline"


def test_camel_case_groups_are_parsed() -> None:
    parsed = parse(
        {
            "backend": {"provider": "cerebras", "maxTokens": 64, "headers": {"X-A": "1"}},
            "privacy": {"exclude": ["*.secret"]},
        }
    )
    assert parsed.problems == ()
    s = parsed.settings
    assert (s.backend.provider, s.backend.maxTokens, s.backend.headers) == (
        "cerebras",
        64,
        {"X-A": "1"},
    )
    assert s.privacy.globs == (*DEFAULT_EXCLUDES, "*.secret")


def test_bad_group_falls_back_and_names_the_key() -> None:
    parsed = parse({"backend": {"maxTokens": "many"}, "completion": {"maxLines": 3}})
    assert parsed.settings.backend == Settings().backend
    assert parsed.settings.completion.maxLines == 3
    assert any("ghostfill.backend.maxTokens" in p for p in parsed.problems)


@pytest.mark.parametrize(
    "raw",
    [
        {"completion": {"multiline": "sometimes"}},
        {"completion": {"enable": "yes"}},
        {"logLevel": "loud"},
    ],
)
def test_invalid_values_are_reported(raw: dict[str, object]) -> None:
    assert parse(raw).problems


def test_unknown_keys_are_reported_not_fatal() -> None:
    parsed = parse({"backend": {"provider": "groq", "nope": 1}, "extra": True})
    assert parsed.settings.backend.provider == "groq"
    assert set(parsed.problems) == {
        "unknown setting ghostfill.backend.nope",
        "unknown setting ghostfill.extra",
    }


def test_not_an_object() -> None:
    assert parse([1, 2]).problems and parse([1, 2]).settings == Settings()


def test_flags_override_settings() -> None:
    s = with_overrides(
        parse({"backend": {"provider": "groq", "model": "m"}}).settings,
        provider="cerebras",
        model=None,
        base_url="http://x",
    )
    assert (s.backend.provider, s.backend.model, s.backend.baseUrl) == ("cerebras", "m", "http://x")


def test_settings_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().backend.provider = "x"  # type: ignore[misc]


def test_a_string_where_a_list_is_expected_is_a_problem_not_its_characters() -> None:
    """`"grammarPaths": "/x"` used to become the folders "/" and "x"."""
    from ghostfill.settings import parse

    parsed = parse({"context": {"grammarPaths": "/x"}, "privacy": {"exclude": ".secret"}})
    assert parsed.settings.context.grammarPaths == ()
    assert parsed.settings.privacy.exclude == ()
    assert any("grammarPaths" in p for p in parsed.problems)
    assert any("exclude" in p for p in parsed.problems)
    ok = parse({"context": {"grammarPaths": ["/a", "/b"]}})
    assert ok.settings.context.grammarPaths == ("/a", "/b") and not ok.problems
