"""Resumability of `unspin scan`: SIGKILL it at 20 random moments, rerun the same command each
time, and count lost and duplicated records in the final output.

    python benchmarks/bench_resume.py [--docs 20000] [--kills 20]
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    words = ("the counterfeit consciousness profound learning committee budget rain station "
             "irregular woodland train weekend north country big information").split()
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "in.jsonl"), os.path.join(tmp, "out.jsonl")
        with open(src, "w", encoding="utf-8") as fh:
            for i in range(args.docs):
                fh.write(json.dumps({"id": i, "text": " ".join(rng.choices(words, k=60))}) + "\n")
        base = [sys.executable, "-m", "unspin", "scan", src, "--no-model", "--no-progress",
                "--chunk-size", "50"]
        command = base + ["-o", out]
        started = time.perf_counter()
        subprocess.run(base + ["-o", os.path.join(tmp, "timing.jsonl")], check=True,
                       stdout=subprocess.DEVNULL)
        full = time.perf_counter() - started
        kills = runs = 0
        while True:
            runs += 1
            proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if kills < args.kills:
                time.sleep(rng.uniform(0.0, full / 2))
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                    kills += 1
            err = proc.communicate()[1]
            if proc.returncode not in (0, -signal.SIGKILL):
                sys.exit(f"scan failed: {err.decode().strip()}")
            if proc.returncode == 0 and kills >= args.kills:
                break
            if proc.returncode == 0:          # finished before the kill: scan again from scratch
                os.remove(out)
        with open(out, encoding="utf-8") as fh:
            ids = collections.Counter(json.loads(line)["id"] for line in fh)
        lost = sum(1 for i in range(args.docs) if i not in ids)
        duplicated = sum(n - 1 for n in ids.values() if n > 1)
        print(f"{args.docs:,} records, {kills} kills over {runs} runs (a full scan takes "
              f"{full:.1f} s): {lost} lost, {duplicated} duplicated, "
              f"{len(ids):,} distinct in the output")
        sys.exit(1 if lost or duplicated else 0)


if __name__ == "__main__":
    main()
