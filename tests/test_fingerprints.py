"""Known tortured phrases: the query grammar, the packaged PPS list, matching and user lists."""
from __future__ import annotations

import itertools
import re
from importlib.resources import files

import pytest

from unspin.fingerprints import FingerprintIndex, QuerySyntaxError, packaged_list, parse_query
from unspin.fingerprints.query import AllOf, AnyOf, Term, anchors, terms
from unspin.inputs import InputError
from unspin.report import apply_edits

FILLER = "zqx"      # a word no fingerprint mentions


@pytest.fixture(scope="module")
def index() -> FingerprintIndex:
    return FingerprintIndex.load()


@pytest.fixture(scope="module")
def fingerprints():
    return packaged_list()


def packaged_rows() -> list[str]:
    content = (files("unspin") / "data" / "pps_fingerprints.tsv").read_text(encoding="utf-8")
    return [row.split("\t")[0] for row in content.splitlines()[1:]]


# -- the grammar ----------------------------------------------------------------------------

def test_every_row_of_the_packaged_list_parses():
    rows = packaged_rows()
    assert len(rows) == 7009
    shapes = {type(parse_query(q)).__name__ for q in rows}
    assert shapes == {"Term", "AllOf", "AnyOf"}
    assert len(packaged_list()) == 7009


def test_the_list_uses_every_form_the_grammar_knows():
    nodes = [parse_query(q) for q in packaged_rows()]
    all_terms = [t for n in nodes for t in terms(n)]
    assert sum(isinstance(n, Term) and not n.is_proximity for n in nodes) == 6372
    assert sum(isinstance(n, Term) and n.is_proximity for n in nodes) == 58
    assert any(t.prefix for t in all_terms)                       # optimiz*
    assert any(isinstance(n, AllOf) and n.negative for n in nodes)
    assert any(isinstance(n, AllOf) and any(isinstance(p, AnyOf) for p in n.positive) for n in nodes)


@pytest.mark.parametrize("query, tree", [
    ('"Neural  Organization"', Term(("neural", "organization"))),
    ('"gatherings clustering"~10', Term(("gatherings", "clustering"), slop=10)),
    ('"surface region" AND "surface area"',
     AllOf((Term(("surface", "region")), Term(("surface", "area"))))),
    ('"surface highlights" NOT specular',
     AllOf((Term(("surface", "highlights")),), (Term(("specular",)),))),
    ('"enhancement calculation" AND optimiz*',
     AllOf((Term(("enhancement", "calculation")), Term(("optimiz",), prefix=True)))),
    ('"business knowledge" AND business intelligence',
     AllOf((Term(("business", "knowledge")), Term(("business",)), Term(("intelligence",))))),
    ('"a b" AND ("c" OR "d e")',
     AllOf((Term(("a", "b")), AnyOf((Term(("c",)), Term(("d", "e"))))))),
    ('"fit record" OR "fit file" AND "fit index"',      # AND binds tighter than OR
     AnyOf((Term(("fit", "record")), AllOf((Term(("fit", "file")), Term(("fit", "index"))))))),
    ('"x y" AND NOT "z"', AllOf((Term(("x", "y")),), (Term(("z",)),))),
    ('"total national production" ADN "GDP"',          # the list's one typo
     AllOf((Term(("total", "national", "production")), Term(("gdp",))))),
    ('"Chime labs" NOT "CHIMe labs Stanford"~5',
     AllOf((Term(("chime", "labs")),), (Term(("chime", "labs", "stanford"), slop=5),))),
])
def test_parse_tree(query, tree):
    assert parse_query(query) == tree


def test_anchors_are_the_tortured_phrases():
    assert [t.text for t in anchors(parse_query('"surface region" AND "surface area"'))] == ["surface region"]
    assert [t.text for t in anchors(parse_query('"a b" OR "c d"'))] == ["a b", "c d"]
    assert [t.text for t in anchors(parse_query('"p q" AND ("r" OR "s") NOT "t"'))] == ["p q"]


