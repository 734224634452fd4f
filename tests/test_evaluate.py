"""The evaluation toolkit: spinner, gold formats, alignment/metrics, plots and the CLI."""
from __future__ import annotations

import json
import os

import pytest

from unspin import Edit
from unspin.cli import main
from unspin.evaluate.align import align, select_edits
from unspin.evaluate.gold import GoldDocument, check_document, parse_inline, parse_jsonl, to_inline
from unspin.evaluate.metrics import Judged, best_threshold, evaluate, roc_auc
from unspin.evaluate.spinner import Spinner
from unspin.inputs import InputError
from unspin.report import Report

NEWS = ("The company said on Monday that sales in its stores rose by more than five percent "
        "during the last year, because of strong demand for new phones. \"We did not expect "
        "this,\" the chief executive told reporters. An official statement will be published "
        "before the market opens, and investors expect the government to announce a new plan "
        "to support small businesses in the region.")


def replay(doc: GoldDocument) -> str:
    out, pos = [], 0
    for e in doc.edits:
        out += [doc.spun[pos:e.start], e.replacement]
        pos = e.end
    return "".join(out) + doc.spun[pos:]


# -- spinner --------------------------------------------------------------------------------

@pytest.mark.parametrize("style", ["news", "paper", "wordnet"])
def test_spinner_is_deterministic_and_gold_replays(style):
    a = Spinner(style, 0.25, seed=7).spin(NEWS, "d")
    b = Spinner(style, 0.25, seed=7).spin(NEWS, "d")
    assert a == b and a.spun == b.spun
    assert a.edits, "a quarter of the content words should be spun"
    assert a.spun != NEWS and replay(a) == NEWS
    for e in a.edits:
        assert a.spun[e.start:e.end] == e.text
        assert NEWS[e.original_start:e.original_end] == e.replacement
        assert e.text != e.replacement
    check_document(a, "spun")


def test_seed_and_rate_change_the_output():
    base = Spinner("news", 0.25, seed=1).spin(NEWS)
    assert Spinner("news", 0.25, seed=2).spin(NEWS).spun != base.spun
    assert len(Spinner("news", 0.1, seed=1).spin(NEWS).edits) < len(base.edits)
    assert Spinner("news", 0.0, seed=1).spin(NEWS).edits == ()


def test_news_style_does_what_real_spinners_do():
    kinds, texts = set(), set()
    for seed in range(12):
        doc = Spinner("news", 0.6, seed=seed).spin(NEWS)
        kinds |= {k for e in doc.edits for k in e.kind.split("+")}
        texts |= {(e.replacement, e.text) for e in doc.edits}
        inside_quote = [e for e in doc.edits if e.start > doc.spun.index('"') and e.end < doc.spun.index('"', doc.spun.index('"') + 1)]
        if inside_quote:
            kinds.add("quoted")
    assert {"phrase", "word", "contraction", "quoted"} <= kinds
    assert any(orig.lower() == "because of" for orig, _ in texts)      # multi-word rewrite
    assert any(orig == "did not" and spun == "didn't" for orig, spun in texts)


def test_fixed_preferred_synonym_and_inflection():
    spinner = Spinner("news", 1.0, seed=3)
    doc = spinner.spin("The dog is with the dogs, and the dog is by those dogs.")
    swaps = {(e.replacement.lower(), e.text.lower()) for e in doc.edits}
    singular = {s for o, s in swaps if o == "dog"}
    plural = {s for o, s in swaps if o == "dogs"}
    assert len(singular) == 1 and len(plural) == 1       # one fixed choice per word
    assert next(iter(plural)) != next(iter(singular))     # re-inflected, not copied


def test_user_thesaurus(tmp_path):
    th = tmp_path / "th.tsv"
    th.write_text("house\thome\nsay\tmention\n", encoding="utf-8")
    doc = Spinner("wordnet", 1.0, seed=0, thesaurus=str(th)).spin("The White House said no.")
    assert doc.spun == "The White Home mentioned no."
    assert replay(doc) == "The White House said no."


# -- gold formats ---------------------------------------------------------------------------

def test_inline_format_round_trip_and_optional():
    src = "The [White Home=>White House] [mentioned=>said|stated] on [Monday=>=], \\[sic\\]."
    (doc,) = parse_inline(src, "x.annot.txt")
    assert doc.spun == "The White Home mentioned on Monday, [sic]."
    assert doc.original == "The White House said on Monday, [sic]."
    assert [e.optional for e in doc.edits] == [False, False, True]
    assert doc.edits[1].alternatives == ("stated",)
    assert parse_inline(to_inline(doc), "x.annot.txt")[0] == doc
    docs = parse_inline("Clean text.\n---\nA [b=>c].\n", "z")
    assert len(docs) == 2 and not docs[0].is_spun and docs[1].is_spun


