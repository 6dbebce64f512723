"""Case photos from residents' phones: proven to be images, stripped of metadata, thumbnailed.

A phone photo's EXIF carries the GPS position where it was taken, very often the resident's
own home, plus the phone model and the time to the second. A case photo is shown to grid
workers, departments and, after closing, sometimes the public, so nothing of the original file
survives but its pixels: every photo is decoded and encoded afresh. Decoding a hostile file is
also where image libraries are attacked, so only three formats are let near a decoder at all
and the pixel count is checked from the header before anything is decompressed.
"""

from __future__ import annotations

import io
import logging
import os
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from shequtong.core.errors import DomainError

logger = logging.getLogger(__name__)

# 40 megapixels: above any phone's default output (a 200 MP sensor saves 12.5 MP by default),
# below what a 2 GB worker can decode a few of at once (40 MP RGBA is 160 MB).
MAX_PIXELS = 40_000_000
MAX_SIDE = 2560
THUMB_SIDE = 320
JPEG_QUALITY = 85
WEBP_QUALITY = 85
THUMB_QUALITY = 80

# MPO is what Pillow calls a JPEG carrying a second picture (depth map, preview), as many
# phones write in portrait mode; it is a JPEG to every browser.
_ACCEPTED = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP"}
_OPENERS = ["JPEG", "PNG", "WEBP"]
_OUTPUT = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}


@dataclass(frozen=True)
class CleanPhoto:
    """The re-encoded photo; `extension` has no dot ("jpg"), ready for `f"{uuid}.{ext}"`."""

    content: bytes
    thumbnail: bytes
    width: int
    height: int
    content_type: str
    extension: str


def _reject(message: str) -> DomainError:
    return DomainError("invalid", message, {"photos": [message]})


def _display_name(upload: UploadedFile | IO[bytes], name: str) -> str:
    """The name the resident chose, for the message; a file object's name may be a full path."""
    candidate = name or getattr(upload, "name", "") or ""
    return os.path.basename(candidate) if isinstance(candidate, str) else ""


def _max_bytes() -> tuple[float, int]:
    limit_mb = getattr(settings, "SHEQUTONG_PHOTO_MAX_MB", 10)
    return limit_mb, int(limit_mb * 1024 * 1024)


def _read(upload: UploadedFile | IO[bytes], subject: str) -> bytes:
    """Never more than the limit plus one byte is read, so a huge stream costs nothing."""
    limit_mb, limit = _max_bytes()
    too_big = _reject(f"{subject}超过 {limit_mb:g} MB")
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise too_big
    # A form or a previous check (content sniffing, hashing) may have read the file already.
    seekable = getattr(upload, "seekable", None)
    if callable(seekable) and seekable():
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_big
    return data


def _open(data: bytes, subject: str, quoted: str) -> tuple[Image.Image, str]:
    """The decoded image and its output format, after every check that needs no decoding."""
    not_image = _reject(f"{quoted}不是 JPG/PNG/WebP 图片")
    too_many_pixels = _reject(
        f"{subject}的像素过多（最多 {MAX_PIXELS // 10_000} 万像素），请缩小后再上传"
    )
    broken = _reject(f"{subject}已损坏，无法读取")
    # A deployment may have lowered Pillow's own bomb limit; never let ours be looser.
    pixel_limit = min(MAX_PIXELS, Image.MAX_IMAGE_PIXELS or MAX_PIXELS)
    try:
        with Image.open(io.BytesIO(data), formats=_OPENERS) as probe:
            output = _ACCEPTED.get(probe.format or "")
            if output is None:
                raise not_image
            width, height = probe.size
            if width * height > pixel_limit:
                raise too_many_pixels
            probe.verify()
    except Image.DecompressionBombError:
        raise too_many_pixels from None
    except UnidentifiedImageError:
        raise not_image from None
    except DomainError:
        raise
    except Exception:
        # Decoders of hostile input raise anything: SyntaxError, struct.error, OSError...
        raise broken from None
    # verify() leaves the image unusable; decoding needs a fresh open.
    try:
        image = Image.open(io.BytesIO(data), formats=_OPENERS)
        image.load()
    except Image.DecompressionBombError:
        raise too_many_pixels from None
    except Exception:
        raise broken from None
    return image, output


