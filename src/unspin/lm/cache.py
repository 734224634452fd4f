"""Convert a Sphinx trie model once and keep the arrays as memory-mapped .npy files.

Cache location: `$UNSPIN_CACHE_DIR`, else `$XDG_CACHE_HOME/unspin`, else `~/.cache/unspin`.
Each converted model lives in its own folder named after the format version and the model
file's name, size and modification time, so a changed model or a new format is converted
afresh. A folder is written under a temporary name and renamed into place when complete,
and it is checked (manifest, file sizes, array shapes) before use, so a half-written or
damaged cache is rebuilt rather than used. When the cache folder cannot be written, the
system temp folder is tried, and failing that the arrays simply stay in memory.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import fields
from pathlib import Path

import numpy as np

from .hashindex import build_slots, table_bits
from .sphinx_trie import TrieArrays, read_trie

CACHE_FORMAT = 2
MANIFEST = "manifest.json"
ARRAY_FIELDS = [f.name for f in fields(TrieArrays) if f.name != "words"]
SLOT_FIELDS = ["bigram_slots", "trigram_slots"]  # hash tables over the two key arrays


def cache_root() -> Path:
    """The user's cache folder for unspin (not created here)."""
    if os.environ.get("UNSPIN_CACHE_DIR"):
        return Path(os.environ["UNSPIN_CACHE_DIR"])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "unspin"
    return Path.home() / ".cache" / "unspin"


def cache_key(model_path: Path) -> str:
    st = model_path.stat()
    return f"sphinx-trie-v{CACHE_FORMAT}-{model_path.stem}-{st.st_size}-{st.st_mtime_ns}"


def _fallback_root() -> Path:
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    return Path(tempfile.gettempdir()) / f"unspin-cache-{uid}"


def build_slot_tables(arrays: TrieArrays) -> dict[str, np.ndarray]:
    return {"bigram_slots": build_slots(arrays.bigram_keys),
            "trigram_slots": build_slots(arrays.trigram_keys)}


def _write(arrays: TrieArrays, slots: dict[str, np.ndarray], folder: Path) -> None:
    """Write `arrays` and `slots` into `folder` (which must not exist yet), atomically."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        sizes = {}
        vocab = np.frombuffer("".join(w + "\0" for w in arrays.words).encode("utf-8"),
                              dtype=np.uint8)
        named = [("words", vocab)] + [(n, getattr(arrays, n)) for n in ARRAY_FIELDS]
        for name, value in named + [(n, slots[n]) for n in SLOT_FIELDS]:
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(value))
            sizes[name] = {"bytes": (tmp / f"{name}.npy").stat().st_size,
                           "shape": list(np.shape(value)), "dtype": str(np.asarray(value).dtype)}
        manifest = {"format": CACHE_FORMAT, "n_words": len(arrays.words), "files": sizes}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        try:
            os.rename(tmp, folder)
        except OSError:
            if not folder.exists():  # lost no race: a real failure
                raise
            shutil.rmtree(tmp, ignore_errors=True)  # another process finished first
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _read(folder: Path) -> tuple[TrieArrays, dict[str, np.ndarray]] | None:
    """Load a cache folder memory-mapped, or None if it is missing, incomplete or damaged."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("format") != CACHE_FORMAT:
            return None
        loaded = {}
        for name in ["words"] + ARRAY_FIELDS + SLOT_FIELDS:
            info = manifest["files"][name]
            path = folder / f"{name}.npy"
            if path.stat().st_size != info["bytes"]:
                return None
            arr = np.load(path, mmap_mode="r", allow_pickle=False)
            if list(arr.shape) != info["shape"] or str(arr.dtype) != info["dtype"]:
                return None
            loaded[name] = arr
        words = bytes(loaded.pop("words")).decode("utf-8").split("\0")[:-1]
        if len(words) != manifest["n_words"]:
            return None
        slots = {n: loaded.pop(n) for n in SLOT_FIELDS}
        for level in ("bigram", "trigram"):
            if slots[f"{level}_slots"].size != 1 << table_bits(loaded[f"{level}_keys"].size):
                return None
        return TrieArrays(words=words, **loaded), slots
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None


def load_trie_cached(model_path: str | Path, cache_dir: str | Path | None = None
                     ) -> tuple[TrieArrays, dict[str, np.ndarray]]:
    """The model's arrays and hash tables: from the cache if it is valid, else converted
    (and cached where a cache folder can be written)."""
    model_path = Path(model_path)
    key = cache_key(model_path)
    roots = [Path(cache_dir)] if cache_dir is not None else [cache_root()]
    roots.append(_fallback_root())
    for root in roots:
        cached = _read(root / key)
        if cached is not None:
            return cached
    arrays = read_trie(model_path)
    slots = build_slot_tables(arrays)
    for root in roots:
        folder = root / key
        try:
            if folder.exists():  # damaged: move it aside, then replace it
                trash = Path(tempfile.mkdtemp(prefix=f".{key}.old.", dir=root))
                os.rename(folder, trash / "x")
                shutil.rmtree(trash, ignore_errors=True)
            _write(arrays, slots, folder)
        except OSError:
            continue
        cached = _read(folder)
        if cached is not None:
            return cached
    return arrays, slots
