"""Fake backends on 127.0.0.1, one per wire format: the stack the tests and the benchmarks share.

Never imported by `ghostfill serve`; the benchmarks load it when they run, the tests import it
directly. Each fake records every request, checks keys, injects faults (`wire.Fault`) and streams
at a configurable time to first token and tokens/s.

- `openai.FakeProvider`: OpenAI-compatible chat and completions in the flavour of Cerebras,
  OpenAI, Groq, OpenRouter or vLLM (also runnable: `python -m ghostfill.fakes.openai`);
- `ollama.FakeOllama`, `llamacpp.FakeLlamaCpp`, `anthropic.FakeAnthropic`;
- `fim.FakeCodestral`, `fim.FakeDeepSeek`: native fill-in-the-middle APIs;
- `tabby.FakeTabby`: a Tabby server for the tabby-agent peer in `ghostfill bench replay`;
- `tls.TlsFront`: an HTTPS front (a test-made certificate) for any of them, and
  `proxy.FakeConnectProxy`: a CONNECT proxy whose host names resolve only through it.
"""