def _upright(image: Image.Image) -> Image.Image:
    """Phones store pixels as the sensor saw them and say "rotate me" in EXIF; browsers obey
    the tag, so once EXIF is gone the rotation must already be in the pixels."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:
        # A mangled EXIF block must not cost the resident the photo, only its rotation.
        logger.warning("照片的 EXIF 无法读取，按原方向保存", exc_info=True)
        return image.copy()


def _to_srgb(image: Image.Image) -> Image.Image:
    """An iPhone photo is in Display P3: dropping its profile without converting would leave
    the colours dull, so the pixels are moved to sRGB, which is what a profile-less file means."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, target, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A broken or mismatched profile: the colours are as good as unmanaged pixels get.
        return image
    return converted if converted is not None else image


def _working_mode(image: Image.Image, output: str) -> Image.Image:
    """Keep alpha where the format can store it; palette and odd modes become RGB(A) so that
    resampling is smooth (Pillow resizes palette images with nearest-neighbour)."""
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    if output == "JPEG":
        return image if image.mode in ("L", "RGB") else image.convert("RGB")
    if has_alpha:
        return image if image.mode == "RGBA" else image.convert("RGBA")
    return image if image.mode in ("L", "RGB") else image.convert("RGB")


def _encode(image: Image.Image, output: str) -> bytes:
    buffer = io.BytesIO()
    # Nothing from the original is carried over: info is emptied and the metadata arguments
    # are given explicitly, in case a future Pillow copies them from the source by default.
    image.info = {}
    bare = {"exif": b"", "xmp": b"", "icc_profile": None}
    if output == "JPEG":
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, **bare)
    elif output == "PNG":
        image.save(buffer, "PNG", **bare)
    else:
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, **bare)
    return buffer.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    """Always JPEG: lists show dozens of them, and JPEG is the smallest for photographs."""
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    if thumb.mode in ("RGBA", "LA", "PA") or "transparency" in thumb.info:
        rgba = thumb.convert("RGBA")
        thumb = Image.new("RGB", rgba.size, "white")
        thumb.paste(rgba, mask=rgba.getchannel("A"))
    elif thumb.mode not in ("L", "RGB"):
        thumb = thumb.convert("RGB")
    return _encode(thumb, "JPEG")


def clean_photo(upload: UploadedFile | IO[bytes], *, name: str = "") -> CleanPhoto:
    """Check an uploaded photo and return it re-encoded without metadata, with a thumbnail.

    JPEG stays JPEG (quality 85), PNG stays PNG and WebP stays WebP, scaled so that the long
    side is at most 2560 px; anything else, a GIF or a PDF renamed .jpg included, is refused.
    Every refusal is a DomainError("invalid") on the field "photos".
    """
    shown = _display_name(upload, name)
    subject = f"照片“{shown}”" if shown else "照片"
    quoted = f"“{shown}”" if shown else "上传的文件"
    data = _read(upload, subject)
    image, output = _open(data, subject, quoted)
    try:
        image = _working_mode(_to_srgb(_upright(image)), output)
        if max(image.size) > MAX_SIDE:
            image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        thumbnail = _thumbnail(image)
        content = _encode(image, output)
    except DomainError:
        raise
    except Exception:
        raise _reject(f"{subject}已损坏，无法读取") from None
    content_type, extension = _OUTPUT[output]
    return CleanPhoto(
        content=content,
        thumbnail=thumbnail,
        width=image.width,
        height=image.height,
        content_type=content_type,
        extension=extension,
    )
