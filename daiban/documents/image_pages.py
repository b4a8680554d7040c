"""Image attachments filed as pages of the case file (一案一档): each photo or photographed document on
an A4 page of its own, so that it carries its 页号 like every other filed page (DA/T 22-2015: photos
filed in a 卷 are mounted on sheets that carry the 页号; casefile.stamp_page_numbers prints it).

A page: the image fitted into the text area and centred, never drawn larger than its own size (its
pixels at the resolution it says it was made at, IMAGE_DEFAULT_DPI when it says none or nonsense),
turned as its EXIF orientation says, with a caption line under it (the attachment's 题名 and the day
it was uploaded). The image on the page is a copy made for printing: 8-bit RGB or grey, transparency
laid on white, CMYK turned to RGB (through its ICC profile when it has one), at most PRINT_DPI at the
size drawn, without its metadata (the camera, GPS); the upload itself is kept beside it in the case
file's 原件 folder, byte for byte.

An image this cannot print (more than MAX_IMAGE_PIXELS pixels, the uploads' limit, animated, damaged, a mode Pillow
cannot convert, any failure of the decoder) is left to the caller, which files it as it came.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import warnings
from dataclasses import dataclass

from daiban.documents.convert import JPEG_QUALITY, MAX_IMAGE_PIXELS

log = logging.getLogger(__name__)

# The text area an image is fitted into, under the 页号's margin (archive_page_numbers.html: 9 mm
# from the top, 14 pt high) and above the caption: A4 with margins of 25 mm (top), 20 mm (sides)
# and 15 mm (bottom), less CAPTION_MM for the caption under the image.
BOX_WIDTH_MM = 170.0
BOX_HEIGHT_MM = 237.0
CAPTION_MM = 20.0
IMAGE_DEFAULT_DPI = 96.0  # a CSS pixel: what a browser shows an image without a resolution at
DPI_RANGE = (10.0, 2400.0)  # a resolution outside this is nonsense (0, 1, a million): the default is taken
PRINT_DPI = 300  # pixels per inch kept at the size drawn: a print's resolution, a smaller case file


@dataclass(frozen=True)
class Printable:
    """An image ready for its page: the encoded copy, its file suffix, its size drawn in mm."""

    data: bytes
    suffix: str  # "jpg" or "png"
    width_mm: float
    height_mm: float


def _dpi(value: object) -> float:
    try:
        dpi = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return IMAGE_DEFAULT_DPI
    return dpi if DPI_RANGE[0] <= dpi <= DPI_RANGE[1] else IMAGE_DEFAULT_DPI


def _turned(image) -> bool:
    """Does the EXIF orientation turn the image by a quarter (5-8: width and height swap)?"""
    try:
        return image.getexif().get(0x0112) in (5, 6, 7, 8)
    except Exception:  # noqa: BLE001 (unreadable EXIF: drawn as stored)
        return False


def _fitted(width_px: int, height_px: int, dpi: tuple[float, float]) -> tuple[float, float]:
    """The size drawn in mm: the image's own size at its resolution, made smaller to fit the box."""
    width_mm, height_mm = width_px / dpi[0] * 25.4, height_px / dpi[1] * 25.4
    scale = min(1.0, BOX_WIDTH_MM / width_mm, BOX_HEIGHT_MM / height_mm)
    return width_mm * scale, height_mm * scale


def _eight_bit(image):
    """`image` (decoded, EXIF orientation applied) as 8-bit RGB or L, transparency laid on white."""
    from PIL import Image, ImageCms

    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit grey (a scanner's PNG): scaled to 8 bits, not clipped at 255.
        top = 65535 if image.mode.startswith("I;16") else max(1, image.getextrema()[1])
        return image.convert("I").point(lambda v: v * (255 / top)).convert("L")
    if image.mode == "F":
        low, high = image.getextrema()
        span = (high - low) or 1.0
        return image.point(lambda v: (v - low) * (255 / span)).convert("L")
    if image.mode == "CMYK":
        profile = image.info.get("icc_profile")
        if profile:
            try:
                converted = ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                                                      ImageCms.createProfile("sRGB"), outputMode="RGB")
                if converted is not None:
                    return converted
            except Exception:  # noqa: BLE001 (a damaged profile: converted without it)
                log.info("CMYK image with an unusable ICC profile converted without it")
        return image.convert("RGB")
    if image.mode == "1":
        return image.convert("L")
    transparent = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info
    if transparent:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image if image.mode in ("L", "RGB") else image.convert("RGB")


