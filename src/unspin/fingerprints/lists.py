"""Fingerprint lists: the packaged Problematic Paper Screener list and users' own TSV files.

A list is a UTF-8 TSV file, one fingerprint a line: `query <TAB> expected [<TAB> num_papers]`,
optionally under a header line starting with `query`. Blank lines and lines starting with
`#` are skipped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from ..inputs import InputError
from .query import Node, QuerySyntaxError, parse_query

PPS_SOURCE = "fingerprint:pps"
PPS_LABEL = "Problematic Paper Screener"

_UNSURE = re.compile(r"\s*(?:\(\?\)|\[\?\]|\?+)\s*")      # "(?)", "[?]", "???", a trailing "?"
_SEE_ALSO = re.compile(r",?\s+see\s+https?://\S+.*$", re.S)
_ASIDE = re.compile(r"(?:^|\s+)(\([^()]*\)|\[[^\[\]]*\])")  # " (BP)", "[neural network] "
_SUFFIX = re.compile(r"(?<=\w)\((\w+)\)")                       # "autist(ic)": autistic


@dataclass(frozen=True)
class Fingerprint:
    """One row of a list: the query, its condition tree and the established wording."""

    query: str              # as written in the list
    condition: Node
    expected: str           # as written in the list (the screener's notes included)
    replacement: str        # the established term alone; "" when the list gives none
    unsure: bool            # the list marks the expected text as a guess ("(?)")
    num_papers: int         # papers the screener had flagged with it (0 when unknown)
    source: str             # "fingerprint:pps" or "fingerprint:<list file stem>"
    line: int               # line number in its list file


def established_term(expected: str, query: str) -> tuple[str, bool]:
    """The replacement text in an expected cell, and whether the list marks it unsure.

    The cells carry notes around the term: "back propagation (BP)", "deep [neural] networks",
    "social influence, see https://…", "rythm pattern (?)". Asides in brackets or parentheses
    are dropped unless the query itself has them ("data technology (IT)").
    """
    text = expected.replace('\\"', '"').strip()
    text = _SEE_ALSO.sub("", text)
    unsure = bool(re.search(r"\(\?\)|\[\?\]|\?\s*$|^\?", text))
    text = _UNSURE.sub(" ", text) if unsure else text
    lowered = query.lower()
    text = _ASIDE.sub(lambda m: m.group() if m.group(1).lower() in lowered else "", text)
    text = _SUFFIX.sub(r"\1", text)
    text = " ".join(text.replace('"', " ").split())
    return text.strip(" ,;:"), unsure


def parse_fingerprint(query: str, expected: str, num_papers: int, source: str,
                      line: int) -> Fingerprint:
    condition = parse_query(query)
    replacement, unsure = established_term(expected, query)
    return Fingerprint(query, condition, expected.replace('\\"', '"'), replacement, unsure,
                       num_papers, source, line)


def read_list(path: str | Path, source: str | None = None) -> list[Fingerprint]:
    """The fingerprints of one TSV list; InputError names the file and line at fault."""
    path = Path(path)
    source = source or f"fingerprint:{path.stem}"
    try:
        content = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such fingerprint list") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory; give a TSV fingerprint list") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: invalid UTF-8 at byte offset {exc.start}; "
                         "save the list as UTF-8") from None
    return parse_list(content, str(path), source)


def parse_list(content: str, name: str, source: str) -> list[Fingerprint]:
    fingerprints = []
    for number, row in enumerate(content.lstrip("\ufeff").splitlines(), 1):
        if not row.strip() or row.startswith("#") or (number == 1 and row.startswith("query\t")):
            continue
        where = f"{name}, line {number}"
        cells = row.split("\t")
        if len(cells) not in (2, 3):
            raise InputError(f"{where}: expected 2 or 3 tab-separated columns "
                             f"(query, expected, num_papers), found {len(cells)}")
        query, expected = cells[0].strip(), cells[1].strip()
        count = cells[2].strip() if len(cells) == 3 else ""
        if not count:
            count = "0"
        if not count.isdigit():
            raise InputError(f"{where}: num_papers must be a whole number, found {count!r}")
        if not expected:
            raise InputError(f"{where}: the expected text is empty (write ??? if unknown)")
        try:
            fp = parse_fingerprint(query, expected, int(count), source, number)
        except QuerySyntaxError as exc:
            raise InputError(f"{where}: bad query {query!r}: {exc}") from None
        fingerprints.append(fp)
    return fingerprints


def packaged_list() -> list[Fingerprint]:
    """The Problematic Paper Screener list shipped in the package (CC BY 4.0)."""
    content = (files("unspin") / "data" / "pps_fingerprints.tsv").read_text(encoding="utf-8")
    return parse_list(content, "pps_fingerprints.tsv", PPS_SOURCE)
