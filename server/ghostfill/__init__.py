"""ghostfill: AI code completions as ghost text in any editor, fast."""

__version__ = "0.1.0"