def load_whole(image) -> None:
    """Decode `image`, failing on a truncated file. WeasyPrint sets Pillow's process-wide
    LOAD_TRUNCATED_IMAGES on import (a cut-off photo would be printed with its missing part grey):
    it is turned off for this decoding. WeasyPrint only ever loads the copies made here, which are
    whole, so its own loading in another thread meanwhile loses nothing."""
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        image.load()
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def printable(data: bytes) -> Printable | None:
    """The copy of an image attachment to draw on its page, or None for one this does not print
    (see the module's docstring). Never raises."""
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in ("JPEG", "PNG"):
                    return None
                if getattr(image, "n_frames", 1) > 1:
                    return None  # an animated PNG: one frame would not be the whole file
                width, height = image.size
                if width < 1 or height < 1 or width * height > MAX_IMAGE_PIXELS:
                    return None
                raw = image.info.get("dpi") or (IMAGE_DEFAULT_DPI, IMAGE_DEFAULT_DPI)
                dpi = (_dpi(raw[0]), _dpi(raw[1])) if isinstance(raw, tuple) and len(raw) == 2 \
                    else (IMAGE_DEFAULT_DPI, IMAGE_DEFAULT_DPI)
                turned = _turned(image)
                shown = (height, width) if turned else (width, height)
                shown_dpi = (dpi[1], dpi[0]) if turned else dpi
                width_mm, height_mm = _fitted(*shown, shown_dpi)
                wanted = (max(1, math.ceil(width_mm / 25.4 * PRINT_DPI)), max(1, math.ceil(height_mm / 25.4 * PRINT_DPI)))
                if image.format == "JPEG":  # decoded at 1/2, 1/4, 1/8 when that is still enough pixels
                    image.draft(image.mode, (wanted[1], wanted[0]) if turned else wanted)
                load_whole(image)
                try:
                    upright = ImageOps.exif_transpose(image)
                except Exception:  # noqa: BLE001 (unreadable EXIF: drawn as stored)
                    upright = image.copy()
                flat = _eight_bit(upright)
                if flat.size[0] > wanted[0] or flat.size[1] > wanted[1]:
                    flat = flat.resize((min(wanted[0], flat.size[0]), min(wanted[1], flat.size[1])),
                                       Image.Resampling.LANCZOS)
                buffer = io.BytesIO()
                photo = image.format == "JPEG"
                if photo:
                    flat.save(buffer, format="JPEG", quality=JPEG_QUALITY)
                else:
                    flat.save(buffer, format="PNG", optimize=False)
        return Printable(buffer.getvalue(), "jpg" if photo else "png", width_mm, height_mm)
    except Exception:  # noqa: BLE001 (any failure of the decoder: the image is filed as it came)
        log.warning("image attachment not printable as a page", exc_info=True)
        return None


def _fetcher(images: dict[str, bytes]):
    """A WeasyPrint URL fetcher that serves `images` ({URL: bytes}) and nothing else (no file, no
    network: the page is made of what the case file holds)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Images(URLFetcher):
        def fetch(self, url, headers=None):
            if url not in images:
                raise ValueError("not an image of the case file")
            return URLFetcherResponse(url, body=images[url], headers={"Content-Type": "image/*"})

    return Images(fail_on_errors=True)


def image_pages(images: list[tuple[Printable, str]]) -> list[bytes] | None:
    """One PDF of one A4 page for each (image, caption), laid out as one WeasyPrint document (the
    fonts loaded once for a hundred photos), each page written on its own with only its image. None
    when the pages do not come out one per image (nothing is filed half done). The images are named
    by their SHA-256 (WeasyPrint names an image in the PDF after its URL: the same case file built
    again is the same bytes)."""
    from daiban.documents.pdf import _rendered

    if not images:
        return []
    served: dict[str, bytes] = {}
    pages = []
    for image, caption in images:
        url = f"daiban-image:{hashlib.sha256(image.data).hexdigest()}.{image.suffix}"
        served[url] = image.data
        pages.append({"src": url, "width": f"{image.width_mm:.3f}", "height": f"{image.height_mm:.3f}",
                      "caption": caption})
    document = _rendered("documents/archive_image_page.html", {
        "pages": pages, "box_width": BOX_WIDTH_MM, "box_height": BOX_HEIGHT_MM, "caption_mm": CAPTION_MM,
        "sheet_height": BOX_HEIGHT_MM + CAPTION_MM,
    }, url_fetcher=_fetcher(served))
    if len(document.pages) != len(images):
        log.warning("image pages: %d pages for %d images", len(document.pages), len(images))
        return None
    return [document.copy([page]).write_pdf() for page in document.pages]
