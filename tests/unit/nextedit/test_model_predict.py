"""Model next edits in the stage: asked only when the rules have nothing, cached per version,
cancelled by typing, and never asked about edits far from the cursor."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from ghostfill.documents.store import Document
from ghostfill.errors import BackendUnavailable
from ghostfill.model import Position
from ghostfill.nextedit.model import apply
from ghostfill.nextedit.rewrite import RewritePrompt

from tests.unit.nextedit.typing_helpers import Editor

CODE = "def f(xs):\n    out = []\n    out.append(xs[0])\n    out.append(xs[1])\n    return out\n"


@dataclass
class ScriptedModel:
    """Answers every prompt with `answer(region)`, after `gate` opens (when one is given)."""

    answer: str = ""
    model: str = "sweep-next-edit-fake"
    root: str = "http://127.0.0.1:1/v1"
    gate: asyncio.Event | None = None
    prompts: list[RewritePrompt] = field(default_factory=list)
    cancelled: int = 0
    fail: bool = False
    asked: asyncio.Event = field(default_factory=asyncio.Event)

    async def rewrite(self, prompt: RewritePrompt) -> str:
        self.prompts.append(prompt)
        self.asked.set()
        if self.fail:
            raise BackendUnavailable("fake backend down")
        if self.gate is not None:
            try:
                await self.gate.wait()
            except asyncio.CancelledError:
                self.cancelled += 1
                raise
        return self.answer or prompt.window.text.replace("append", "push")


def _editor(model: ScriptedModel | None, *, use: bool = True) -> Editor:
    return Editor(rewriter=lambda _doc: model, use_backend=use)


def _one_change(ed: Editor) -> Document:
    doc = ed.open(CODE)
    ed.backspace_and_type(2, 8, "append", "push")  # line 2: out.append( -> out.push(
    return doc


async def test_the_model_answers_when_the_rules_have_nothing() -> None:
    model = ScriptedModel()
    ed = _editor(model)
    doc = _one_change(ed)
    got = await ed.next_edits.suggest(doc, Position(2, 12))
    assert got.rule == "model" and len(model.prompts) == 1
    assert apply(doc.data, got.edits).decode() == CODE.replace("append", "push")
    again = await ed.next_edits.suggest(doc, Position(2, 12))
    assert again == got and len(model.prompts) == 1  # cached for the version


async def test_off_by_default_and_no_model_means_no_request() -> None:
    model = ScriptedModel()
    ed = _editor(model, use=False)
    doc = _one_change(ed)
    assert (await ed.next_edits.suggest(doc, Position(2, 12))).empty
    assert model.prompts == []
    ed2 = _editor(None)
    doc2 = _one_change(ed2)
    assert (await ed2.next_edits.suggest(doc2, Position(2, 12))).empty


async def test_a_rule_answer_does_not_ask_the_model() -> None:
    model = ScriptedModel()
    ed = _editor(model)
    doc = ed.open("def f(count):\n    return count + count\n")
    ed.rename_at(0, 6, "count", "total")
    got = await ed.next_edits.suggest(doc, Position(0, 11))
    assert got.rule == "rename" and model.prompts == []


async def test_typing_cancels_the_pending_model_request() -> None:
    model = ScriptedModel(gate=asyncio.Event())
    ed = _editor(model)
    doc = _one_change(ed)
    pending = asyncio.ensure_future(ed.next_edits.suggest(doc, Position(2, 12)))
    await model.asked.wait()
    ed.type(4, 0, "#")
    got = await pending
    assert got.empty and model.cancelled == 1
    assert ed.next_edits.stats()["cancelled"] == 1


async def test_an_edit_far_from_the_cursor_is_not_asked_about() -> None:
    model = ScriptedModel()
    ed = _editor(model)
    doc = ed.open(CODE + "\n" * 80 + "x = 1\n")
    ed.backspace_and_type(2, 8, "append", "push")
    got = await ed.next_edits.suggest(doc, Position(84, 0))
    assert got.empty and model.prompts == []


async def test_a_failing_model_is_no_change() -> None:
    model = ScriptedModel(fail=True)
    ed = _editor(model)
    doc = _one_change(ed)
    assert (await ed.next_edits.suggest(doc, Position(2, 12))).empty


async def test_a_model_reverting_the_users_edit_is_dropped() -> None:
    model = ScriptedModel(answer="")
    ed = _editor(model)
    doc = _one_change(ed)
    model.answer = "\n".join(CODE.split("\n")[0:5])  # the region as it was: push undone
    got = await ed.next_edits.suggest(doc, Position(2, 12))
    assert got.empty and len(model.prompts) == 1


async def test_a_prediction_waits_for_the_inline_completion_in_flight() -> None:
    model = ScriptedModel()
    ed = _editor(model)
    doc = _one_change(ed)
    with ed.next_edits.completing():
        pending = asyncio.ensure_future(ed.next_edits.suggest(doc, Position(2, 12)))
        for _ in range(20):
            await asyncio.sleep(0)
        assert model.prompts == [] and not pending.done()
    got = await pending
    assert got.rule == "model" and len(model.prompts) == 1
