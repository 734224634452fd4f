"""`scan`: score every record of a corpus on all cores, resumably, into one output file.

The input is cut into chunks (a fixed number of records, a deterministic cut), and each chunk
is scored by a worker process that writes and commits its own part in a work folder beside
the output. Killed at any moment and rerun with the same arguments, a scan skips the
committed chunks and redoes the rest; when every chunk is committed the parts are merged into
the output under a temporary name and renamed, so the output appears complete or not at all.
At most two chunks per worker are in flight, so memory does not grow with the input.
"""
from __future__ import annotations

import concurrent.futures as cf
import fcntl
import json
import multiprocessing
import os
import shutil
import time
from dataclasses import asdict, dataclass
from typing import Iterator, Sequence

from .. import __version__
from ..api import Detector
from ..inputs import InputError
from .progress import ScanProgress
from .readers import Piece, input_kind, input_size, pieces
from .worker import (ChunkStats, ScanOptions, errors_name, init_worker, part_name,
                     run_chunk, run_chunk_in_worker)
from .writers import merge, merge_jsonl, write_atomically

CHUNK_RECORDS = 100
JOB_FILE = "job.json"
FINISHED_FILE = "finished.json"


@dataclass
class Summary:
    """What a scan did; totals include chunks committed by earlier, interrupted runs."""

    output: str
    errors_path: str | None
    documents: int = 0
    words: int = 0
    spun: int = 0
    kept: int = 0
    errors: int = 0
    resumed_chunks: int = 0
    run_documents: int = 0          # scored by this run
    run_words: int = 0
    seconds: float = 0.0            # wall time of this run
    check_seconds: float = 0.0      # time inside Detector.check, summed over workers

    def add(self, stats: ChunkStats, this_run: bool) -> None:
        self.documents += stats.documents
        self.words += stats.words
        self.spun += stats.spun
        self.kept += stats.kept
        self.errors += stats.errors
        if this_run:
            self.run_documents += stats.documents
            self.run_words += stats.words
            self.check_seconds += stats.seconds
        else:
            self.resumed_chunks += 1

    def to_dict(self) -> dict:
        return asdict(self)

    def render(self) -> str:
        share = self.spun / self.documents if self.documents else 0.0
        secs = max(self.seconds, 1e-9)
        lines = [f"documents: {self.documents:,}   words: {self.words:,}   "
                 f"spun: {self.spun:,} ({share:.1%})   written: {self.kept:,}   "
                 f"errors: {self.errors:,}",
                 f"throughput: {self.run_documents / secs:,.1f} docs/s, "
                 f"{self.run_words / secs:,.0f} words/s over {self.seconds:.1f} s",
                 f"output: {self.output}"]
        if self.resumed_chunks:
            lines.insert(1, f"resumed: {self.resumed_chunks:,} chunks were already done")
        if self.errors:
            lines.append(f"errors: {self.errors_path}")
        return "\n".join(lines)


def default_errors_path(output: str) -> str:
    base, ext = os.path.splitext(output)
    return f"{base}.errors.jsonl"


def work_folder(output: str) -> str:
    head, tail = os.path.split(os.path.abspath(output))
    return os.path.join(head, f".{tail}.unspin-scan")


def job_description(inputs: Sequence[str], detector: Detector, options: ScanOptions,
                    chunk_records: int) -> dict:
    """Everything that decides the output; a resume must find the same."""
    files = []
    for path in inputs:
        st = os.stat(path)
        files.append([os.path.abspath(path), input_size(path), st.st_mtime_ns])
    job = {"unspin_version": __version__, "inputs": files, "options": asdict(options),
           "config": asdict(detector.config), "chunk_records": chunk_records}
    return json.loads(json.dumps(job))     # as it reads back from job.json


def _numbered_pieces(inputs: Sequence[str], options: ScanOptions,
                     chunk_records: int) -> Iterator[tuple[int, Piece, int]]:
    """(chunk number, piece, bytes it moves the progress bar) over all inputs in order."""
    seq = 0
    for path in inputs:
        before = 0
        for piece in pieces(path, chunk_records, options.max_doc_bytes):
            yield seq, piece, piece.consumed - before
            before = piece.consumed
            seq += 1


def _committed(workdir: str) -> dict[int, ChunkStats]:
    """Chunks committed by earlier runs; any other file in the work folder is removed."""
    done, names = {}, os.listdir(workdir)
    for name in names:
        if name.startswith("part-") and name.endswith(".done"):
            with open(os.path.join(workdir, name), encoding="utf-8") as fh:
                done[int(name[5:13])] = ChunkStats(**json.load(fh))
    for name in names:
        if name.startswith("part-") and (".tmp-" in name or int(name[5:13]) not in done):
            os.remove(os.path.join(workdir, name))
    return done