@pytest.mark.parametrize("query, error", [
    ("", "empty query"),
    ('"neural organization', "unbalanced double quote at column 1"),
    ('"a" AND "b', "unbalanced double quote at column 9"),
    ('NOT "a"', "needs a term before it"),
    ('"a" AND', "AND needs a term after it"),
    ('"a" OR', "OR needs a term after it"),
    ('("a" OR "b"', "never closed"),
    ('"a")', "unexpected ) at column 4"),
    ('"a b" ~3', "'~' must follow a quoted phrase"),
    ('""', "empty phrase"),
    ('"a*b"', "'*' only works at the end"),
])
def test_syntax_errors_say_where(query, error):
    with pytest.raises(QuerySyntaxError, match=re.escape(error)):
        parse_query(query)


# -- must flag / must leave (the packaged list) ---------------------------------------------

MUST_FLAG = [
    # text, flagged span, first replacement, confidence
    ("Our neural organization was trained for ten epochs.", "neural organization", "neural network", 0.95),
    ("Hospitals now apply counterfeit consciousness to triage.", "counterfeit consciousness",
     "artificial intelligence", 0.95),
    ("the neural\n      organization converged", "neural\n      organization", "neural network", 0.95),
    ("Neural Organization Models", "Neural Organization", "Neural Network", 0.95),
    ("NEURAL ORGANIZATION", "NEURAL ORGANIZATION", "NEURAL NETWORK", 0.95),
    ("Neural organization is popular.", "Neural organization", "Neural network", 0.95),
    ("We fit an arbitrary woodland to the data.", "arbitrary woodland", "random forest", 0.95),
    ("The catalyst's surface region was large, so the surface area was measured twice.",
     "surface region", "surface area", 0.95),
    ("Patients with Alzheimer’s illness were enrolled.", "Alzheimer’s illness", "Alzheimer's disease", 0.95),
    ("A profound neural organization beats shallow ones.", "profound neural organization",
     "deep neural network", 0.95),
    ("The cadence design of the poem is regular.", "cadence design", "rythm pattern", 0.6),
    ("(huge information)", "huge information", "big data", 0.95),
    ("Its enhancement calculation speeds up optimization.", "enhancement calculation",
     "optimization algorithm", 0.95),
]

MUST_LEAVE = [
    "Our neural network was trained for ten epochs.",
    "The catalyst's surface region was large.",                 # AND: no "surface area"
    "Magnetic cell separation with MACS beads was used.",       # NOT "with MACS"
    "Specular surface highlights appear on wet roads.",         # NOT specular
    "Its enhancement calculation was slow.",                    # AND optimiz*: absent
    "Aneural organizations differ.",                            # not at a word start
    "The neural organizationally distinct parts.",              # not at a word end
    "Engines need fuel.",
]


@pytest.mark.parametrize("text, span, replacement, confidence", MUST_FLAG)
def test_must_flag(index, text, span, replacement, confidence):
    edits = index.find(text)
    assert [e.text for e in edits] == [span]
    e = edits[0]
    assert text[e.start:e.end] == span and e.start == text.index(span)
    assert e.replacements[0] == replacement
    assert e.confidence == confidence
    assert e.rule == "KNOWN_TORTURED_PHRASE" and e.source == "fingerprint:pps"
    assert "Problematic Paper Screener, seen in" in e.message and "papers" in e.message


@pytest.mark.parametrize("text", MUST_LEAVE)
def test_must_leave(index, text):
    assert index.find(text) == []


def test_message_names_the_established_term(index):
    (edit,) = index.find("The neural organization converged.")
    assert edit.message.startswith("Tortured phrase; the established term is “neural network” "
                                   "(Problematic Paper Screener, seen in ")


def test_no_established_term_gives_no_replacement(index):
    (edit,) = index.find("They argue for transformative climate adaptation.")
    assert edit.replacements == () and edit.confidence == 0.6
    assert "gives no established term" in edit.message


def test_offsets_after_emoji_cjk_rtl_and_combining_marks(index):
    prefix = "👩‍🔬🧪 研究者は 말했다 שלום e\u0301te\u0301 — \U0001F600 "
    text = prefix + "the  neural\torganization\u00a0and   counterfeit\nconsciousness. 日本"
    edits = index.find(text)
    assert [e.text for e in edits] == ["neural\torganization", "counterfeit\nconsciousness"]
    assert edits[0].start == text.index("neural\torganization")
    assert edits[1].start == text.index("counterfeit")
    assert all(text[e.start:e.end] == e.text for e in edits)
    assert apply_edits(text, edits) == prefix + "the  neural network\u00a0and   artificial intelligence. 日本"


