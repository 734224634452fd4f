"""Known tortured phrases: the Problematic Paper Screener list and users' own lists.

`FingerprintIndex.load(lists)` compiles every fingerprint once; `find(text)` returns the
non-overlapping `KNOWN_TORTURED_PHRASE` edits for one document. `query` holds the grammar,
`lists` the TSV format, `view` the folded text the automaton runs over, `index` the matching.
"""
from .index import FingerprintIndex, Hit, match_case
from .lists import Fingerprint, established_term, packaged_list, read_list
from .query import QuerySyntaxError, parse_query

__all__ = ["FingerprintIndex", "Fingerprint", "Hit", "QuerySyntaxError", "established_term",
           "match_case", "packaged_list", "parse_query", "read_list"]
