"""PNG figures of an evaluation (matplotlib, Agg backend: no display needed)."""
from __future__ import annotations

import os


def _plt():
    try:
        import matplotlib
    except ModuleNotFoundError:
        from ..inputs import InputError
        raise InputError("plots need matplotlib; run: pip install 'unspin[eval]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _save(fig, path: str) -> str:
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    import matplotlib.pyplot as plt
    plt.close(fig)
    return path


def write_plots(results: dict, folder: str, prefix: str = "") -> list[str]:
    """Write the four figures of `results` (from runner.results) into `folder`; their paths."""
    plt = _plt()
    os.makedirs(folder, exist_ok=True)
    name = lambda n: os.path.join(folder, f"{prefix}{n}.png")  # noqa: E731
    paths = []

    fig, ax = plt.subplots(figsize=(5, 4))
    pts = [(r["restore_recall"], r["change_precision"], r["threshold"]) for r in results["sweep"]
           if r["restore_recall"] is not None and r["change_precision"] is not None]
    if pts:
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", markersize=3)
        for r, p, t in pts[::4]:
            ax.annotate(f"{t:.2f}", (r, p), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set(xlabel="restoration recall", ylabel="change precision", xlim=(0, 1), ylim=(0, 1.02),
           title="Edits as the threshold moves")
    ax.grid(alpha=0.3)
    paths.append(_save(fig, name("precision_recall")))

    fig, ax = plt.subplots(figsize=(5, 4))
    spun = [s["score"] for s in results["scores"] if s["spun"]]
    clean = [s["score"] for s in results["scores"] if not s["spun"]]
    bins = [i / 20 for i in range(21)]
    if clean:
        ax.hist(clean, bins=bins, alpha=0.6, label=f"clean ({len(clean)})")
    if spun:
        ax.hist(spun, bins=bins, alpha=0.6, label=f"spun ({len(spun)})")
    ax.set(xlabel="document score", ylabel="documents", title="Document scores")
    ax.legend()
    paths.append(_save(fig, name("score_histogram")))

    fig, ax = plt.subplots(figsize=(5, 4))
    cal = [r for r in results["calibration"] if r["edits"]]
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1)
    if cal:
        ax.plot([r["confidence"] for r in cal], [r["accuracy"] for r in cal], marker="o")
        for r in cal:
            ax.annotate(str(r["edits"]), (r["confidence"], r["accuracy"]), fontsize=7,
                        xytext=(3, -9), textcoords="offset points")
    ax.set(xlabel="edit confidence", ylabel="share of edits right", xlim=(0, 1), ylim=(0, 1.02),
           title="Calibration (n per point)")
    paths.append(_save(fig, name("calibration")))

    fig, ax = plt.subplots(figsize=(5, 4))
    rates = sorted(results["by_rate"], key=float)
    rows = [results["by_rate"][r] for r in rates]
    if rates:
        xs = range(len(rates))
        ax.bar([x - 0.2 for x in xs], [r["restore_recall"] or 0 for r in rows], width=0.4,
               label="restoration recall")
        ax.bar([x + 0.2 for x in xs], [r["change_precision"] or 0 for r in rows], width=0.4,
               label="change precision")
        ax.set_xticks(list(xs), [f"{float(r):.0%}" for r in rates])
        ax.legend()
    ax.set(xlabel="spin rate", ylim=(0, 1), title="Accuracy by spin rate")
    paths.append(_save(fig, name("by_rate")))
    return paths
