"""The Problematic Paper Screener query grammar: a fingerprint's text as a boolean tree.

Forms in the packaged list (7,009 rows): a quoted phrase (6,372), `"a" AND "b"` (524),
proximity `"a b"~N` (58), `"a" NOT term` (20), `"a" AND term` with a bare term (17, one of
them the prefix `optimiz*`, one the two bare words `business intelligence`), parenthesised
OR groups (10), longer AND chains, `"a" OR "b"`, `"a" OR "b" AND "c"`, proximity inside
AND/NOT, and one `ADN` typo for AND.

    query   := anyof
    anyof   := allof ("OR" allof)*
    allof   := unit (["AND"] unit | ["AND"] "NOT" unit)*    adjacent units are ANDed
    unit    := "(" anyof ")" | phrase ["~" N] | bare-term
    phrase  := '"' words '"'         bare-term := a word; "optimiz*" matches any ending

AND binds tighter than OR (`"a" OR "b" AND "c"` is a OR (b AND c)), as in most boolean search
engines. `"a b c"~N` holds when the three words occur with at most N other words among them,
in any order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Union

from .view import fold_phrase

OPERATORS = {"AND": "AND", "OR": "OR", "NOT": "NOT", "ADN": "AND"}   # "ADN": a typo in the list

_TOKEN = re.compile(r'\s*(?:"(?P<phrase>[^"]*)"(?:~(?P<slop>\d+))?|(?P<paren>[()])|(?P<bare>[^\s()"]+))')


class QuerySyntaxError(ValueError):
    """A fingerprint query that does not follow the grammar; the message says where."""


@dataclass(frozen=True)
class Term:
    """A phrase, a bare word or prefix, or a proximity group, in folded (lowercase) form."""

    words: tuple[str, ...]
    prefix: bool = False        # the last word matches any word it begins ("optimiz*")
    slop: int | None = None     # proximity: at most `slop` other words among `words`

    @property
    def text(self) -> str:
        return " ".join(self.words)

    @property
    def is_proximity(self) -> bool:
        return self.slop is not None


@dataclass(frozen=True)
class AllOf:
    """Every positive part holds and no negative part does."""

    positive: tuple["Node", ...]
    negative: tuple["Node", ...] = ()


@dataclass(frozen=True)
class AnyOf:
    options: tuple["Node", ...]


Node = Union[Term, AllOf, AnyOf]


def holds(node: Node, present: Callable[[Term], bool]) -> bool:
    """Whether the condition holds, given which terms are present in the document."""
    if isinstance(node, Term):
        return present(node)
    if isinstance(node, AnyOf):
        return any(holds(n, present) for n in node.options)
    return (all(holds(n, present) for n in node.positive)
            and not any(holds(n, present) for n in node.negative))


def anchors(node: Node) -> tuple[Term, ...]:
    """The tortured phrase(s) a fingerprint flags: its leading term, or each OR option's.

    In `"surface region" AND "surface area"` the first operand is the tortured phrase and the
    rest is context the screener requires; in `"a" OR "b"` both are tortured phrases.
    """
    if isinstance(node, Term):
        return (node,)
    if isinstance(node, AnyOf):
        return tuple(t for n in node.options for t in anchors(n))
    return anchors(node.positive[0])


def flagged(node: Node, present: Callable[[Term], bool]) -> tuple[Term, ...]:
    """The anchors of the parts of a holding condition that hold (only OR options differ).

    In `"fit record" OR "fit file" AND "fit index"` with no "fit index" in the document,
    only "fit record" is flagged.
    """
    if isinstance(node, AnyOf):
        return tuple(t for n in node.options if holds(n, present) for t in flagged(n, present))
    return anchors(node)


def terms(node: Node) -> tuple[Term, ...]:
    """Every distinct term of the condition, in order of appearance."""
    if isinstance(node, Term):
        return (node,)
    parts = node.options if isinstance(node, AnyOf) else node.positive + node.negative
    return tuple(dict.fromkeys(t for n in parts for t in terms(n)))


def _term(raw: str, slop: str | None, column: int) -> Term:
    phrase = fold_phrase(raw)
    prefix = phrase.endswith("*")
    if prefix:
        phrase = phrase[:-1].rstrip()
    if not phrase:
        raise QuerySyntaxError(f"empty phrase at column {column}")
    if "*" in phrase:
        raise QuerySyntaxError(f"'*' only works at the end of a term (column {column})")
    words = tuple(phrase.split(" "))
    return Term(words, prefix, int(slop) if slop is not None and len(words) > 1 else None)


def _tokenize(query: str) -> list[tuple[str, object, int]]:
    tokens, pos = [], 0
    query = query.rstrip()
    while pos < len(query):
        m = _TOKEN.match(query, pos)
        if m is None or m.end() == pos:
            column = len(query) - len(query[pos:].lstrip()) + 1
            raise QuerySyntaxError(f"unbalanced double quote at column {column}")
        column = m.start(m.lastgroup) + 1
        if m.group("phrase") is not None:
            tokens.append(("term", _term(m.group("phrase"), m.group("slop"), column), column))
        elif m.group("paren"):
            tokens.append((m.group("paren"), None, column))
        elif m.group("bare") in OPERATORS:
            tokens.append((OPERATORS[m.group("bare")], None, column))
        else:
            bare = m.group("bare")
            if bare.startswith("~"):
                raise QuerySyntaxError(f"'~' must follow a quoted phrase and be followed by a "
                                       f"number (column {column})")
            tokens.append(("term", _term(bare, None, column), column))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, query: str):
        self.tokens = _tokenize(query)
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, object, int]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def anyof(self) -> Node:
        options = [self.allof()]
        while self.peek() == "OR":
            self.take()
            options.append(self.allof())
        return options[0] if len(options) == 1 else AnyOf(tuple(options))

    def allof(self) -> Node:
        positive, negative = [self.unit("the query" if self.i == 0 else "OR")], []
        while self.peek() in ("AND", "NOT", "term", "("):
            kind = self.peek()
            if kind == "AND":
                self.take()
                kind = self.peek() if self.peek() == "NOT" else "AND"
            if kind == "NOT":
                self.take()
                negative.append(self.unit("NOT"))
            else:
                positive.append(self.unit("AND"))
        if len(positive) == 1 and not negative:
            return positive[0]
        return AllOf(tuple(positive), tuple(negative))

    def unit(self, after: str) -> Node:
        kind = self.peek()
        if kind is None:
            raise QuerySyntaxError(f"{after} needs a term after it" if after != "the query"
                                   else "empty query")
        kind, value, column = self.take()
        if kind == "term":
            return value
        if kind == "(":
            inner = self.anyof()
            if self.peek() != ")":
                raise QuerySyntaxError(f"'(' at column {column} is never closed")
            self.take()
            return inner
        if kind == "NOT":
            raise QuerySyntaxError(f"NOT at column {column} needs a term before it "
                                   "(write: \"phrase\" NOT \"other phrase\")")
        raise QuerySyntaxError(f"unexpected {kind} at column {column}")


def parse_query(query: str) -> Node:
    """Parse one fingerprint query; raises QuerySyntaxError naming the column at fault."""
    parser = _Parser(query)
    node = parser.anyof()
    if parser.peek() is not None:
        kind, _, column = parser.take()
        raise QuerySyntaxError(f"unexpected {kind} at column {column}")
    return node
