"""The one check of an attached document (a signed ballot, minutes, a disclosure's scan).

A name ending in .pdf proves nothing: the file's first bytes must be what its type starts with,
so a renamed program is refused with the field named, before anything is stored.
"""

from __future__ import annotations

from typing import IO, Any

from .errors import DomainError

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the legacy .doc container
_ZIP = b"PK\x03\x04"  # .docx is a zip
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".doc": (_OLE,),
    ".docx": (_ZIP,),
}
SCANS = (".pdf", ".jpg", ".jpeg", ".png")
DOCUMENTS = (*SCANS, ".doc", ".docx")


def _labels(types: tuple[str, ...]) -> str:
    words = {".pdf": "PDF", ".jpg": "JPG", ".png": "PNG", ".doc": "Word"}
    names = list(dict.fromkeys(words[t] for t in types if t in words))
    return " 或 ".join(filter(None, ["、".join(names[:-1]), names[-1]])) if names else ""


def check_document(
    upload: IO[bytes] | Any, *, field: str, word: str, types: tuple[str, ...] = SCANS
) -> tuple[str, int]:
    """The upload's bare file name and size, or a DomainError on `field` naming `word`
    ("扫描件", "附件") and what was wrong."""
    name = str(getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in types:
        raise DomainError.on(field, f"{word}须为 {_labels(types)} 文件")
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    if not size:
        raise DomainError.on(field, f"{word}是空文件，请重新选择")
    if size > MAX_DOCUMENT_BYTES:
        raise DomainError.on(field, f"{word}不能超过 10 MB")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(SIGNATURES[extension]):
        kind = _labels((extension,)) or extension[1:].upper()
        raise DomainError.on(field, f"{word}的内容不是 {kind} 文件，请检查后重新上传")
    return name, size
