"""Case photos: real images made with Pillow, checked, stripped of metadata and thumbnailed."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms

from shequtong.cases.photos import MAX_SIDE, THUMB_SIDE, CleanPhoto, clean_photo
from shequtong.core.errors import DomainError

RED, BLUE = (220, 20, 20), (20, 20, 220)
GPS_IFD, ORIENTATION, MAKE = 0x8825, 0x0112, 0x010F


def two_tone(size: tuple[int, int] = (400, 200), mode: str = "RGB") -> Image.Image:
    """Left half red, right half blue, so that a rotation shows in the pixels."""
    image = Image.new(mode, size, RED)
    image.paste(BLUE, (size[0] // 2, 0, size[0], size[1]))
    return image


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def phone_jpeg() -> bytes:
    """What a phone writes: sensor-oriented pixels, Orientation=6, the home's GPS, a profile."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif[MAKE] = "HUAWEI"
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (29.0, 33.0, 46.8), 3: "E", 4: (106.0, 33.0, 5.76)})
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return encode(
        two_tone(),
        "JPEG",
        exif=exif.tobytes(),
        icc_profile=srgb,
        comment=b"home of the reporter",
        xmp=b"<x:xmpmeta><exif:GPSLatitude>29,33.78N</exif:GPSLatitude></x:xmpmeta>",
    )


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def reopen(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def refusal(data: bytes, name: str = "x.jpg") -> str:
    with pytest.raises(DomainError) as caught:
        clean_photo(upload(data, name))
    assert caught.value.code == "invalid"
    assert caught.value.fields == {"photos": [caught.value.message]}
    return caught.value.message


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims the given size but holds one row of data: a decompression bomb's
    header, made without spending the memory a real one would take."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * (width + 1)))
        + chunk(b"IEND", b"")
    )


def test_a_phone_jpeg_loses_all_metadata_but_keeps_its_orientation():
    original = phone_jpeg()
    assert b"Exif" in original and b"HUAWEI" in original  # the fixture is what it claims

    photo = clean_photo(upload(original, "IMG_2024.jpg"))

    assert isinstance(photo, CleanPhoto)
    assert (photo.content_type, photo.extension) == ("image/jpeg", "jpg")
    for data in (photo.content, photo.thumbnail):
        assert b"Exif" not in data and b"HUAWEI" not in data
        assert b"xmpmeta" not in data and b"home of the reporter" not in data
        image = reopen(data)
        assert image.format == "JPEG"
        assert not image.getexif()
        assert not {"exif", "icc_profile", "xmp", "comment"} & set(image.info)
    # Orientation 6 means "turn a quarter clockwise": the red left half becomes the top.
    assert (photo.width, photo.height) == (200, 400)
    image = reopen(photo.content)
    assert image.size == (200, 400)
    assert image.getpixel((100, 50))[0] > 180  # top: red
    assert image.getpixel((100, 350))[2] > 180  # bottom: blue
    assert reopen(photo.thumbnail).size == (160, 320)


def test_a_png_with_alpha_stays_png_and_its_thumbnail_is_jpeg_on_white():
    image = two_tone((600, 300), "RGBA")
    image.paste((0, 0, 0, 0), (0, 0, 300, 300))  # left half fully transparent
    photo = clean_photo(upload(encode(image, "PNG"), "shot.png"))

    assert (photo.content_type, photo.extension) == ("image/png", "png")
    content = reopen(photo.content)
    assert content.format == "PNG" and content.mode == "RGBA"
    assert content.getpixel((10, 10))[3] == 0

    thumb = reopen(photo.thumbnail)
    assert thumb.format == "JPEG" and thumb.mode == "RGB"
    assert thumb.size == (THUMB_SIDE, THUMB_SIDE // 2)
    assert min(thumb.getpixel((20, 80))) > 240  # was transparent: now white, not black
    assert thumb.getpixel((300, 80))[2] > 180


def test_a_palette_png_with_transparency_is_thumbnailed_on_white():
    image = Image.new("P", (100, 100), 0)
    image.putpalette([0, 0, 0, 20, 20, 220] + [0] * 762)
    image.paste(1, (50, 0, 100, 100))
    photo = clean_photo(upload(encode(image, "PNG", transparency=0), "map.png"))
    thumb = reopen(photo.thumbnail)
    assert min(thumb.getpixel((10, 50))) > 240
    assert reopen(photo.content).getpixel((10, 50))[3] == 0


def test_webp_stays_webp_without_metadata():
    exif = Image.Exif()
    exif[MAKE] = "Xiaomi"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (29.0, 33.0, 46.8)})
    photo = clean_photo(upload(encode(two_tone(), "WEBP", exif=exif.tobytes()), "a.webp"))
    assert (photo.content_type, photo.extension) == ("image/webp", "webp")
    assert reopen(photo.content).format == "WEBP"
    assert not reopen(photo.content).getexif()
    assert b"Xiaomi" not in photo.content and b"EXIF" not in photo.content


