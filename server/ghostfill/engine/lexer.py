"""A fast regex tokenizer per language family, for the offline engine's n-gram models.

One master regex per family does the work in C (`re.findall`); a single Python loop then drops
comments, turns line breaks into NEWLINE / INDENT / DEDENT tokens and abstracts long strings.
Families are data: a few regex pieces, an operator list and a keyword set each.

Token stream conventions, shared by the models, the decoder and the renderer:
- NEWLINE ends a line at bracket depth 0; NL ends a line inside ( or [ (a continuation), where
  indentation is not tracked. Blank and comment-only lines produce nothing.
- INDENT / DEDENT follow NEWLINE when the next line's indentation grows or shrinks. The stack
  is bottomless, so lexing can start mid-file (the decoder lexes only the prefix's tail).
- Comments are dropped; strings longer than `MAX_STRING` or spanning lines become STRING,
  which the decoder never emits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

NEWLINE = "\n"
NL = "\x01n"
INDENT = "\x01>"
DEDENT = "\x01<"
BOS = "\x01^"
STRING = "\x01s"
SPECIAL: frozenset[str] = frozenset({NEWLINE, NL, INDENT, DEDENT, BOS, STRING})
LINE_ENDS: frozenset[str] = frozenset({NEWLINE, NL})

_HEADER = re.compile(r"<[\w./+-]*[A-Za-z][\w./+-]*>")
"""`#include <stdio.h>`: the header name is one string-like token."""
MAX_STRING = 40
"""String literals longer than this (quotes included) are abstracted to STRING."""

_NUMBER = (
    r"0[xXbBoO][0-9a-fA-F_]+[a-zA-Z]*"
    r"|(?:\d[\d_]*(?:\.(?=\d)[\d_]+)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[a-zA-Z]*"
)
_IDENT = r"[^\W\d]\w*"
_DQ = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"?'
_SQ = r"'[^'\\\n]*(?:\\.[^'\\\n]*)*'?"
_BACKTICK = r"`[^`\\]*(?:\\[\s\S][^`\\]*)*`?"
_C_COMMENTS = (r"//[^\n]*", r"/\*[\s\S]*?(?:\*/|\Z)")
_HASH_COMMENT = r"#[^\n]*"

_C_OPS = (
    ">>>=", "<<=", ">>=", ">>>", "...", "===", "!==", "**=", "??=", "&&=", "||=", "<=>",
    "->", "=>", "::", "==", "!=", "<=", ">=", "&&", "||", "++", "--", "+=", "-=", "*=", "/=",
    "%=", "&=", "|=", "^=", "<<", ">>", "**", "??", "?.", "..", ":=",
)  # fmt: skip
_PY_OPS = (
    "**=", "//=", ">>=", "<<=", "...", "->", ":=", "==", "!=", "<=", ">=", "**", "//", "<<",
    ">>", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=",
)  # fmt: skip
_RUBY_OPS = (
    "**=", "<=>", "===", "...", "||=", "&&=", "<<=", ">>=", "..", "::", "==", "!=", "=~", "!~",
    "<=", ">=", "&&", "||", "<<", ">>", "**", "+=", "-=", "*=", "/=", "%=", "|=", "&=", "->",
    "=>", "&.",
)  # fmt: skip
_LUA_OPS = ("...", "..", "==", "~=", "<=", ">=", "::", "//", "<<", ">>")
_SHELL_OPS = (
    "&&", "||", ";;", "<<<", "<<-", "<<", ">>", "&>", ">&", "<&", "|&", "$((", "$(", "${",
    "((", "))", "[[", "]]", "==", "!=", "=~", "+=", "-=",
)  # fmt: skip
_PHP_OPS = (
    "<?php", "<?=", "?>", "**=", "...", "<=>", "===", "!==", "??=", "?->", "<<=", ">>=", "->",
    "=>", "::", "==", "!=", "<>", "<=", ">=", "&&", "||", "++", "--", "+=", "-=", "*=", "/=",
    ".=", "%=", "&=", "|=", "^=", "<<", ">>", "**", "??",
)  # fmt: skip

_C_KEYWORDS = """
if else for while do switch case default break continue return goto new delete throw throws try
catch finally typeof instanceof in of void var let const function class extends implements
interface enum struct union typedef static public private protected final abstract import export
from as async await yield package func go defer chan select fallthrough range type fn mut impl
trait pub use mod crate where match loop move ref unsafe dyn sizeof namespace using template
typename operator virtual override sealed readonly internal is out params get set when val fun
object companion lateinit echo
"""
_PY_KEYWORDS = """
and as assert async await break class continue def del elif else except finally for from global
if import in is lambda nonlocal not or pass raise return try while with yield
"""
_RUBY_KEYWORDS = """
alias and begin break case class def defined? do else elsif end ensure for if in module next not
or redo rescue retry return super then undef unless until when while yield
"""
_LUA_KEYWORDS = """
and break do else elseif end for function goto if in local not or repeat return then until while
"""
_SHELL_KEYWORDS = """
if then else elif fi for while until do done case esac in function select time local export
return
"""
_PHP_KEYWORDS = """
abstract and as break case catch class clone const continue declare default do echo else elseif
enddeclare endfor endforeach endif endswitch endwhile extends final finally fn for foreach
function global goto if implements include include_once instanceof insteadof interface match
namespace new or print private protected public readonly require require_once return static
switch throw trait try use var while yield
"""


@dataclass(frozen=True, slots=True)
class Family:
    """How one family of languages is tokenized and laid out."""

    name: str
    pattern: re.Pattern[str]
    comments: tuple[str, ...]
    """Prefixes of the raw tokens that are comments (dropped)."""
    quotes: str
    """Characters a string literal ends with."""
    brackets: str
    """Openers inside which a line break is a continuation (NL), not a statement end."""
    closers: str
    keywords: frozenset[str]
    openers: frozenset[str]
    """A line ending with one of these tokens opens an indented block."""
    word_chars: str = "_"
    """Characters besides letters and digits that belong to identifiers."""
    blocks: tuple[tuple[str, str], ...] = (("/*", "*/"),)
    """Delimiters of multi-line strings and comments, to resume lexing mid-file safely."""
    member: frozenset[str] = frozenset({".", "->", "::", "?."})
    """Operators written without spaces around them (member access)."""

    def findall(self, text: str) -> list[str]:
        return self.pattern.findall(text)


def _family(
    name: str,
    *,
    comments: Sequence[str],
    comment_prefixes: Sequence[str],
    strings: Sequence[str],
    ops: Sequence[str],
    keywords: str,
    quotes: str,
    brackets: str = "([",
    openers: Iterable[str] = ("{",),
    ident: str = _IDENT,
    extra: Sequence[str] = (),
    word_chars: str = "_",
    blocks: Sequence[tuple[str, str]] = (("/*", "*/"),),
    member: Iterable[str] = (".", "->", "::", "?."),
) -> Family:
    ordered_ops = sorted(ops, key=len, reverse=True)
    parts = [
        r"\n[ \t]*",
        *comments,
        *strings,
        *extra,
        _NUMBER,
        ident,
        *(re.escape(op) for op in ordered_ops),
        r"\S",
    ]
    closers = "".join({"(": ")", "[": "]", "{": "}"}[b] for b in brackets)
    return Family(
        name=name,
        pattern=re.compile("|".join(parts)),
        comments=tuple(comment_prefixes),
        quotes=quotes,
        brackets=brackets,
        closers=closers,
        keywords=frozenset(keywords.split()),
        openers=frozenset(openers),
        word_chars=word_chars,
        blocks=tuple(blocks),
        member=frozenset(member),
    )


_PY_STRING = (
    r"(?:[rRbBuUfF]{1,2})?"
    r"(?:\"\"\"[^\"\\]*(?:(?:\\[\s\S]|\"(?!\"\"))[^\"\\]*)*(?:\"\"\"|\Z)"
    r"|'''[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*(?:'''|\Z)"
    rf"|{_DQ}|{_SQ})"
)

FAMILIES: Mapping[str, Family] = MappingProxyType(
    {
        f.name: f
        for f in (
            _family(
                "python",
                comments=(_HASH_COMMENT,),
                comment_prefixes=("#",),
                strings=(_PY_STRING,),
                ops=_PY_OPS,
                keywords=_PY_KEYWORDS,
                quotes="\"'",
                brackets="([{",
                openers=(":",),
                blocks=(('"""', '"""'), ("'''", "'''")),
                member=(".",),
            ),
            _family(
                "c",
                comments=_C_COMMENTS,
                comment_prefixes=("//", "/*"),
                strings=(
                    r'[@$]{0,2}"""[\s\S]*?(?:"""|\Z)',
                    rf"[@$LuUR8]{{0,2}}{_DQ}",
                    _SQ,
                    r"(?<=#include )<[^>\n]*>|(?<=#include)<[^>\n]*>",
                ),
                ops=_C_OPS,
                keywords=_C_KEYWORDS,
                quotes="\"'",
            ),
            _family(
                "ecma",
                comments=_C_COMMENTS,
                comment_prefixes=("//", "/*"),
                strings=(_DQ, _SQ, _BACKTICK),
                ops=_C_OPS,
                keywords=_C_KEYWORDS,
                quotes="\"'`",
                ident=r"[^\W\d][\w$]*|\$[\w$]*",
                word_chars="_$",
                blocks=(("/*", "*/"), ("`", "`")),
            ),
            _family(
                "go",
                comments=_C_COMMENTS,
                comment_prefixes=("//", "/*"),
                strings=(_DQ, _SQ, _BACKTICK),
                ops=(*_C_OPS, "<-", "&^", "&^="),
                keywords=_C_KEYWORDS,
                quotes="\"'`",
                blocks=(("/*", "*/"), ("`", "`")),
            ),
            _family(
                "rust",
                comments=_C_COMMENTS,
                comment_prefixes=("//", "/*"),
                strings=(
                    r'b?r#+"[\s\S]*?"#+',
                    rf"b?{_DQ}",
                    r"b?'(?:[^'\\\n]|\\[^\n][^'\n]{0,8})'",
                    r"'[^\W\d]\w*(?!')",
                ),
                ops=_C_OPS,
                keywords=_C_KEYWORDS,
                quotes="\"'#",
            ),
            _family(
                "ruby",
                comments=(_HASH_COMMENT,),
                comment_prefixes=("#",),
                strings=(_DQ, _SQ, _BACKTICK, r":[^\W\d]\w*[?!]?(?!:)"),
                ops=_RUBY_OPS,
                keywords=_RUBY_KEYWORDS,
                quotes="\"'`",
                openers=("{", "do", "then", "|"),
                ident=r"(?:@@?|\$)?[^\W\d]\w*(?:[?!](?!=))?",
                word_chars="_@$?!",
                blocks=(("=begin", "=end"),),
                member=(".", "::", "&."),
            ),
            _family(
                "lua",
                comments=(
                    r"--\[\[[\s\S]*?(?:\]\]|\Z)",
                    r"--\[=\[[\s\S]*?(?:\]=\]|\Z)",
                    r"--[^\n]*",
                ),
                comment_prefixes=("--",),
                strings=(_DQ, _SQ, r"\[\[[\s\S]*?(?:\]\]|\Z)", r"\[=\[[\s\S]*?(?:\]=\]|\Z)"),
                ops=_LUA_OPS,
                keywords=_LUA_KEYWORDS,
                quotes="\"']",
                openers=("{", "do", "then", ")"),
                blocks=(("[[", "]]"),),
                member=(".", ":"),
            ),
            _family(
                "shell",
                comments=(r"(?<![^\s;|&(])#[^\n]*",),
                comment_prefixes=("#",),
                strings=(_DQ, _SQ, _BACKTICK),
                ops=_SHELL_OPS,
                keywords=_SHELL_KEYWORDS,
                quotes="\"'`",
                openers=("{", "then", "do", "in"),
                extra=(r"\$\{[^}\n]*\}|\$[A-Za-z_]\w*|\$[0-9#?@*$!-]",),
                ident=r"-{0,2}[^\W\d][\w.-]*\w|-{0,2}[^\W\d]",
                word_chars="_$.-",
                blocks=(),
                member=(),
            ),
            _family(
                "php",
                comments=(*_C_COMMENTS, r"#(?!\[)[^\n]*"),
                comment_prefixes=("//", "/*", "#"),
                strings=(_DQ, _SQ),
                ops=_PHP_OPS,
                keywords=_PHP_KEYWORDS,
                quotes="\"'",
                extra=(r"\$[^\W\d]\w*",),
                word_chars="_$",
                member=("->", "::", "?->"),
            ),
        )
    }
)

LANGUAGE_FAMILIES: Mapping[str, str] = MappingProxyType(
    {
        "python": "python",
        "c": "c",
        "cpp": "c",
        "c_sharp": "c",
        "csharp": "c",
        "java": "c",
        "kotlin": "c",
        "scala": "c",
        "swift": "c",
        "dart": "c",
        "objc": "c",
        "javascript": "ecma",
        "typescript": "ecma",
        "tsx": "ecma",
        "javascriptreact": "ecma",
        "typescriptreact": "ecma",
        "go": "go",
        "rust": "rust",
        "ruby": "ruby",
        "lua": "lua",
        "bash": "shell",
        "shell": "shell",
        "sh": "shell",
        "zsh": "shell",
        "php": "php",
    }
)
"""Language name → family. Unknown languages fall back to the C-like family."""

MODEL_GROUPS: Mapping[str, str] = MappingProxyType(
    {
        "javascript": "ecma",
        "typescript": "ecma",
        "tsx": "ecma",
        "javascriptreact": "ecma",
        "typescriptreact": "ecma",
        "c": "c",
        "cpp": "c",
        "objc": "c",
        "bash": "shell",
        "shell": "shell",
        "sh": "shell",
        "zsh": "shell",
    }
)
"""Languages that share one workspace model (their files teach each other)."""


def family_for(language: str) -> Family:
    return FAMILIES[LANGUAGE_FAMILIES.get(language, "c")]


def model_group(language: str) -> str:
    return MODEL_GROUPS.get(language, language)


def resume_point(text: str, start: int, family: Family) -> int:
    """A line break at or after `start` that is outside multi-line strings and comments.

    Lexing from there gives the same tokens as lexing the whole text would (bar rare quirks
    such as a delimiter inside a line comment). `len(text)` if there is none.
    """
    for opening, closing in family.blocks:
        if opening == closing:
            inside = text.count(opening, 0, start) % 2 == 1
        else:
            inside = text.rfind(opening, 0, start) > text.rfind(closing, 0, start)
        if inside:
            end = text.find(closing, start)
            start = len(text) if end < 0 else end + len(closing)
    found = text.find("\n", start)
    return found if found >= 0 else len(text)


def lex(text: str, family: Family, *, bos: bool = True) -> list[str]:
    """The token stream of a whole file (or any text starting at a line start)."""
    tokens = _assemble(family.findall(text), family, bos=bos)
    if tokens and tokens[-1] not in LINE_ENDS:
        tokens.append(NEWLINE)
    return tokens


def _assemble(raws: Iterable[str], family: Family, *, bos: bool) -> list[str]:
    out: list[str] = [BOS] if bos else []
    append = out.append
    comments = family.comments
    comment_starts = {c[0] for c in comments}
    quotes = family.quotes
    openers = family.brackets
    closers = family.closers
    stack: list[int] = []
    depth = 0
    pending = -1
    started = False
    for tok in raws:
        c = tok[0]
        if c == "\n":
            pending = len(tok) - 1 + 3 * tok.count("\t")
            continue
        if c in comment_starts and tok.startswith(comments):
            continue
        if pending >= 0:
            if not started:
                stack.append(pending)
            elif depth:
                append(NL)
            else:
                append(NEWLINE)
                top = stack[-1]
                if pending > top:
                    stack.append(pending)
                    append(INDENT)
                elif pending < top:
                    while pending < stack[-1]:
                        stack.pop()
                        append(DEDENT)
                        if not stack:
                            break
                    if not stack or pending > stack[-1]:
                        stack.append(pending)
            pending = -1
        elif not started:
            stack.append(0)
        started = True
        if c in openers:
            depth += 1
        elif c in closers:
            if depth:
                depth -= 1
        elif (
            tok[-1] in quotes
            and len(tok) > 1
            and (len(tok) > MAX_STRING or "\n" in tok)
            and not c.isdigit()
        ):
            tok = STRING
        append(tok)
    if pending >= 0 and started and not depth:
        # The text ends in a line break plus indentation: the cursor sits at the start of a
        # line, so its indentation already tells INDENT/DEDENT.
        append(NEWLINE)
        top = stack[-1]
        if pending > top:
            append(INDENT)
        elif pending < top:
            while stack and pending < stack[-1]:
                stack.pop()
                append(DEDENT)
    elif pending >= 0 and started:
        append(NL)
    return out


@dataclass(frozen=True, slots=True)
class CursorTokens:
    """The tokens before the cursor, and the token the cursor is in the middle of (if any)."""

    tokens: list[str]
    partial: str
    """Text of the last token when the cursor touches it (it may still grow); else ""."""
    in_string: bool = False
    """The partial token is an unterminated one-line string literal."""


def lex_cursor(text: str, family: Family, *, at_file_start: bool) -> CursorTokens | None:
    """Lex the text before the cursor; None when the cursor is inside a comment or long string.

    `text` should start at a line start (the decoder passes the prefix's tail).
    """
    raws = family.findall(text)
    partial = ""
    in_string = False
    if raws:
        last = raws[-1]
        touching = last[0] != "\n" and text.endswith(last)
        if touching:
            if last.startswith(family.comments):
                if not (last.startswith("/*") and last.endswith("*/") and len(last) >= 4):
                    return None
                touching = False
            else:
                state = _string_state(last, family)
                if state == "open-long":
                    return None
                in_string = state == "open"
        if touching:
            partial = last
            raws.pop()
    tokens = _assemble(raws, family, bos=at_file_start)
    if partial and not in_string and (len(partial) > MAX_STRING and partial[-1] in family.quotes):
        return None
    return CursorTokens(tokens, partial, in_string)


def _string_state(tok: str, family: Family) -> str:
    """ "" for non-strings; "closed", "open" (one line) or "open-long" for string literals."""
    quote_at = _quote_index(tok, family)
    if quote_at < 0:
        return ""
    body = tok[quote_at:]
    q = body[0]
    if body.startswith((q * 3,)) and q in "\"'" and family.name == "python":
        return "closed" if len(body) >= 6 and body.endswith(q * 3) else "open-long"
    if q in "`[":
        closing = "`" if q == "`" else "]]"
        return "closed" if len(body) >= 2 and body.endswith(closing) else "open-long"
    if len(body) >= 2 and body.endswith(q) and not body.endswith("\\" + q):
        return "closed"
    if len(body) >= 3 and body.endswith(q) and body.endswith("\\\\" + q):
        return "closed"
    return "open"


def _quote_index(tok: str, family: Family) -> int:
    """Index of the opening quote if `tok` is a string literal (after any prefix), else -1."""
    for i, ch in enumerate(tok[:4]):
        if ch in "\"'`":
            return i
        if not (ch.isalpha() or ch in "@$#"):
            return -1
    if family.name == "lua" and tok.startswith("[["):
        return 0
    return -1


def is_word(tok: str, family: Family) -> bool:
    """Identifiers, keywords and numbers: tokens that need a space between them."""
    c = tok[0]
    return (
        c.isalnum() or c in family.word_chars or (c == "-" and len(tok) > 1 and tok[-1].isalnum())
    )


def kind_of(tok: str, family: Family) -> str:
    """A spacing class: the token itself for keywords/operators/punctuation, else ID/NUM/STR."""
    if tok in family.keywords or tok in SPECIAL:
        return tok
    c = tok[0]
    if _quote_index(tok, family) >= 0 or (c == "<" and _HEADER.fullmatch(tok)):
        return "STR"
    if c.isdigit():
        return "NUM"
    if c.isalpha() or c in family.word_chars:
        return "ID"
    if c == "-" and len(tok) > 2 and tok[-1].isalnum():
        return "ID"
    return tok
