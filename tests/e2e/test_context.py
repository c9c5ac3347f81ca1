"""Cross-file context end to end: the prompt the real server sends holds the definition from
another file of the workspace that the next line needs.

The workspace has more files than the symbol index extracts in its own thread, so its child
extraction process runs too, under a server whose stdout is the protocol channel.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ghostfill.fakes.openai import FakeProvider
from pytest_lsp import LanguageClient

from tests.e2e.conftest import backend_options, inline, open_doc, start, type_text

MODELS = """\
from dataclasses import dataclass


@dataclass
class Invoice:
    customer: str
    total_cents: int

    def overdue(self, days: int) -> bool:
        return days > 30
"""

MAIN = "from billing.models import Invoice\n\n\ndef bill(customer, cents):\n    \n"


async def test_the_prompt_holds_an_imported_definition(
    client: LanguageClient, fake: FakeProvider, workspace: Path
) -> None:
    package = workspace / "billing"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(MODELS)
    for n in range(30):  # a backlog: extracted by the child process
        (package / f"helper_{n}.py").write_text(f"def helper_{n}(x):\n    return x + {n}\n")
    await start(client, workspace, backend_options(fake))
    prompt = ""
    for n in range(100):  # the index fills in the background; a new file each time, so the
        uri = open_doc(client, package / f"service_{n}.py", MAIN)  # answer is not cached
        await inline(client, uri, 4, 4)
        prompt = fake.completion_requests()[-1].body["messages"][-1]["content"]
        if "class Invoice:" in prompt:
            break
        await asyncio.sleep(0.1)
    assert "class Invoice:" in prompt
    assert "def overdue(self, days: int) -> bool:" in prompt
    assert "models.py" in prompt
    assert "helper_" not in prompt  # nothing the next line has no use for


async def test_a_language_from_a_grammar_path_gets_the_same_context(
    client: LanguageClient, fake: FakeProvider, workspace: Path, tmp_path: Path
) -> None:
    """`context.grammarPaths`: a copy of the python folder named `mylang`, claiming `.myl`,
    makes `.myl` files a language of their own, with imports resolved and named in prompts."""
    from tests.golden.test_language_copy import copy_language

    grammars = copy_language("python", tmp_path / "grammars")
    package = workspace / "billing"
    package.mkdir()
    (package / "__init__.myl").write_text("")
    (package / "models.myl").write_text(MODELS)
    options = backend_options(fake, context={"grammarPaths": [str(grammars)]})
    await start(client, workspace, options)
    prompt = ""
    for n in range(100):
        uri = open_doc(client, package / f"service_{n}.myl", MAIN, language="mylang")
        await inline(client, uri, 4, 4)
        prompt = fake.completion_requests()[-1].body["messages"][-1]["content"]
        if "class Invoice:" in prompt:
            break
        await asyncio.sleep(0.1)
    assert "class Invoice:" in prompt and "models.myl" in prompt
    assert 'language="mylang"' in prompt


async def test_a_disabled_offline_engine_learns_nothing_while_symbols_are_indexed(
    client: LanguageClient, fake: FakeProvider, workspace: Path
) -> None:
    from tests.e2e.test_faults import stats

    package = workspace / "billing"
    package.mkdir()
    (package / "models.py").write_text(MODELS)
    await start(client, workspace, backend_options(fake, offline={"enable": False}))
    prompt = ""
    for n in range(100):
        uri = open_doc(client, package / f"service_{n}.py", MAIN)
        await inline(client, uri, 4, 4)
        prompt = fake.completion_requests()[-1].body["messages"][-1]["content"]
        if "class Invoice:" in prompt:
            break
        await asyncio.sleep(0.1)
    assert "class Invoice:" in prompt  # the symbol index was fed
    assert (await stats(client))["offline"]["files"] == 0  # the offline engine was not


async def test_the_context_is_gathered_while_the_editor_waits_to_ask(
    client: LanguageClient, fake: FakeProvider, workspace: Path
) -> None:
    """An editor sends an edit, then waits its debounce before asking: the server gathers the
    context at the end of the edit in that wait, and the request reuses it, cross-file
    definition and all. An edit of a privacy-excluded file gathers nothing ahead."""
    package = workspace / "billing"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(MODELS)
    (workspace / "secret.py").write_text("")
    options = backend_options(fake, privacy={"exclude": ["secret.py"]})
    await start(client, workspace, options)
    for n in range(100):  # until the symbol index has models.py
        uri = open_doc(client, package / f"warm_{n}.py", MAIN)
        await inline(client, uri, 4, 4)
        if "class Invoice:" in fake.completion_requests()[-1].body["messages"][-1]["content"]:
            break
        await asyncio.sleep(0.1)
    body = "".join(f"def step_{n}(invoice):\n    return invoice\n\n\n" for n in range(200))
    uri = open_doc(client, package / "service.py", MAIN + "\n\n" + body)
    before = await _stats(client)
    type_text(client, uri, 2, 4, 4, "total = Invoice(customer, cents)\n    ")
    for _ in range(100):
        if (await _stats(client)).contextAhead > before.contextAhead:
            break
        await asyncio.sleep(0.02)
    gathered = await _stats(client)
    assert gathered.contextAhead == before.contextAhead + 1
    await inline(client, uri, 5, 4)
    after = await _stats(client)
    assert after.contextReused == gathered.contextReused + 1  # nothing gathered again
    prompt = fake.completion_requests()[-1].body["messages"][-1]["content"]
    assert "class Invoice:" in prompt and "total = Invoice(customer, cents)" in prompt
    secret = open_doc(client, workspace / "secret.py", MAIN)
    type_text(client, secret, 2, 4, 4, "x")
    await asyncio.sleep(0.3)
    assert (await _stats(client)).contextAhead == after.contextAhead


async def _stats(client: LanguageClient) -> Any:
    return await client.protocol.send_request_async("ghostfill/debugStats", {})
