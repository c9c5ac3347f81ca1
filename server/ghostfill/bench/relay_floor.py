"""The least a pygls + httpx language server can do for a fresh request: the floor of the
overhead bench's fresh-request figure, timed in the same run.

It keeps no documents (pygls' own workspace would split and rejoin the whole file at every
didChange), and answers each inline completion request by posting a fixed 2,000-character
prompt to an OpenAI-style `/chat/completions` endpoint over one pooled httpx client, reading
the stream to its end and returning the first line of the text. No document, no context, no
prompt template, no filters, no cache: pygls' message handling (its stdin reader thread
included) and one httpx streamed request. What remains between it and ghostfill is
ghostfill's own work.

    python -m ghostfill.bench.relay_floor BASE_URL MODEL
"""

from __future__ import annotations

import json
import sys

import httpx
from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

PROMPT = "x = 1\n" * 333 + "xy"
"""2,000 characters (a prompt of a few hundred tokens)."""


class NoDocuments(LanguageServerProtocol):
    """pygls' protocol with its document sync turned into no-ops."""

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        return None

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        return None


def build(base_url: str, model: str) -> LanguageServer:
    server = LanguageServer("ghostfill-relay-floor", "1", protocol_cls=NoDocuments)
    client: list[httpx.AsyncClient] = []  # made on the server's loop, at the first request

    @server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION)
    async def inline(params: types.InlineCompletionParams) -> types.InlineCompletionList:
        body = {"model": model, "stream": True, "messages": [{"role": "user", "content": PROMPT}]}
        if not client:
            client.append(httpx.AsyncClient())
        text = ""
        async with client[0].stream("POST", f"{base_url}/chat/completions", json=body) as reply:
            async for line in reply.aiter_lines():
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                for choice in json.loads(line[6:]).get("choices") or ():
                    text += (choice.get("delta") or {}).get("content") or ""
        at = types.Range(params.position, params.position)
        item = types.InlineCompletionItem(insert_text=text.split("\n", 1)[0], range=at)
        return types.InlineCompletionList(items=[item])

    return server


def main(argv: list[str]) -> int:
    base_url, model = argv
    build(base_url, model).start_io()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