def test_a_large_photo_is_scaled_down_to_2560_on_its_long_side():
    photo = clean_photo(upload(encode(two_tone((3000, 1200)), "JPEG")))
    assert (photo.width, photo.height) == (MAX_SIDE, 1024)
    assert reopen(photo.content).size == (MAX_SIDE, 1024)
    assert reopen(photo.thumbnail).size == (THUMB_SIDE, 128)


def test_a_small_photo_is_not_enlarged():
    photo = clean_photo(upload(encode(two_tone((120, 80)), "JPEG")))
    assert (photo.width, photo.height) == (120, 80)
    assert reopen(photo.thumbnail).size == (120, 80)


def test_a_portrait_mode_mpo_is_accepted_as_the_jpeg_it_is():
    buffer = io.BytesIO()
    two_tone().save(buffer, "MPO", save_all=True, append_images=[two_tone((40, 20))])
    assert Image.open(io.BytesIO(buffer.getvalue())).format == "MPO"
    photo = clean_photo(upload(buffer.getvalue()))
    assert photo.content_type == "image/jpeg"
    assert reopen(photo.content).format == "JPEG" and (photo.width, photo.height) == (400, 200)


def test_a_cmyk_jpeg_becomes_rgb():
    photo = clean_photo(upload(encode(Image.new("CMYK", (50, 50), (0, 255, 255, 0)), "JPEG")))
    image = reopen(photo.content)
    assert image.mode == "RGB" and image.getpixel((25, 25))[0] > 200


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n",
        "这不是图片，只是一段文字".encode(),
        b"",
    ],
    ids=["pdf", "text", "empty"],
)
def test_a_file_that_is_not_an_image_is_refused_by_its_content_not_its_name(data):
    assert refusal(data, "x.jpg") == "“x.jpg”不是 JPG/PNG/WebP 图片"


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_real_images_in_other_formats_are_refused(fmt):
    assert refusal(encode(two_tone(), fmt), "x.jpg") == "“x.jpg”不是 JPG/PNG/WebP 图片"


def test_an_oversized_upload_is_refused_before_it_is_decoded(settings):
    settings.SHEQUTONG_PHOTO_MAX_MB = 0.01
    noisy = Image.effect_noise((300, 300), 100).convert("RGB")
    data = encode(noisy, "JPEG", quality=95)
    assert len(data) > 0.01 * 1024 * 1024
    assert refusal(data, "big.jpg") == "照片“big.jpg”超过 0.01 MB"
    # A plain stream has no declared size: it is read up to the limit and no further.
    stream = io.BytesIO(data)
    with pytest.raises(DomainError) as caught:
        clean_photo(stream, name="big.jpg")
    assert caught.value.message == "照片“big.jpg”超过 0.01 MB"
    assert stream.tell() == int(0.01 * 1024 * 1024) + 1


def test_the_default_limit_is_10_mb(settings):
    del settings.SHEQUTONG_PHOTO_MAX_MB
    assert refusal(b"\0" * (10 * 1024 * 1024 + 1), "huge.jpg") == "照片“huge.jpg”超过 10 MB"


def test_an_image_of_too_many_pixels_is_refused_without_decoding_it():
    # 8000 × 6000 = 48 MP, stored in one bit per pixel: a few kilobytes on the wire.
    data = encode(Image.new("1", (8000, 6000)), "PNG")
    assert len(data) < 1024 * 1024
    assert (
        refusal(data, "wall.png") == "照片“wall.png”的像素过多（最多 4000 万像素），请缩小后再上传"
    )


def test_a_decompression_bomb_is_refused_with_the_same_message():
    # 30000 × 30000 is past Pillow's own hard limit, so Image.open itself raises.
    message = refusal(png_header_only(30_000, 30_000), "bomb.png")
    assert message == "照片“bomb.png”的像素过多（最多 4000 万像素），请缩小后再上传"


def test_a_truncated_photo_is_reported_as_damaged():
    data = encode(Image.effect_noise((400, 400), 80).convert("RGB"), "JPEG")
    assert refusal(data[: len(data) // 2], "half.jpg") == "照片“half.jpg”已损坏，无法读取"


def test_a_png_with_a_bad_checksum_is_reported_as_damaged():
    data = bytearray(encode(two_tone(), "PNG"))
    data[-20] ^= 0xFF  # inside the last IDAT chunk
    assert refusal(bytes(data), "bad.png") == "照片“bad.png”已损坏，无法读取"


def test_an_upload_already_read_by_someone_else_is_read_from_the_start():
    file = upload(phone_jpeg())
    file.read()
    assert clean_photo(file).width == 200


def test_the_message_names_the_given_name_or_none_at_all():
    with pytest.raises(DomainError) as named:
        clean_photo(io.BytesIO(b"GIF89a"), name="报修.jpg")
    assert named.value.message == "“报修.jpg”不是 JPG/PNG/WebP 图片"
    with pytest.raises(DomainError) as unnamed:
        clean_photo(io.BytesIO(b"GIF89a"))
    assert unnamed.value.message == "上传的文件不是 JPG/PNG/WebP 图片"