def test_a_combining_mark_is_part_of_the_word(index):
    assert index.find("huge informatione\u0301 here") == []


def test_output_never_overlaps_and_prefers_longer(index):
    text = "A profound neural organization and a neural organization and huge information."
    edits = index.find(text)
    assert [e.text for e in edits] == ["profound neural organization", "neural organization",
                                       "huge information"]
    assert all(a.end <= b.start for a, b in zip(edits, edits[1:]))
    assert apply_edits(text, edits) == "A deep neural network and a neural network and big data."


# -- every AND / NOT / OR fingerprint: fires exactly where its condition holds ------------

def _render(term: Term) -> str:
    words = list(term.words)
    if term.prefix:
        words[-1] += "ation"
    return " ".join(words)


def _occurs(term: Term, doc: str) -> bool:
    """Independent of the index: a regex over the lowercased document."""
    tail = r"" if term.prefix else r"(?!\w)"
    if term.slop is None:
        return re.search(r"(?<!\w)" + re.escape(term.text) + tail, doc.lower()) is not None
    tokens = doc.lower().split()
    where = [[i for i, t in enumerate(tokens) if t.strip(".,;") == w] for w in term.words]
    for combo in itertools.product(*where):
        if len(set(combo)) == len(combo) and max(combo) - min(combo) - (len(combo) - 1) <= term.slop:
            return True
    return False


def _truth(node, doc: str) -> bool:
    if isinstance(node, Term):
        return _occurs(node, doc)
    if isinstance(node, AnyOf):
        return any(_truth(n, doc) for n in node.options)
    return all(_truth(n, doc) for n in node.positive) and not any(_truth(n, doc) for n in node.negative)


def test_every_boolean_fingerprint_fires_exactly_where_its_condition_holds(index):
    boolean = [(n, fp) for n, fp in enumerate(index.fingerprints) if not isinstance(fp.condition, Term)]
    assert len(boolean) > 570
    documents = held = failed_with_anchor = 0
    for number, fp in boolean:
        parts = terms(fp.condition)
        for chosen in itertools.product((False, True), repeat=len(parts)):
            doc = f" {FILLER} {FILLER}. ".join(
                [_render(t) for t, on in zip(parts, chosen) if on] + [FILLER])
            expected = _truth(fp.condition, doc)
            hits = index.hits(doc)
            fired = any(h.number == number for h in hits)
            assert fired == expected, (fp.query, doc)
            documents += 1
            held += expected
            if not expected and any(_occurs(a, doc) for a in anchors(fp.condition)):
                failed_with_anchor += 1
                assert not any(h.number == number for h in hits)
            if expected:
                assert index.find(doc), (fp.query, doc)
    # Both sides were really exercised: the tortured phrase present yet the condition false.
    assert held > len(boolean) and failed_with_anchor > len(boolean)
    assert documents > 4 * len(boolean) - 1


def test_only_the_or_options_that_hold_are_flagged(index):
    (number,) = [n for n, fp in enumerate(index.fingerprints)
                 if fp.query == '"fit record" OR "fit file" AND "fit index"']

    def flagged(doc: str) -> list[str]:
        return [doc[h.start:h.end] for h in index.hits(doc) if h.number == number]

    assert flagged("A fit record and a fit file.") == ["fit record"]
    assert flagged("A fit file, the fit index.") == ["fit file"]
    assert flagged("A fit record, a fit file, the fit index.") == ["fit record", "fit file"]
    assert flagged("Only a fit file here.") == []


# -- proximity ------------------------------------------------------------------------------

