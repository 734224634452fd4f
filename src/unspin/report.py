"""Result types and their renderings: native JSON, LanguageTool JSON, HTML.

Every edit says where it is (code-point offsets into the caller's string), what it proposes,
how sure it is and why, so a reviewer can defend a verdict and `apply_edits` can replay it.
"""
from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, field
from typing import Iterable, Sequence

from . import __version__

#: Rule ids, their LanguageTool category and a short description (stable: clients key on them).
RULES = {
    "KNOWN_TORTURED_PHRASE": ("TORTURED_PHRASES", "A catalogued tortured phrase (Problematic Paper Screener)"),
    "SPUN_PHRASE": ("MACHINE_SPINNING", "An unusual synonym where the usual phrase is far more natural"),
    "SPINNER_REWRITE": ("MACHINE_SPINNING", "A typical article-spinner rewrite of a common phrase"),
}


@dataclass(frozen=True)
class Edit:
    """One flagged span and its proposed original wording."""

    start: int                      # code-point offset into the input, inclusive
    end: int                        # code-point offset, exclusive
    text: str                       # the flagged text, == input[start:end]
    replacements: tuple[str, ...]   # best first
    confidence: float               # calibrated probability that the first replacement is right
    rule: str                       # a key of RULES
    source: str                     # "model", "rule", "fingerprint:pps", "fingerprint:<list>"
    message: str

    def to_dict(self) -> dict:
        d = asdict(self)
        d["replacements"] = list(self.replacements)
        d["confidence"] = round(self.confidence, 4)
        return d


@dataclass(frozen=True)
class Report:
    """What `check` found in one document."""

    text: str
    score: float                    # probability that the document is machine-spun
    verdict: str                    # "spun" | "clean" | "uncertain"
    words: int
    edits: tuple[Edit, ...] = field(default_factory=tuple)

    @property
    def restored(self) -> str:
        return apply_edits(self.text, self.edits)

    def to_dict(self, restored: bool = True) -> dict:
        d = {
            "unspin_version": __version__,
            "score": round(self.score, 4),
            "verdict": self.verdict,
            "words": self.words,
            "edits": [e.to_dict() for e in self.edits],
        }
        if restored:
            d["restored"] = self.restored
        return d

    def to_json(self, restored: bool = True, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(restored), ensure_ascii=False, indent=indent)

    def to_languagetool(self, language: str = "en-US") -> dict:
        return languagetool_response(self, language)

    def to_html(self, title: str = "unspin report") -> str:
        return html_report(self, title)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Replace every edit's span by its first replacement; edits must not overlap."""
    out, pos = [], 0
    for e in sorted(edits, key=lambda e: e.start):
        if e.start < pos:
            raise ValueError(f"edits overlap at offset {e.start}")
        if not e.replacements:
            continue
        out.append(text[pos:e.start])
        out.append(e.replacements[0])
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


def utf16_offsets(text: str) -> list[int]:
    """UTF-16 code-unit offset of every code point (and of the end), as LanguageTool counts."""
    offsets, unit = [0] * (len(text) + 1), 0
    for i, ch in enumerate(text):
        offsets[i] = unit
        unit += 2 if ord(ch) > 0xFFFF else 1
    offsets[len(text)] = unit
    return offsets


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = max(text.rfind(c, 0, start) for c in ".!?\n") + 1
    rights = [i for i in (text.find(c, end) for c in ".!?\n") if i != -1]
    right = min(rights) + 1 if rights else len(text)
    return left, min(right, len(text))


def languagetool_response(report: Report, language: str = "en-US",
                          rules: Sequence[str] | None = None) -> dict:
    """The body LanguageTool's /v2/check returns, offsets in UTF-16 code units."""
    text, u16 = report.text, utf16_offsets(report.text)
    matches = []
    for e in report.edits:
        if rules is not None and e.rule not in rules:
            continue
        category, description = RULES.get(e.rule, ("MACHINE_SPINNING", e.rule))
        c0, c1 = max(0, e.start - 40), min(len(text), e.end + 40)
        s0, s1 = _sentence_bounds(text, e.start, e.end)
        matches.append({
            "message": e.message,
            "shortMessage": "Tortured phrase" if e.rule == "KNOWN_TORTURED_PHRASE" else "Machine-spun",
            "offset": u16[e.start],
            "length": u16[e.end] - u16[e.start],
            "replacements": [{"value": r} for r in e.replacements],
            "context": {"text": text[c0:c1], "offset": u16[e.start] - u16[c0],
                        "length": u16[e.end] - u16[e.start]},
            "sentence": text[s0:s1].strip(),
            "rule": {"id": e.rule, "description": description, "issueType": "style",
                     "category": {"id": category, "name": category.replace("_", " ").title()},
                     "confidence": round(e.confidence, 4), "source": e.source},
            "type": {"typeName": "Other"},
            "ignoreForIncompleteSentence": False,
            "contextForSureMatch": 0,
        })
    return {
        "software": {"name": "unspin", "version": __version__, "buildDate": "",
                     "apiVersion": 1, "status": "", "premium": False},
        "language": {"name": "English (US)", "code": language,
                     "detectedLanguage": {"name": "English (US)", "code": language, "confidence": 1.0}},
        "matches": matches,
        "unspin": {"score": round(report.score, 4), "verdict": report.verdict},
    }


def html_report(report: Report, title: str = "unspin report") -> str:
    """A self-contained HTML page: the text with every edit highlighted by confidence."""
    parts, pos = [], 0
    for e in report.edits:
        parts.append(html.escape(report.text[pos:e.start]))
        level = "high" if e.confidence >= 0.8 else "mid" if e.confidence >= 0.5 else "low"
        tip = f"{e.message} (confidence {e.confidence:.2f}, {e.source})"
        parts.append(f'<mark class="{level}" title="{html.escape(tip)}">{html.escape(e.text)}'
                     f'<ins>{html.escape(e.replacements[0] if e.replacements else "")}</ins></mark>')
        pos = e.end
    parts.append(html.escape(report.text[pos:]))
    body = "".join(parts).replace("\n", "<br>\n")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{{font:16px/1.6 system-ui,sans-serif;max-width:50em;margin:2em auto;padding:0 1em}}
mark{{border-radius:3px;padding:0 2px}} mark.high{{background:#f8b4b4}} mark.mid{{background:#fde68a}}
mark.low{{background:#e5e7eb}} ins{{text-decoration:none;color:#065f46;font-size:.85em;margin-left:.3em}}
ins::before{{content:"→ "}} .verdict{{font-weight:bold}}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p class="verdict">Verdict: {report.verdict} (score {report.score:.2f}); {len(report.edits)} flagged spans in {report.words} words.</p>
<div>{body}</div>
</body></html>
"""
