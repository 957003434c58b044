#!/usr/bin/env python3
"""Renders a terminal screen captured with `tmux capture-pane -e -p` to PNG.

Reads the capture (text with SGR colour sequences) on stdin, writes an
ImageMagick drawing (MVG) with one rectangle per background run and one text
primitive per character cell (so the grid never drifts), and runs ImageMagick
to turn it into the PNG named on the command line. Standard library only.

usage: ansi_to_png.py OUT.png COLUMNS LINES < capture.txt
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
POINT = 15
CELL_W = 9.0  # DejaVu Sans Mono advances 0.602 em: 9.03 px at 15 px
CELL_H = 19
DEFAULT_FG = "#d0d0d0"
DEFAULT_BG = "#1c1c1c"
BASIC = ["#1c1c1c", "#d75f5f", "#87af5f", "#d7af5f", "#5f87d7", "#af87d7", "#5fafaf", "#d0d0d0",
         "#5f5f5f", "#ff8787", "#afd787", "#ffd787", "#87afff", "#d7afff", "#87d7d7", "#ffffff"]


def xterm256(n):
    if n < 16:
        return BASIC[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    g = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (g, g, g)


class Pen:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None
        self.bg = None
        self.bold = False
        self.reverse = False
        self.underline = False

    def apply(self, params):
        codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 4:
                self.underline = True
            elif c == 7:
                self.reverse = True
            elif c == 22:
                self.bold = False
            elif c == 24:
                self.underline = False
            elif c == 27:
                self.reverse = False
            elif 30 <= c <= 37:
                self.fg = BASIC[c - 30]
            elif 90 <= c <= 97:
                self.fg = BASIC[c - 90 + 8]
            elif 40 <= c <= 47:
                self.bg = BASIC[c - 40]
            elif 100 <= c <= 107:
                self.bg = BASIC[c - 100 + 8]
            elif c == 39:
                self.fg = None
            elif c == 49:
                self.bg = None
            elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                colour = xterm256(codes[i + 2])
                if c == 38:
                    self.fg = colour
                else:
                    self.bg = colour
                i += 2
            i += 1

    def colours(self):
        fg = self.fg or DEFAULT_FG
        bg = self.bg or DEFAULT_BG
        if self.reverse:
            fg, bg = bg, fg
        return fg, bg


SGR = re.compile(r"\x1b\[([0-9;]*)m")


def cells(line, pen):
    """Yields (char, fg, bg, bold, underline) for each cell of a captured line."""
    pos = 0
    for match in SGR.finditer(line):
        for ch in line[pos:match.start()]:
            fg, bg = pen.colours()
            yield ch, fg, bg, pen.bold, pen.underline
        pen.apply(match.group(1))
        pos = match.end()
    for ch in line[pos:]:
        fg, bg = pen.colours()
        yield ch, fg, bg, pen.bold, pen.underline


def mvg_text(ch):
    return ch.replace("\\", "\\\\").replace("'", "\\'")


def render(capture, columns, lines):
    width, height = int(columns * CELL_W) + 16, lines * CELL_H + 16
    out = ["viewbox 0 0 %d %d" % (width, height),
           "fill '%s' rectangle 0,0 %d,%d" % (DEFAULT_BG, width, height),
           "font-size %d" % POINT]
    pen = Pen()
    for row, line in enumerate(capture.split("\n")[:lines]):
        y = 8 + row * CELL_H
        for col, (ch, fg, bg, bold, underline) in enumerate(cells(line, pen)):
            if col >= columns:
                break
            x = 8 + col * CELL_W
            if bg != DEFAULT_BG:
                out.append("fill '%s' rectangle %.1f,%d %.1f,%d" % (bg, x, y, x + CELL_W, y + CELL_H))
            if ch != " ":
                out.append("font '%s' fill '%s' text %.1f,%d '%s'" %
                           (FONT_BOLD if bold else FONT, fg, x, y + CELL_H - 5, mvg_text(ch)))
            if underline:
                out.append("fill '%s' rectangle %.1f,%d %.1f,%d" %
                           (fg, x, y + CELL_H - 2, x + CELL_W, y + CELL_H - 1))
        pen.reset()
    return width, height, "\n".join(out) + "\n"


def imagemagick():
    # /usr/local/bin may hold a stand-in named convert: ask for ImageMagick's own name first.
    for name in ("magick", "convert-im6.q16", "convert"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("ansi_to_png: ImageMagick is not installed (apt-get install imagemagick)")


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    out, columns, lines = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    width, height, mvg = render(sys.stdin.read(), columns, lines)
    with tempfile.NamedTemporaryFile("w", suffix=".mvg", delete=False, encoding="utf-8") as f:
        f.write(mvg)
        path = f.name
    try:
        subprocess.run([imagemagick(), "-size", "%dx%d" % (width, height), "mvg:" + path, out],
                       check=True)
    finally:
        os.unlink(path)


if __name__ == "__main__":
    main()