@pytest.mark.parametrize("text,where,what", [
    ("ok line\nthe [White Home=>White House", "f.annot.txt:2:5", "never closed"),
    ("a [x=>y|] b", "f.annot.txt:1:3", "empty alternative"),
    ("a [x [y=>z]=>w] b", "f.annot.txt:1:6", "nested"),
    ("a b] c", "f.annot.txt:1:4", "without a matching"),
    ("a [x y] c", "f.annot.txt:1:3", "without '=>'"),
])
def test_inline_errors_name_file_line_and_column(text, where, what):
    with pytest.raises(InputError) as err:
        parse_inline(text, "f.annot.txt")
    assert where in str(err.value) and what in str(err.value)


def test_jsonl_errors_name_record_and_first_bad_edit():
    good = Spinner("news", 0.3, seed=1).spin(NEWS, "rec-1").to_dict()
    assert parse_jsonl(json.dumps(good), "g.jsonl")[0].original == NEWS
    bad = json.loads(json.dumps(good))
    bad["edits"][1]["replacement"] += "x"
    with pytest.raises(InputError) as err:
        parse_jsonl("\n" + json.dumps(bad), "g.jsonl")
    msg = str(err.value)
    assert "g.jsonl:2" in msg and "rec-1" in msg and "edit 2" in msg
    with pytest.raises(InputError, match="not valid JSON"):
        parse_jsonl("{oops", "g.jsonl")


# -- alignment and metrics, on cases computed by hand ---------------------------------------

GOLD = ("The [White Home=>White House] [mentioned=>said|stated] on [Monday=>=] that "
        "[information company=>news agency] staff left.")


def _edit(doc, text, rep, conf=0.9, rule="SPUN_PHRASE", source="model"):
    s = doc.spun.index(text)
    return Edit(s, s + len(text), text, (rep,), conf, rule, source, "")


def test_one_replacement_spanning_two_gold_spans_restores_both():
    (doc,) = parse_inline(GOLD, "g")
    a = align(doc, [_edit(doc, "White Home mentioned", "White House stated")])
    assert [s.status for s in a.spans] == ["restored", "restored", "kept", "missed"]
    assert [e.status for e in a.edits] == ["correct"]


def test_partially_right_multiword_replacement_is_wrong():
    (doc,) = parse_inline(GOLD, "g")
    a = align(doc, [_edit(doc, "information company", "news company"),
                    _edit(doc, "Home", "House")])
    assert [s.status for s in a.spans] == ["restored", "missed", "kept", "wrong"]
    assert [e.status for e in a.edits] == ["correct", "wrong"]


def test_optional_spans_and_false_changes():
    (doc,) = parse_inline(GOLD, "g")
    a = align(doc, [_edit(doc, "Monday", "Friday"), _edit(doc, "staff", "workers"),
                    _edit(doc, "information", "news"), _edit(doc, "company", "agency")])
    assert [e.status for e in a.edits] == ["false", "correct", "correct", "false"]
    assert [s.status for s in a.spans if not s.gold.optional] == ["missed", "missed", "restored"]


def test_evaluate_hand_computed_figures():
    (spun,) = parse_inline(GOLD, "g")
    (clean,) = parse_inline("The minister spoke to reporters in the capital on Friday.", "c")
    spun_edits = (_edit(spun, "White Home mentioned", "White House said", 0.9),
                  _edit(spun, "information company", "news company", 0.4),
                  _edit(spun, "staff", "workers", 0.7))
    clean_edits = (_edit(clean, "spoke", "talked", 0.6),)
    judged = [Judged(spun, Report(spun.spun, 0.8, "spun", 12, spun_edits)),
              Judged(clean, Report(clean.spun, 0.3, "clean", 10, clean_edits))]
    r = evaluate(judged, threshold=0.0)
    # 3 required spans: White Home, mentioned restored; information company wrong
    assert (r["gold_spans"], r["restored_correctly"], r["missed"], r["wrong"]) == (3, 2, 0, 1)
    # 4 edits: 1 correct, 1 wrong, 2 false (staff, spoke)
    assert (r["system_edits"], r["correct_edits"], r["false_changes"]) == (4, 1, 2)
    assert r["restore_recall"] == pytest.approx(2 / 3)
    assert r["change_precision"] == pytest.approx(1 / 4)
    # tokens: gold White, Home, mentioned, information, company (Monday optional: ignored);
    # system White Home mentioned information company staff | spoke -> tp 5, fp 2, fn 0
    assert r["token"]["precision"] == pytest.approx(5 / 7) and r["token"]["recall"] == 1.0
    assert r["clean"]["words"] == 10 and r["clean"]["false_changes_per_1000_words"] == 100.0
    assert r["documents"]["auc"] == 1.0
    strict = evaluate(judged, threshold=0.8)
    assert (strict["system_edits"], strict["restored_correctly"], strict["false_changes"]) == (1, 2, 0)


