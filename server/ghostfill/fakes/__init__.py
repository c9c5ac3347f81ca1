"""Fake backends on 127.0.0.1, one per wire format: the stack the tests and the benchmarks share.

Never imported by `ghostfill serve`; the benchmarks load it when they run, the tests import it
directly. Each HTTP fake (`wire.FakeServer`) records every request, checks keys, injects faults
(`wire.Fault`) and streams at a configurable time to first token and tokens/s.

- `openai.FakeProvider`: OpenAI-compatible chat and completions in the flavour of Cerebras,
  OpenAI, Groq, OpenRouter or vLLM (also runnable: `python -m ghostfill.fakes.openai`);
- `responses.FakeResponses`: the OpenAI Responses API over SSE and WebSocket;
- `ollama.FakeOllama`, `llamacpp.FakeLlamaCpp`, `anthropic.FakeAnthropic`;
- `fim.FakeCodestral`, `fim.FakeDeepSeek`: native fill-in-the-middle APIs;
- `nextedit.FakeNextEdit`: a next-edit model (chat, Zeta, Sweep and Mercury Edit prompts; an
  oracle that answers the true next edit for `ghostfill bench nextedit --fake`);
- `tabby.FakeTabby`, `copilot.FakeCopilot`: what the peers `ghostfill bench compare` runs talk to;
- `proxy.FakeConnectProxy`, `tls.TlsFront` (over `relay`): a corporate CONNECT proxy and an
  HTTPS front with the test's own CA, so every fake is also reachable over HTTPS via a proxy.
"""
