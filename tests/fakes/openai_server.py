"""The fake OpenAI/Cerebras provider lives in the package (`ghostfill bench` uses it too).

Re-exported here so tests import fakes from one place:

    python -m tests.fakes.openai_server --port 0 --text "print('hi')"   # prints "PORT <n>"
"""

from __future__ import annotations

import sys

from ghostfill.bench.fake_openai import Fault, FakeProvider, Recorded, Reply, main

__all__ = ["FakeProvider", "Fault", "Recorded", "Reply", "main"]

if __name__ == "__main__":
    sys.exit(main())