def test_auc_with_ties_and_best_threshold():
    assert roc_auc([0.9, 0.5, 0.5, 0.1], [True, True, False, False]) == pytest.approx(0.875)
    best = best_threshold([0.9, 0.5, 0.5, 0.1], [True, True, False, False])
    # t=0.5: TPR 1, FPR .5; t=0.9: TPR .5, FPR 0 -> tie at .5, the lower threshold wins
    assert best["threshold"] == 0.5 and best["youden"] == pytest.approx(0.5)


# -- CLI, plots, report ---------------------------------------------------------------------

def test_cli_spin_then_eval_writes_plots_and_report(tmp_path, capsys):
    clean = tmp_path / "clean.txt"
    clean.write_text(NEWS + "\n\nThe council met on Tuesday and agreed the budget.\n", encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    assert main(["spin", str(clean), "--rate", "0.3", "--seed", "5", "-o", str(gold)]) == 0
    recs = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines()]
    assert len(recs) == 2 and all({"original", "spun", "edits"} <= set(r) for r in recs)
    capsys.readouterr()
    plots, report = tmp_path / "plots", tmp_path / "report.md"
    code = main(["eval", str(gold), "--no-model", "--json", "--plot", str(plots),
                 "--report", str(report)])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("gold_spans", "restored_correctly", "missed", "wrong", "false_changes",
                "restore_recall", "change_precision"):
        assert key in out
    assert out["gold_spans"] == sum(len(r["edits"]) for r in recs)
    pngs = sorted(os.listdir(plots))
    assert pngs == ["by_rate.png", "calibration.png", "precision_recall.png", "score_histogram.png"]
    assert all((plots / p).stat().st_size > 5000 for p in pngs)
    assert "restoration recall" in report.read_text(encoding="utf-8")


def test_cli_errors_are_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.annot.txt"
    bad.write_text("fine\nthe [x=>y\n", encoding="utf-8")
    assert main(["eval", str(bad), "--no-model"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "bad.annot.txt:2:5" in err
    assert main(["spin", str(tmp_path / "missing.txt")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_overlapping_alternatives_keep_the_more_confident():
    (doc,) = parse_inline(GOLD, "g")
    s = doc.spun.index("information company")
    low = Edit(s, s + 11, "information", ("news",), 0.6, "SPUN_PHRASE", "model", "")
    high = _edit(doc, "information company", "news agency", 0.9)
    assert select_edits([low, high], 0.0) == [high]
    assert select_edits([low, high], 0.95) == []
    a = align(doc, [low, high])
    assert [e.status for e in a.edits] == ["correct"] and a.spans[-1].status == "restored"


def test_cli_spin_jsonl_input_to_inline_output_round_trips(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": NEWS}) + "\n", encoding="utf-8")
    out = tmp_path / "gold.annot.txt"
    assert main(["spin", str(src), "--style", "paper", "--seed", "2", "-o", str(out)]) == 0
    (doc,) = parse_inline(out.read_text(encoding="utf-8"), str(out))
    assert doc.original == NEWS and doc.spun != NEWS
    direct = Spinner("paper", 0.25, seed=2).spin(NEWS)
    assert doc.spun == direct.spun
    assert [(e.start, e.end, e.replacement) for e in doc.edits] == \
        [(e.start, e.end, e.replacement) for e in direct.edits]


def test_an_edit_restoring_part_of_a_gold_span_is_labelled_right():
    from unspin.evaluate.align import restores
    from unspin.evaluate.gold import GoldEdit
    gold = GoldEdit(10, 28, 10, 23, "ascorbic corrosive", "ascorbic acid")

    def edit(start, end, replacement):
        return Edit(start, end, "", (replacement,), 0.5, "SPUN_PHRASE", "model", "")
    assert restores(edit(19, 28, "acid"), gold)              # the swapped word alone
    assert restores(edit(10, 28, "Ascorbic acid"), gold)     # the whole span
    assert not restores(edit(19, 28, "base"), gold)
    assert not restores(edit(21, 28, "acid"), gold)          # not on word boundaries
    assert not restores(edit(0, 5, "acid"), gold)            # outside the span
