"""Render a terminal capture with ANSI colours (`tmux capture-pane -e -p`) to a PNG.

    python scripts/ansi_to_png.py capture.ansi out.png [--cols 90] [--rows 22]

Needs Pillow and a monospace TTF (DejaVu Sans Mono from fonts-dejavu-core). Handles the SGR
codes tmux emits: 16/256/truecolour foreground and background, bold, italic, reverse, reset.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, replace

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu/"
DEFAULT_FG = (220, 223, 228)
DEFAULT_BG = (20, 22, 27)
BASE16 = [
    (0, 0, 0), (205, 49, 49), (13, 188, 121), (229, 229, 16),
    (36, 114, 200), (188, 63, 188), (17, 168, 205), (229, 229, 229),
    (102, 102, 102), (241, 76, 76), (35, 209, 139), (245, 245, 67),
    (59, 142, 234), (214, 112, 214), (41, 184, 219), (255, 255, 255),
]  # fmt: skip
SGR = re.compile(r"\x1b\[([0-9;:]*)m")
OTHER_ESC = re.compile(r"\x1b(\[[0-9;?]*[A-Za-ln-z]|\][^\x07]*\x07|[()][A-Z0-9])")


def xterm256(n: int) -> tuple[int, int, int]:
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        levels = [0, 95, 135, 175, 215, 255]
        return levels[n // 36], levels[(n // 6) % 6], levels[n % 6]
    v = 8 + (n - 232) * 10
    return v, v, v


@dataclass(frozen=True)
class Style:
    fg: tuple[int, int, int] | None = None
    bg: tuple[int, int, int] | None = None
    bold: bool = False
    italic: bool = False
    reverse: bool = False


def apply_sgr(style: Style, params: str) -> Style:
    codes = [int(p) if p else 0 for p in re.split("[;:]", params)] if params else [0]
    i = 0
    while i < len(codes):
        c = codes[i]
        if c == 0:
            style = Style()
        elif c == 1:
            style = replace(style, bold=True)
        elif c == 3:
            style = replace(style, italic=True)
        elif c == 7:
            style = replace(style, reverse=True)
        elif c == 22:
            style = replace(style, bold=False)
        elif c == 23:
            style = replace(style, italic=False)
        elif c == 27:
            style = replace(style, reverse=False)
        elif c in (38, 48) and i + 1 < len(codes):
            if codes[i + 1] == 5 and i + 2 < len(codes):
                color = xterm256(codes[i + 2])
                i += 2
            elif codes[i + 1] == 2 and i + 4 < len(codes):
                color = (codes[i + 2], codes[i + 3], codes[i + 4])
                i += 4
            else:
                color = None
            style = replace(style, fg=color) if c == 38 else replace(style, bg=color)
        elif c == 39:
            style = replace(style, fg=None)
        elif c == 49:
            style = replace(style, bg=None)
        elif 30 <= c <= 37:
            style = replace(style, fg=BASE16[c - 30])
        elif 90 <= c <= 97:
            style = replace(style, fg=BASE16[c - 90 + 8])
        elif 40 <= c <= 47:
            style = replace(style, bg=BASE16[c - 40])
        elif 100 <= c <= 107:
            style = replace(style, bg=BASE16[c - 100 + 8])
        i += 1
    return style


def parse(text: str) -> list[list[tuple[str, Style]]]:
    rows: list[list[tuple[str, Style]]] = []
    style = Style()
    for line in text.split("\n"):
        cells: list[tuple[str, Style]] = []
        pos = 0
        line = OTHER_ESC.sub("", line)
        for m in SGR.finditer(line):
            cells.extend((ch, style) for ch in line[pos : m.start()])
            style = apply_sgr(style, m.group(1))
            pos = m.end()
        cells.extend((ch, style) for ch in line[pos:])
        rows.append(cells)
    return rows


def render(text: str, out: str, cols: int, rows: int, size: int = 15) -> None:
    fonts = {
        (False, False): ImageFont.truetype(FONT_DIR + "DejaVuSansMono.ttf", size),
        (True, False): ImageFont.truetype(FONT_DIR + "DejaVuSansMono-Bold.ttf", size),
        (False, True): ImageFont.truetype(FONT_DIR + "DejaVuSansMono-Oblique.ttf", size),
        (True, True): ImageFont.truetype(FONT_DIR + "DejaVuSansMono-BoldOblique.ttf", size),
    }
    cw = round(fonts[(False, False)].getlength("M"))
    ch = round(size * 1.45)
    pad = 12
    image = Image.new("RGB", (cols * cw + 2 * pad, rows * ch + 2 * pad), DEFAULT_BG)
    draw = ImageDraw.Draw(image)
    for y, cells in enumerate(parse(text)[:rows]):
        for x, (char, st) in enumerate(cells[:cols]):
            fg, bg = st.fg or DEFAULT_FG, st.bg
            if st.reverse:
                fg, bg = bg or DEFAULT_BG, fg
            left, top = pad + x * cw, pad + y * ch
            if bg:
                draw.rectangle([left, top, left + cw - 1, top + ch - 1], fill=bg)
            if char.strip():
                draw.text((left, top + 2), char, font=fonts[(st.bold, st.italic)], fill=fg)
    image.save(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("capture")
    parser.add_argument("out")
    parser.add_argument("--cols", type=int, default=90)
    parser.add_argument("--rows", type=int, default=22)
    args = parser.parse_args()
    with open(args.capture, encoding="utf-8") as f:
        render(f.read(), args.out, args.cols, args.rows)


if __name__ == "__main__":
    main()
