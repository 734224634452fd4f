"""The text of an uploaded file: plain text, Markdown, Word (.docx) or PDF.

Offsets of the check refer to this extracted text, which the page shows and restores; the
file itself is never changed.
"""
from __future__ import annotations

import io
import os
import zipfile

from ..inputs import InputError, decode_text

TEXT_SUFFIXES = (".txt", ".text", ".md", ".markdown")
SUFFIXES = TEXT_SUFFIXES + (".docx", ".pdf")


def extract_text(data: bytes, filename: str) -> str:
    """The text of `data`, read according to the file name's suffix."""
    suffix = os.path.splitext(filename.lower())[1]
    if suffix in TEXT_SUFFIXES:
        text = decode_text(data, filename)
    elif suffix == ".docx":
        text = docx_text(data, filename)
    elif suffix == ".pdf":
        text = pdf_text(data, filename)
    else:
        raise InputError(f"{filename}: cannot read {suffix or 'files without a suffix'}; "
                         f"send one of {', '.join(SUFFIXES)}")
    if not text.strip():
        raise InputError(f"{filename}: no text found"
                         + (" (a scanned PDF has only images; run OCR first)" if suffix == ".pdf" else ""))
    return text


def docx_text(data: bytes, filename: str) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise InputError(f"{filename}: not a readable Word .docx file") from None
    paragraphs = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            paragraphs.append("\t".join(cell.text for cell in row.cells))
    return "\n\n".join(p for p in paragraphs if p.strip())


def pdf_text(data: bytes, filename: str) -> str:
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InputError(f"{filename}: the PDF is encrypted; save an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
    except pypdf.errors.PyPdfError:
        raise InputError(f"{filename}: not a readable PDF file") from None
    return "\n\n".join(p.strip() for p in pages if p.strip())
