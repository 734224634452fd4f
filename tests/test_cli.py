"""The check/restore command line: output contracts and one-line errors for bad input."""
import json
import os
import subprocess
import sys

import pytest

SPUN = "The White Home mentioned on Monday that the international ministry would reply.\n"


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "unspin", *args], input=stdin,
                          capture_output=True, timeout=300)


def test_check_json_schema(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(SPUN, encoding="utf-8")
    out = run("check", "--json", str(f))
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert set(doc) >= {"unspin_version", "score", "verdict", "words", "edits", "restored"}
    for e in doc["edits"]:
        assert SPUN[e["start"]:e["end"]] == e["text"]
    assert doc["verdict"] in ("spun", "clean", "uncertain")


def test_restore_writes_exactly_the_restored_text_and_keeps_line_breaks(tmp_path):
    text = "First line of a clean note.\n\nSecond paragraph, also plain.\n"
    f = tmp_path / "clean.txt"
    f.write_text(text, encoding="utf-8")
    out = run("restore", str(f))
    assert out.returncode == 0
    assert out.stdout.decode("utf-8").count("\n") == text.count("\n")


def test_restore_reads_stdin():
    out = run("restore", "-", stdin=SPUN.encode())
    assert out.returncode == 0
    assert out.stdout.decode().endswith("\n")


@pytest.mark.parametrize("make, expected", [
    (lambda p: p / "missing.txt", "no such file"),
    (lambda p: p, "is a directory"),
])
def test_path_errors_are_one_line(tmp_path, make, expected):
    out = run("check", str(make(tmp_path)))
    assert out.returncode == 2
    err = out.stderr.decode()
    assert expected in err and "Traceback" not in err and err.count("\n") == 1


def test_binary_input_is_refused(tmp_path):
    f = tmp_path / "b.bin"
    f.write_bytes(b"\x89PNG\x00\x00\x01\x02" * 10)
    out = run("check", str(f))
    assert out.returncode == 2 and b"binary" in out.stderr and b"Traceback" not in out.stderr


def test_invalid_utf8_names_the_byte_offset_and_replace_goes_on(tmp_path):
    f = tmp_path / "latin1.txt"
    f.write_bytes("Caf\u00e9 au lait is served.".encode("latin-1"))
    out = run("check", str(f))
    assert out.returncode == 2 and b"byte offset 3" in out.stderr
    assert run("check", "--errors", "replace", str(f)).returncode == 0


def test_empty_input_is_refused(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_text("  \n", encoding="utf-8")
    out = run("check", str(f))
    assert out.returncode == 2 and b"empty" in out.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file(tmp_path):
    f = tmp_path / "secret.txt"
    f.write_text("text", encoding="utf-8")
    f.chmod(0)
    out = run("check", str(f))
    assert out.returncode == 2 and b"permission denied" in out.stderr


def test_bad_threshold_is_a_clear_error(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(SPUN, encoding="utf-8")
    out = run("check", "--threshold", "3", str(f))
    assert out.returncode == 2 and b"threshold" in out.stderr and b"Traceback" not in out.stderr


def test_help_explains_options():
    out = run("check", "--help")
    assert out.returncode == 0
    for flag in (b"--json", b"--threshold", b"--no-fingerprints", b"--no-model", b"--list"):
        assert flag in out.stdout
