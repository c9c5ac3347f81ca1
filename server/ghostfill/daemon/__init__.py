"""One ghostfill process for every editor window of a user.

`ghostfill serve` (what editors spawn) runs `relay`: a stdlib-only pipe between the editor's
stdio and a per-user daemon listening on a Unix socket (`host`), which it starts when none runs
(`launch`). The daemon runs every window's LSP connection in one process, so windows on the
same workspace share its index. Nothing in this package imports pygls, lsprotocol, httpx or
tree-sitter except `host`'s connection runner, which only the daemon process loads.
"""
