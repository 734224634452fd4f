"""Gold-standard spun documents and their two file formats.

JSONL (what `unspin spin` writes), one document per line:

    {"id": "news:3", "original": "...", "spun": "...", "meta": {...},
     "edits": [{"start": 4, "end": 15, "original_start": 4, "original_end": 9,
                "text": "White Home", "replacement": "White House",
                "alternatives": [], "optional": false, "kind": "word"}]}

`start`/`end` are code points in `spun`, `original_start`/`original_end` in `original`;
replacing every edit's span of `spun` by its `replacement` gives `original` exactly.
`alternatives` (other acceptable restorations) and `optional` (leaving the span as it is is
also right) may be omitted. A record without edits is a clean document.

Inline (files ending in `.annot.txt`), for annotating by hand:

    The [White Home=>White House] [mentioned=>said|stated] on [Monday=>=] ...

`[spun words=>original|alternative|=]`: each bracket is one gold span; `=` among the
alternatives means leaving the span unchanged is acceptable too. `\\[`, `\\]`, `\\|` and
`\\\\` write the characters themselves. Documents are separated by a line holding only `---`;
a document without brackets is a clean document.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..inputs import InputError


@dataclass(frozen=True)
class GoldEdit:
    """One spun span and the original wording it replaced."""

    start: int                  # code points in the spun text
    end: int
    original_start: int         # code points in the original text
    original_end: int
    text: str                   # == spun[start:end]
    replacement: str            # == original[original_start:original_end]
    alternatives: tuple[str, ...] = ()   # other acceptable restorations
    optional: bool = False      # leaving the spun text is acceptable too
    kind: str = ""              # what the spinner did: word, phrase, contraction, article ...

    @property
    def acceptable(self) -> tuple[str, ...]:
        return (self.replacement, *self.alternatives) + ((self.text,) if self.optional else ())

    def to_dict(self) -> dict:
        d = {"start": self.start, "end": self.end, "original_start": self.original_start,
             "original_end": self.original_end, "text": self.text,
             "replacement": self.replacement}
        if self.alternatives:
            d["alternatives"] = list(self.alternatives)
        if self.optional:
            d["optional"] = True
        if self.kind:
            d["kind"] = self.kind
        return d


@dataclass(frozen=True)
class GoldDocument:
    id: str
    original: str
    spun: str
    edits: tuple[GoldEdit, ...]
    meta: dict = field(default_factory=dict, compare=False)

    @property
    def is_spun(self) -> bool:
        return any(not e.optional for e in self.edits)

    def to_dict(self) -> dict:
        return {"id": self.id, "original": self.original, "spun": self.spun,
                "edits": [e.to_dict() for e in self.edits], "meta": self.meta}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    def to_inline(self) -> str:
        return to_inline(self)


def check_document(doc: GoldDocument, where: str) -> None:
    """Raise InputError naming `where` and the first edit that does not replay exactly."""
    out, pos, opos = [], 0, 0
    for n, e in enumerate(doc.edits, 1):
        label = f"{where}: edit {n} ({e.text!r} -> {e.replacement!r})"
        if not (pos <= e.start <= e.end <= len(doc.spun)):
            raise InputError(f"{label}: span {e.start}:{e.end} is out of order or outside the spun text")
        if doc.spun[e.start:e.end] != e.text:
            raise InputError(f"{label}: spun[{e.start}:{e.end}] is {doc.spun[e.start:e.end]!r}, not its text")
        if doc.original[e.original_start:e.original_end] != e.replacement:
            raise InputError(f"{label}: original[{e.original_start}:{e.original_end}] is "
                             f"{doc.original[e.original_start:e.original_end]!r}, not its replacement")
        out.append(doc.spun[pos:e.start])
        if opos + (e.start - pos) != e.original_start:
            raise InputError(f"{label}: original_start {e.original_start} does not follow from "
                             f"the text before it (expected {opos + e.start - pos})")
        out.append(e.replacement)
        opos = e.original_end
        pos = e.end
    out.append(doc.spun[pos:])
    if "".join(out) != doc.original:
        raise InputError(f"{where}: the edits do not reproduce the original text "
                         "(the text outside the edits differs)")


def _edit_from_json(d: dict, where: str) -> GoldEdit:
    try:
        return GoldEdit(int(d["start"]), int(d["end"]), int(d["original_start"]),
                        int(d["original_end"]), str(d["text"]), str(d["replacement"]),
                        tuple(str(a) for a in d.get("alternatives", ())),
                        bool(d.get("optional", False)), str(d.get("kind", "")))
    except KeyError as exc:
        raise InputError(f"{where}: missing field {exc.args[0]!r}") from None
    except (TypeError, ValueError, AttributeError):
        raise InputError(f"{where}: malformed edit {d!r}") from None


def parse_jsonl(text: str, name: str) -> list[GoldDocument]:
    docs = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{name}:{lineno}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(rec, dict) or "spun" not in rec:
            raise InputError(f"{where}: a gold record needs at least a \"spun\" field")
        rid = str(rec.get("id", f"{name}:{lineno}"))
        where = f"{name}:{lineno} (record {rid!r})"
        edits = tuple(_edit_from_json(e, f"{where}: edit {n}")
                      for n, e in enumerate(rec.get("edits") or [], 1))
        original = rec.get("original")
        if original is None:
            if edits:
                raise InputError(f"{where}: has edits but no \"original\" text")
            original = rec["spun"]
        doc = GoldDocument(rid, str(original), str(rec["spun"]), edits, dict(rec.get("meta") or {}))
        check_document(doc, where)
        docs.append(doc)
    return docs


def _escape(s: str) -> str:
    return (s.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
             .replace("|", "\\|"))


def to_inline(doc: GoldDocument) -> str:
    """The inline annotation of a document (escape-safe; round-trips through parse_inline)."""
    out, pos = [], 0
    for e in doc.edits:
        out.append(_escape(doc.spun[pos:e.start]))
        alts = [e.replacement, *e.alternatives] + (["="] if e.optional else [])
        out.append(f"[{_escape(e.text)}=>{'|'.join(_escape(a) for a in alts)}]")
        pos = e.end
    out.append(_escape(doc.spun[pos:]))
    return "".join(out)


class _Cursor:
    """Line and column of each offset, for errors a person can find."""

    def __init__(self, text: str, name: str, first_line: int):
        self.text, self.name, self.first_line = text, name, first_line

    def where(self, i: int) -> str:
        line = self.text.count("\n", 0, i)
        col = i - (self.text.rfind("\n", 0, i) + 1) + 1
        return f"{self.name}:{self.first_line + line}:{col}"


def _parse_inline_document(text: str, cur: _Cursor, doc_id: str) -> GoldDocument:
    spun, original, edits = [], [], []
    slen = olen = 0
    i, n = 0, len(text)

    def plain(ch):
        nonlocal slen, olen
        spun.append(ch)
        original.append(ch)
        slen += len(ch)
        olen += len(ch)

    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            plain(text[i + 1])
            i += 2
        elif ch == "]":
            raise InputError(f"{cur.where(i)}: ']' without a matching '['; write \\] for a literal bracket")
        elif ch == "[":
            open_at = i
            i += 1
            field_, fields, seen_arrow = [], [], False
            while True:
                if i >= n:
                    raise InputError(f"{cur.where(open_at)}: '[' is never closed; "
                                     "a span is written [spun words=>original]")
                c = text[i]
                if c == "\\" and i + 1 < n:
                    field_.append(text[i + 1])
                    i += 2
                    continue
                if c == "[":
                    raise InputError(f"{cur.where(i)}: nested '[' inside the span opened at "
                                     f"{cur.where(open_at)}; spans cannot nest")
                if c == "\n":
                    raise InputError(f"{cur.where(open_at)}: the span opened here runs past the "
                                     "end of the line; close it with ']'")
                if not seen_arrow and text.startswith("=>", i):
                    fields.append("".join(field_))
                    field_, seen_arrow = [], True
                    i += 2
                    continue
                if seen_arrow and c == "|":
                    fields.append("".join(field_))
                    field_ = []
                    i += 1
                    continue
                if c == "]":
                    fields.append("".join(field_))
                    i += 1
                    break
                field_.append(c)
                i += 1
            if not seen_arrow:
                raise InputError(f"{cur.where(open_at)}: span without '=>'; "
                                 "write [spun words=>original]")
            span, alts = fields[0], fields[1:]
            if not span.strip():
                raise InputError(f"{cur.where(open_at)}: empty spun text in a span")
            if any(not a.strip() for a in alts):
                raise InputError(f"{cur.where(open_at)}: empty alternative in a span; "
                                 "use '=' to mean 'leaving it is fine'")
            optional = "=" in alts
            alts = [a for a in alts if a != "="]
            if not alts:
                alts = [span]
            replacement = alts[0]
            edits.append(GoldEdit(slen, slen + len(span), olen, olen + len(replacement), span,
                                  replacement, tuple(alts[1:]), optional or replacement == span,
                                  "inline"))
            spun.append(span)
            original.append(replacement)
            slen += len(span)
            olen += len(replacement)
        else:
            plain(ch)
            i += 1
    return GoldDocument(doc_id, "".join(original), "".join(spun), tuple(edits), {})


def parse_inline(text: str, name: str) -> list[GoldDocument]:
    docs, chunk, start_line = [], [], 1
    for lineno, line in enumerate(text.split("\n") + ["---"], 1):
        if line.strip() != "---":
            chunk.append(line)
            continue
        first = start_line
        while chunk and not chunk[0].strip():      # blank lines around a document are not text
            chunk.pop(0)
            first += 1
        while chunk and not chunk[-1].strip():
            chunk.pop()
        if chunk:
            body = "\n".join(chunk)
            docs.append(_parse_inline_document(body, _Cursor(body, name, first),
                                               f"{name}#{len(docs) + 1}"))
        chunk, start_line = [], lineno + 1
    return docs


def load_gold(path: str, fmt: str = "auto") -> list[GoldDocument]:
    """Read gold documents; `fmt` is "jsonl", "inline" or "auto" (by the file name)."""
    from ..inputs import read_text
    text = read_text(path)
    if fmt == "auto":
        fmt = "inline" if path.endswith(".annot.txt") else "jsonl"
    name = "<stdin>" if path == "-" else path
    docs = parse_inline(text, name) if fmt == "inline" else parse_jsonl(text, name)
    if not docs:
        raise InputError(f"{name}: no documents found")
    return docs
