#!/usr/bin/env python3
"""Draws the kiosk's app icons (pwa/icon-*.png): a clock face on the kiosk's dark blue.

Plain Python (zlib only), so it runs anywhere: `python3 scripts/kiosk-icons.py`. The PNGs are
committed; run this again only to change the design.
"""
import math
import struct
import zlib
from pathlib import Path

BG = (15, 23, 42)        # the kiosk's dark background (#0f172a)
FACE = (248, 250, 252)   # the face
HAND = (15, 23, 42)
ACCENT = (34, 197, 94)   # "in" green: the second hand
SAMPLES = 4              # supersampling per axis


def seg_dist(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def colour_at(x, y, size, face_r):
    """The colour at (x, y) in a size×size icon whose face has radius face_r (fraction of size)."""
    c = size / 2
    r = face_r * size
    d = math.hypot(x - c, y - c)
    if d > r:
        return BG
    # 10:10, the hands of a clock at rest; the hour marks at 12, 3, 6, 9.
    def hand(angle_deg, length):
        a = math.radians(angle_deg - 90)
        return c + math.cos(a) * length * r, c + math.sin(a) * length * r
    hx, hy = hand(305, 0.5)
    mx, my = hand(60, 0.75)
    sx, sy = hand(180, 0.8)
    w = r * 0.07
    if seg_dist(x, y, c, c, hx, hy) < w or seg_dist(x, y, c, c, mx, my) < w * 0.8:
        return HAND
    if seg_dist(x, y, c, c, sx, sy) < w * 0.35 or d < w * 1.1:
        return ACCENT
    for k in range(4):
        a = math.radians(k * 90)
        ix, iy = c + math.cos(a) * r * 0.8, c + math.sin(a) * r * 0.8
        ox, oy = c + math.cos(a) * r * 0.92, c + math.sin(a) * r * 0.92
        if seg_dist(x, y, ix, iy, ox, oy) < w * 0.6:
            return HAND
    return FACE


def draw(size, face_r):
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            acc = [0, 0, 0]
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    col = colour_at(x + (sx + 0.5) / SAMPLES, y + (sy + 0.5) / SAMPLES, size, face_r)
                    for i in range(3):
                        acc[i] += col[i]
            row.extend(round(a / SAMPLES ** 2) for a in acc)
        rows.append(bytes(row))
    return png(size, size, b"".join(rows))


def png(w, h, raw):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main():
    out = Path(__file__).resolve().parent.parent / "pwa"
    # "any" icons fill most of the square; the maskable one keeps the face inside the safe
    # zone (a circle of 40 % of the size), since launchers crop it to their own shape.
    for name, size, face in [("icon-192.png", 192, 0.44), ("icon-512.png", 512, 0.44),
                             ("icon-maskable-512.png", 512, 0.34)]:
        (out / name).write_bytes(draw(size, face))
        print(out / name)


if __name__ == "__main__":
    main()
