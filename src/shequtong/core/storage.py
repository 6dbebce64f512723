"""Where files holding personal data are kept: encrypted with the data key, readable by the
platform's own user only.

An uploaded ledger holds a community's ID numbers and phones; a mediation agreement names the
parties. `SealedStorage` encrypts a file as it is saved (AES-GCM, the vault's active key) and
decrypts it as it is opened, so the disk, a backup of it or a stray copy never holds the
plaintext. Files are written 0600 in directories 0700 (settings FILE_UPLOAD_PERMISSIONS).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible

from . import vault


@deconstructible(path="shequtong.core.storage.SealedStorage")
class SealedStorage(FileSystemStorage):
    def _save(self, name: str, content: File) -> str:
        content.seek(0)
        return super()._save(name, ContentFile(vault.encrypt_bytes(content.read())))

    def _open(self, name: str, mode: str = "rb") -> File:
        with super()._open(name, "rb") as handle:
            return ContentFile(vault.decrypt_bytes(handle.read()), name=name)

    def read_bytes(self, name: str) -> bytes:
        with self.open(name) as handle:
            return handle.read()

    def size(self, name: str) -> int:
        return len(self.read_bytes(name))

    def reseal(self, name: str) -> bool:
        """Encrypt the file again under the active key if it is sealed with another (or not
        at all); replaced in one rename, so a reader sees the old file or the new, never half.
        True if it was rewritten."""
        path = Path(self.path(name))
        blob = path.read_bytes()
        if vault.file_key_id(blob) == vault.keyring().active_kid:
            return False
        fresh = path.with_name(f".{path.name}.reseal")
        descriptor = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(vault.encrypt_bytes(vault.decrypt_bytes(blob)))
        os.replace(fresh, path)
        return True

    def url(self, name: str | None) -> Any:
        raise ValueError("加密保存的文件不经 /media/ 直接访问，只能由平台读取后交给有权限的用户")


sealed_storage = SealedStorage()
