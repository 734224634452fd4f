"""Load figures of `unspin serve`, on loopback only, with bounded loops.

Starts `unspin serve` in a subprocess on a free 127.0.0.1 port, then prints
  - p50/p95 latency of POST /v2/check for a --words document (default 1,000 words), with one
    client and with 20 concurrent clients (--clients), and the throughput in words/s;
  - the server's resident memory after warm-up and as --memory-requests requests
    (default 10,000) go by: it must stay flat.

    python benchmarks/bench_server.py                # the default detector (model pass on)
    python benchmarks/bench_server.py --no-model     # known tortured phrases only
    python benchmarks/bench_server.py --requests 40 --memory-requests 1000   # a quick look

Documents are generated from a seeded grammar of sentences written for this script, each
request a different one (so no cache can flatter the figures), with a few catalogued
tortured phrases mixed in.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time

import httpx

SUBJECTS = ["The study", "Our team", "This paper", "The committee", "A new survey", "The model",
            "The hospital", "Each participant", "The city council", "The review board"]
VERBS = ["reports", "describes", "measured", "compared", "examined", "proposed", "found",
         "questioned", "summarised", "confirmed"]
OBJECTS = ["the effect of rainfall on crop yields", "a method for sorting large archives",
           "the cost of public transport in small towns", "how students revise their essays",
           "the link between sleep and memory", "several ways to reduce hospital waiting times",
           "the history of the local railway", "a simple test for water quality",
           "the results of last year's trial", "why the bridge needed repairs"]
TAILS = ["in three regions", "over two winters", "with a small budget", "using public data",
         "after the pilot phase", "for the first time", "with mixed results", "in great detail"]
TORTURED = ["counterfeit consciousness", "irregular woodland", "colossal information",
            "bosom peril", "profound learning"]


def document(words: int, seed: int) -> str:
    """About `words` words of plain prose, a tortured phrase every few sentences."""
    rng = random.Random(seed)
    sentences, count = [], 0
    while count < words:
        sentence = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}"
        if rng.random() < 0.2:
            sentence += f", drawing on {rng.choice(TORTURED)}"
        sentences.append(sentence + ".")
        count += len(sentence.split())
    return " ".join(sentences)


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        kb = int(re.search(r"VmRSS:\s+(\d+)", fh.read()).group(1))
    return kb / 1024


def start_server(args) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-m", "unspin", "serve", "--host", "127.0.0.1", "--port", "0",
               "--log-level", "warning", "--queue", str(max(64, 2 * max(args.clients))),
               "--workers", str(args.workers), "--max-body", "10MB"]
    if args.no_model:
        command.append("--no-model")
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = time.monotonic()
    for line in server.stdout:
        match = re.search(r"serving (http://\S+?)/? ", line)
        if match:
            print(f"server up in {time.monotonic() - started:.1f} s (pid {server.pid})")
            return server, match.group(1)
    server.wait()
    sys.exit(f"bench_server: the server did not start: {server.stderr.read().strip().splitlines()[-1:]}")


def load(url: str, clients: int, requests: int, words: int, seed: int) -> dict:
    """`requests` checks spread over `clients` threads, each with its own keep-alive client."""
    latencies, failures, lock = [], [], threading.Lock()
    counter = iter(range(requests))

    def worker():
        with httpx.Client(timeout=120) as client:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                text = document(words, seed + n)
                t0 = time.perf_counter()
                response = client.post(f"{url}/v2/check", data={"text": text, "language": "en-US"})
                elapsed = time.perf_counter() - t0
                with lock:
                    (latencies if response.status_code == 200 else failures).append(
                        elapsed if response.status_code == 200 else response.status_code)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    latencies.sort()
    return {"ok": len(latencies), "failed": failures, "wall": wall,
            "p50": statistics.median(latencies) if latencies else float("nan"),
            "p95": latencies[max(0, int(0.95 * len(latencies)) - 1)] if latencies else float("nan"),
            "words_per_s": len(latencies) * words / wall}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-model", action="store_true", help="known tortured phrases only")
    parser.add_argument("--words", type=int, default=1000, help="words per latency document")
    parser.add_argument("--requests", type=int, default=100, help="requests per concurrency level")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 20], help="concurrency levels")
    parser.add_argument("--workers", type=int, default=2, help="the server's --workers")
    parser.add_argument("--memory-requests", type=int, default=10_000,
                        help="requests of the memory run (0: skip it)")
    parser.add_argument("--memory-words", type=int, default=100, help="words per memory-run document")
    args = parser.parse_args()

    server, url = start_server(args)
    try:
        print(f"detector: {'known phrases only' if args.no_model else 'default (model pass on)'}; "
              f"server --workers {args.workers}; {os.cpu_count()} CPUs")
        load(url, 1, 3, args.words, seed=10**6)                      # warm the connection path
        print(f"\nPOST /v2/check, {args.words}-word documents, {args.requests} requests per level")
        print(f"{'clients':>8} {'p50 ms':>9} {'p95 ms':>9} {'words/s':>10} {'failed':>7}")
        for clients in args.clients:
            r = load(url, clients, args.requests, args.words, seed=clients * 10**5)
            print(f"{clients:>8} {1000 * r['p50']:>9.1f} {1000 * r['p95']:>9.1f} "
                  f"{r['words_per_s']:>10.0f} {len(r['failed']):>7}")
        if args.memory_requests:
            print(f"\nserver memory over {args.memory_requests:,} requests of {args.memory_words} words "
                  f"(4 clients)")
            print(f"{'requests':>9} {'RSS MB':>8}")
            print(f"{0:>9} {rss_mb(server.pid):>8.1f}")
            steps = 10
            done = 0
            for step in range(1, steps + 1):
                todo = args.memory_requests * step // steps - done
                r = load(url, 4, todo, args.memory_words, seed=7 * 10**6 + done)
                done += todo
                print(f"{done:>9,} {rss_mb(server.pid):>8.1f}" +
                      (f"  ({len(r['failed'])} failed)" if r["failed"] else ""))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
