"""A phone's HEIC or WebP photo turned into JPEG or PNG, in a child process of its own.

Decoding untrusted images is the riskiest parsing the system does: libheif has crashed the whole
process on one crafted metadata box (pillow_heif issue 478: a NULL read in pi-heif 1.4.0, the only
release there is), and a small lossless WebP can unfold into a gigabyte of memory. A crash or a
blow-up in a child costs that child only; the request is told the photo cannot be taken.

The child (`python -m daiban.documents.convert heif|webp MAX_PIXELS`) reads the file on stdin and
writes the converted image on stdout, its first line the content type. It imports neither Django
nor the project's settings (a quick start, nothing of the server's environment needed), limits its
own address space and CPU time before it parses anything, and answers with an exit status:
0 converted, 3 too many pixels, 4 does not decode. The parent (`convert`) maps a timeout, a signal
or any other status to "does not decode".
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# What one conversion may take: a 48-megapixel HEIC decodes in well under this on one core.
MEMORY_BYTES = 2 * 1024 ** 3
CPU_SECONDS = 30
WALL_SECONDS = 60
JPEG_QUALITY = 90  # no visible loss at about a third of PNG's size
MAX_IMAGE_PIXELS = 50_000_000  # a 50-megapixel photo; larger is a decompression bomb, not a scan

TOO_LARGE, UNREADABLE = 3, 4
_ROOT = Path(__file__).resolve().parents[2]


class TooLarge(Exception):
    """More pixels than allowed (checked before decoding)."""


class Unreadable(Exception):
    """Not a photo of that format, damaged, crafted, or more than the child may spend on it."""


@dataclass(frozen=True)
class Converted:
    data: bytes
    content_type: str  # image/jpeg or image/png


def convert(data: bytes, kind: str, max_pixels: int) -> Converted:
    """`data` (kind "heif" or "webp") as JPEG, or PNG for a WebP with transparency or stored
    lossless. Raises TooLarge or Unreadable. Runs the child described in the module's docstring."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(_ROOT), "LANG": "C.UTF-8"}
    try:
        done = subprocess.run(  # noqa: S603 (our own interpreter and module, fixed arguments)
            [sys.executable, "-s", "-m", "daiban.documents.convert", kind, str(max_pixels)],
            input=data, capture_output=True, timeout=WALL_SECONDS, env=env, cwd=str(_ROOT), check=False)
    except subprocess.TimeoutExpired as exc:
        raise Unreadable("timeout") from exc
    if done.returncode == TOO_LARGE:
        raise TooLarge
    head, _, body = done.stdout.partition(b"\n")
    if done.returncode != 0 or head not in (b"image/jpeg", b"image/png") or not body:
        raise Unreadable(f"status {done.returncode}")
    return Converted(body, head.decode())


# --- the child ----------------------------------------------------------------------------------------

def _limit_self() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def _heif(data: bytes, max_pixels: int):
    """The primary picture of a HEIF file (pi-heif: decode-only libheif), drawn as the phone shows it
    (libheif applies the rotation); its size checked before decoding."""
    import pi_heif

    heif = pi_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True)
    width, height = heif.size
    if width <= 0 or height <= 0 or width * height > max_pixels:
        raise TooLarge
    image = heif.to_pillow()
    image.load()
    return image, False


def _webp_lossless(data: bytes) -> bool:
    """Whether a WebP's image is stored lossless: a VP8L chunk, also inside the extended (VP8X)
    format that a colour profile or metadata brings."""
    at = 12
    while at + 8 <= len(data):
        fourcc, size = data[at:at + 4], int.from_bytes(data[at + 4:at + 8], "little")
        if fourcc == b"VP8L":
            return True
        if fourcc in (b"VP8 ", b"ANMF"):
            return False
        at += 8 + size + (size & 1)
    return False


def _webp(data: bytes, max_pixels: int):
    """A WebP's (first) picture; its size checked before decoding."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None  # our own check below, before anything is decoded
    image = Image.open(io.BytesIO(data), formats=["WEBP"])
    width, height = image.size
    if width <= 0 or height <= 0 or width * height > max_pixels:
        raise TooLarge
    image.load()
    return image, _webp_lossless(data)


def _encode(image, lossless: bool) -> tuple[bytes, str]:
    """JPEG, or PNG for transparency or a lossless original; the colour profile kept, no metadata
    (the camera, the time, the place: GPS) carried over."""
    out = io.BytesIO()
    icc = image.info.get("icc_profile")
    alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if alpha or lossless:
        image.convert("RGBA" if alpha else "RGB").save(out, "PNG", icc_profile=icc)
        return out.getvalue(), "image/png"
    image.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, icc_profile=icc)
    return out.getvalue(), "image/jpeg"


def _main(argv: list[str]) -> int:
    _limit_self()
    kind, max_pixels = argv[0], int(argv[1])
    data = sys.stdin.buffer.read()
    try:
        image, lossless = (_heif if kind == "heif" else _webp)(data, max_pixels)
        body, content_type = _encode(image, lossless)
    except TooLarge:
        return TOO_LARGE
    except Exception:  # noqa: BLE001 (untrusted bytes: any failure, MemoryError included, is "does not decode")
        return UNREADABLE
    sys.stdout.buffer.write(content_type.encode() + b"\n" + body)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