def _spread(words: tuple[str, ...], gap: int) -> str:
    """The words with `gap` filler words spread among them (as evenly as possible)."""
    slots = [gap // (len(words) - 1) + (i < gap % (len(words) - 1)) for i in range(len(words) - 1)]
    out = [words[0]]
    for word, n in zip(words[1:], slots):
        out += [FILLER] * n + [word]
    return "The " + " ".join(out) + " end."


def test_every_proximity_fingerprint_honours_its_distance(index):
    proximity = [(n, fp) for n, fp in enumerate(index.fingerprints)
                 if isinstance(fp.condition, Term) and fp.condition.is_proximity]
    assert len(proximity) == 58
    for number, fp in proximity:
        term = fp.condition
        for gap, fires in ((0, True), (term.slop, True), (term.slop + 1, False)):
            hits = index.hits(_spread(term.words, gap))
            assert any(h.number == number for h in hits) == fires, (fp.query, gap)
        # any order within the distance
        hits = index.hits(_spread(term.words[::-1], term.slop))
        assert any(h.number == number for h in hits), fp.query


def test_adjacent_proximity_words_are_replaced_loose_ones_only_flagged(index):
    (tight,) = index.find("The exactness accuracy was high.")
    assert tight.text == "exactness accuracy" and tight.replacements == ("accuracy",)
    text = "Bunching (in other words clustering) groups the points."
    (loose,) = index.find(text)
    assert loose.text == "Bunching (in other words clustering"
    assert loose.replacements == () and loose.confidence == 0.95
    assert "near its established term" in loose.message
    assert apply_edits(text, [loose]) == text


def test_proximity_inside_not(index):
    assert [e.text for e in index.find("Chime labs opened.")] == ["Chime labs"]
    assert index.find("Chime labs at Stanford opened.") == []          # within 5 words
    far = "Chime labs " + " ".join([FILLER] * 6) + " Stanford."
    assert [e.text for e in index.find(far)] == ["Chime labs"]


# -- user lists -----------------------------------------------------------------------------

def test_user_list(tmp_path):
    path = tmp_path / "lab_terms.tsv"
    path.write_text(
        "query\texpected\tnum_papers\n"
        "# our own catalogue\n"
        '"quantum hoop"\tquantum loop\t3\n'
        '"woolly gathering" AND "fuzzy"\tfuzzy set (?)\t\n'
        '"neural organization"\tneural net\t1\n', encoding="utf-8")
    index = FingerprintIndex.load((str(path),))
    assert len(index) == 7009 + 3
    text = "A quantum hoop, a woolly gathering and a Neural organization."
    edits = index.find(text)
    assert [(e.text, e.replacements, e.source) for e in edits] == [
        ("quantum hoop", ("quantum loop",), "fingerprint:lab_terms"),
        ("Neural organization", ("Neural net",), "fingerprint:lab_terms"),   # the user's list wins
    ]
    assert "(list lab_terms, seen in 3 papers)" in edits[0].message
    (fuzzy,) = [e for e in index.find("A woolly gathering is a fuzzy idea.") if e.source != "fingerprint:pps"]
    assert fuzzy.replacements == ("fuzzy set",) and fuzzy.confidence == 0.6
    assert "seen in" not in fuzzy.message


@pytest.mark.parametrize("row, error", [
    ('"quantum hoop"', "line 2: expected 2 or 3 tab-separated columns"),
    ('"quantum hoop\tquantum loop\t3', "line 2: bad query '\"quantum hoop': unbalanced double quote"),
    ('"quantum hoop" AND\tquantum loop\t3', "line 2: bad query"),
    ('"quantum hoop"\tquantum loop\tmany', "line 2: num_papers must be a whole number"),
    ('"quantum hoop"\t\t3', "line 2: the expected text is empty"),
])
def test_malformed_user_list_names_file_and_line(tmp_path, row, error):
    path = tmp_path / "broken.tsv"
    path.write_text('"fine phrase"\tgood phrase\t1\n' + row + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(f"{path}, {error}")):
        FingerprintIndex.load((str(path),))


def test_missing_or_undecodable_user_list(tmp_path):
    with pytest.raises(InputError, match="no such fingerprint list"):
        FingerprintIndex.load((str(tmp_path / "absent.tsv"),))
    bad = tmp_path / "latin1.tsv"
    bad.write_bytes('"caf\xe9 phrase"\tx\t1\n'.encode("latin-1"))
    with pytest.raises(InputError, match="invalid UTF-8 at byte offset 4"):
        FingerprintIndex.load((str(bad),))
