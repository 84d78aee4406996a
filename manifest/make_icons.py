"""Draws the two Teams app icons (run once; the PNGs are committed): `python manifest/make_icons.py`.

color.png: 192x192, a dark house on the Flemish yellow. outline.png: 32x32, the same house in
white on a transparent background, as Teams requires. Plain zlib, so no imaging library is needed.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
YELLOW = (0xFF, 0xE6, 0x15, 0xFF)
BLACK = (0x1D, 0x1D, 0x1B, 0xFF)
WHITE = (0xFF, 0xFF, 0xFF, 0xFF)
CLEAR = (0, 0, 0, 0)


def in_house(x: float, y: float) -> bool:
    """A house in the unit square: a roof triangle over a body with a door."""
    roof = 0.15 <= y <= 0.5 and abs(x - 0.5) <= (y - 0.15) / 0.35 * 0.42
    body = 0.5 <= y <= 0.85 and 0.2 <= x <= 0.8
    door = 0.62 <= y <= 0.85 and 0.43 <= x <= 0.57
    return (roof or body) and not door


def png(width: int, height: int, pixel) -> bytes:  # noqa: ANN001
    raw = b"".join(
        b"\x00" + b"".join(bytes(pixel((x + 0.5) / width, (y + 0.5) / height)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main() -> None:
    (HERE / "color.png").write_bytes(png(192, 192, lambda x, y: BLACK if in_house(x, y) else YELLOW))
    (HERE / "outline.png").write_bytes(png(32, 32, lambda x, y: WHITE if in_house(x, y) else CLEAR))


if __name__ == "__main__":
    main()
