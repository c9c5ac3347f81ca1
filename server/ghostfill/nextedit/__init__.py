"""Next-edit suggestions: predict the edit after the one just made.

documents -> history (edits coalesced from didChange) -> rules (rename propagation, repeated
edits) or a rewrite of the window around the cursor -> minimal non-overlapping edits. No LSP
types here: the edge converts offsets to ranges.
"""