def _open_work_folder(workdir: str, job: dict, output: str, restart: bool, overwrite: bool):
    """The work folder, locked for this process, fresh or matching `job`."""
    if os.path.isdir(workdir):
        try:
            with open(os.path.join(workdir, JOB_FILE), encoding="utf-8") as fh:
                previous = json.load(fh)
        except (OSError, ValueError):
            previous = None
        if previous != job:
            if not restart:
                raise InputError(
                    f"{output}: an unfinished scan with other inputs or options is in {workdir}; "
                    "rerun that command to resume it, or pass --restart to discard it")
            shutil.rmtree(workdir)
    if not os.path.isdir(workdir):
        if os.path.exists(output) and not overwrite:
            raise InputError(f"{output}: already exists; pass --overwrite to replace it")
        os.makedirs(workdir + ".new", exist_ok=True)
        with open(os.path.join(workdir + ".new", JOB_FILE), "w", encoding="utf-8") as fh:
            json.dump(job, fh)
        os.replace(workdir + ".new", workdir)
    lock = open(os.path.join(workdir, "lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise InputError(f"{output}: another scan is writing this output right now") from None
    return lock


def scan(inputs: Sequence[str], output: str, detector: Detector | None = None,
         options: ScanOptions | None = None, *, workers: int | None = None,
         errors_path: str | None = None, progress: bool | None = None, restart: bool = False,
         overwrite: bool = False, chunk_records: int = CHUNK_RECORDS) -> Summary:
    """Score every record of `inputs` into `output`; rerun after a kill to resume.

    inputs      JSONL (.jsonl, .jsonl.gz, .jsonl.zst), Parquet files, .txt files or folders
    workers     worker processes (default: every core); 1 scores in this process
    progress    show the live bar (default: when standard error is a terminal)
    restart     discard an unfinished scan of other inputs/options into the same output
    overwrite   replace an existing output
    """
    detector = detector or Detector()
    options = options or ScanOptions()
    workers = workers or os.cpu_count() or 1
    if not inputs:
        raise InputError("no input given")
    for path in inputs:
        input_kind(path)
    out_dir = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(out_dir):
        raise InputError(f"{output}: the folder {out_dir} does not exist")
    errors_path = errors_path or default_errors_path(output)
    workdir = work_folder(output)
    shutil.rmtree(workdir + ".old", ignore_errors=True)
    job = job_description(inputs, detector, options, chunk_records)
    lock = _open_work_folder(workdir, job, output, restart, overwrite)
    try:
        summary = Summary(output=output, errors_path=errors_path)
        started = time.perf_counter()
        finished = os.path.join(workdir, FINISHED_FILE)
        if not os.path.exists(finished):
            done = _committed(workdir)
            total = sum(input_size(p) for p in inputs)
            with ScanProgress(total, progress) as bar:
                count, fresh = _run_chunks(inputs, detector, options, workers, workdir,
                                           chunk_records, done, bar)
            for seq in range(count):
                summary.add(done[seq], this_run=seq in fresh)
            _merge_parts(workdir, count, output, errors_path, options)
            write_atomically(finished, json.dumps(summary.to_dict()).encode())
        else:   # killed while cleaning up: the output is complete already
            with open(finished, encoding="utf-8") as fh:
                summary = Summary(**json.load(fh))
        summary.seconds = time.perf_counter() - started
    finally:
        lock.close()
    os.replace(workdir, workdir + ".old")
    shutil.rmtree(workdir + ".old", ignore_errors=True)
    return summary


def _run_chunks(inputs, detector, options, workers, workdir, chunk_records, done,
                bar) -> tuple[int, set[int]]:
    """Score every chunk not yet committed: (chunks in the input, chunks scored now)."""
    count = 0
    fresh: set[int] = set()

    def record(seq: int, stats: ChunkStats, consumed: int) -> None:
        done[seq] = stats
        fresh.add(seq)
        bar.advance(consumed, stats.documents, stats.words)

    chunks = _numbered_pieces(inputs, options, chunk_records)
    if workers == 1:
        for seq, piece, consumed in chunks:
            count = seq + 1
            if seq in done:
                bar.skip(consumed)
            else:
                record(seq, run_chunk(detector, options, workdir, seq, piece), consumed)
    else:
        context = multiprocessing.get_context("spawn")   # no inherited locks or threads
        with cf.ProcessPoolExecutor(workers, mp_context=context, initializer=init_worker,
                                    initargs=(detector, options, workdir, os.getpid())) as pool:
            pending: dict[cf.Future, int] = {}

            def collect(futures) -> None:
                for future in futures:
                    consumed = pending.pop(future)
                    try:
                        seq, stats = future.result()
                    except cf.process.BrokenProcessPool:
                        raise InputError("a worker process died (out of memory?); rerun the "
                                         "same command to resume where it stopped") from None
                    record(seq, stats, consumed)

            for seq, piece, consumed in chunks:
                count = seq + 1
                if seq in done:
                    bar.skip(consumed)
                    continue
                while len(pending) >= 2 * workers:
                    finished, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                    collect(finished)
                pending[pool.submit(run_chunk_in_worker, seq, piece)] = consumed
            collect(cf.wait(pending).done)
    return count, fresh


def _merge_parts(workdir: str, count: int, output: str, errors_path: str,
                 options: ScanOptions) -> None:
    """Merge the committed parts into the output and the errors file (idempotent)."""
    error_parts = [p for p in (errors_name(workdir, s) for s in range(count)) if os.path.exists(p)]
    if error_parts:
        merge_jsonl(error_parts, errors_path)
    merge([part_name(workdir, s, options.format) for s in range(count)], output, options.format)
