"""Feedback: what happened to each suggestion, kept on this machine only.

    served  -> the server answered a request with an item (`events.Items` remembers it)
    shown   -> textDocument/didShowCompletion {item}
    partial -> textDocument/didPartiallyAcceptCompletion {item, acceptedLength}
    accepted-> the item's `ghostfill.didAccept` command, run by the editor on accept
    request -> a backend call finished (tokens and estimated cost; `meter.MeteredBackend`)

`recorder.Feedback` turns those into `events.Event`s; `store.StatsStore` writes them to SQLite
on a thread of its own (the request path only enqueues); `report` reads them back for
`ghostfill stats` and the editors' stats views; `spend.SpendGuard` serves offline past the
token and cost caps. Nothing here opens a socket.
"""
