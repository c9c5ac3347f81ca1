"""Golden file for the python queries: see tests/golden/annotated.py for the markers."""

from __future__ import annotations  # {{IMPORT __future__}}

import os.path as osp  # {{IMPORT os.path}}
from collections import OrderedDict  # {{IMPORT collections}}

from ..pkg.mod import *  # {{IMPORT ..pkg.mod}}

MAX_ITEMS = 10  # {{DEF constant MAX_ITEMS}}
registry: dict[str, int] = {}  # {{DEF variable registry}}
type Pair = tuple[int, int]  # {{DEF type Pair}}


# {{TEST module level}}
def helper(value: int) -> int:  # {{DEF function helper}}
    return value * 2


print("at module level")  # {{CURSOR}} {{REF call print}}


# {{TEST method in a decorated class}}
@dataclass
class Cache(Base):  # {{CONTEXT}} {{DEF class Cache}} {{REF type Base}}
    """A cache."""

    size: int = 0  # {{DEF field size}}
    entries = OrderedDict()  # {{DEF field entries}} {{REF call OrderedDict}}

    @property
    def full(  # {{DEF method full}}
        self,
    ) -> bool:  # the first line of a scope is where its node starts
        return self.size >= MAX_ITEMS

    async def fetch(self, key: str) -> Entry | None:  # {{CONTEXT}} {{DEF method fetch}} {{REF type Entry}}
        if key in self.entries:
            # {{CURSOR}}
            return self.entries[key]
        return osp.join(key)  # {{REF call join}}


# {{TEST nested function in a nested class}}
def outer(items):  # {{CONTEXT}} {{DEF function outer}}
    class Local:  # {{CONTEXT}} {{DEF class Local}}
        def run(self):  # {{CONTEXT}} {{DEF method run}}
            def step(i):  # {{CONTEXT}} {{DEF function step}}
                # {{CURSOR}}
                return i + 1

            return [step(i) for i in items]  # {{REF call step}}

    return Local().run()


# {{TEST inside the signature}}
def long_signature(  # {{CONTEXT}} {{DEF function long_signature}}
    first,  # {{CURSOR}}
    second,
):
    pass


# {{TEST end of the last line of a method}}
class Point:  # {{CONTEXT}} {{DEF class Point}}
    def norm(self):  # {{CONTEXT}} {{DEF method norm}}
        return abs(self){{CURSOR}}
