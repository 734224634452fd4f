"""Reading user input with errors a person can act on (never a traceback)."""
from __future__ import annotations

import os
import sys


class InputError(Exception):
    """Bad input: the message says what was wrong, where, and what to do."""


def decode_text(data: bytes, name: str, errors: str = "strict") -> str:
    if b"\x00" in data[:8192]:
        raise InputError(f"{name}: looks like binary data (NUL bytes), not text")
    try:
        text = data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: invalid UTF-8 at byte offset {exc.start}; "
                         "convert it to UTF-8, or pass --errors replace to go on") from None
    return text[1:] if text.startswith("\ufeff") else text


def read_text(path: str, errors: str = "strict", allow_empty: bool = False) -> str:
    """The text of a file, or of standard input for "-"."""
    if path == "-":
        name, data = "<stdin>", sys.stdin.buffer.read()
    else:
        name = path
        if os.path.isdir(path):
            raise InputError(f"{path}: is a directory; give a text file (or use `unspin scan` for folders)")
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            raise InputError(f"{path}: no such file") from None
        except PermissionError:
            raise InputError(f"{path}: permission denied") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    text = decode_text(data, name, errors)
    if not allow_empty and not text.strip():
        raise InputError(f"{name}: the input is empty; nothing to check")
    return text
