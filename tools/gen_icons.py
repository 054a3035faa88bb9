"""Draw plugin/icon.png and plugin/extension.png: a ticket with an "H" on a navy-to-teal tile.

Pure Python (zlib + struct), no dependencies, deterministic output: running it again writes the
same bytes. Shapes are signed-distance tests, 4x4 supersampled for anti-aliased edges.
usage: python3 tools/gen_icons.py [plugin dir]
"""

import os
import struct
import sys
import zlib

SIZE = 256
SS = 4


def rounded_rect(x, y, cx, cy, hw, hh, r):
    dx = max(abs(x - cx) - (hw - r), 0.0)
    dy = max(abs(y - cy) - (hh - r), 0.0)
    return (dx * dx + dy * dy) <= r * r and abs(x - cx) <= hw and abs(y - cy) <= hh


def inside_ticket(x, y):
    if not rounded_rect(x, y, 128, 132, 84, 54, 10):
        return False
    for nx in (44, 212):  # notches on both sides
        if (x - nx) ** 2 + (y - 132) ** 2 <= 16 ** 2:
            return False
    return True


def inside_h(x, y):
    bars = [(92, 104, 106, 158), (150, 104, 164, 158), (92, 124, 164, 138)]
    return any(x0 <= x <= x1 and y0 <= y <= y1 for x0, y0, x1, y1 in bars)


def inside_perforation(x, y):
    # dashed line at the right third of the ticket
    return 182 <= x <= 186 and 86 <= y <= 178 and int((y - 86) // 8) % 2 == 0


def pixel(px, py):
    acc = [0.0, 0.0, 0.0, 0.0]
    for sy in range(SS):
        for sx in range(SS):
            x = px + (sx + 0.5) / SS
            y = py + (sy + 0.5) / SS
            if not rounded_rect(x, y, 128, 128, 124, 124, 36):
                continue
            t = (x + y) / (2 * SIZE)
            bg = (int(16 + t * 0), int(42 + t * 110), int(92 + t * 60))
            if inside_ticket(x, y):
                col = (255, 255, 255)
                if inside_h(x, y):
                    col = (16, 52, 104)
                elif inside_perforation(x, y):
                    col = (120, 170, 190)
            else:
                col = bg
            acc[0] += col[0]
            acc[1] += col[1]
            acc[2] += col[2]
            acc[3] += 255
    n = SS * SS
    a = acc[3] / n
    if a == 0:
        return (0, 0, 0, 0)
    k = 255 / acc[3] if acc[3] else 0
    return (round(acc[0] * k), round(acc[1] * k), round(acc[2] * k), round(a))


def png(width, height, rows):
    raw = b"".join(b"\x00" + bytes(row) for row in rows)

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "plugin")
    rows = []
    for py in range(SIZE):
        row = []
        for px in range(SIZE):
            row.extend(pixel(px, py))
        rows.append(row)
    data = png(SIZE, SIZE, rows)
    for name in ("icon.png", "extension.png"):
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)
    print(f"wrote icon.png and extension.png ({len(data)} bytes each)")


if __name__ == "__main__":
    main()
