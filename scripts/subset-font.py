#!/usr/bin/env python3
"""Make assets/fonts/NotoSansSC-baosong.otf, the CJK font bundled in the binary.

Source: Noto Sans CJK SC Regular (SIL OFL 1.1) from Debian's `fonts-noto-cjk`
(/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc, face 2).
Kept: all of GB2312 (6,763 hanzi and its symbols), ASCII and Latin-1, general and
CJK punctuation, full-width forms, and every character that appears in the bundled
campaign templates or in the Rust sources (so every interface string renders).

Needs `pip install fonttools`. Run from the repository root:
    python3 scripts/subset-font.py
"""
import glob
import os
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection

SRC = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
OUT = "assets/fonts/NotoSansSC-baosong.otf"


def gb2312_chars():
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def project_chars():
    chars = set()
    files = glob.glob("assets/campaigns/*.json") + glob.glob("src/**/*.rs", recursive=True)
    files += glob.glob("docs/example-draft/*.json")
    for path in files:
        with open(path, encoding="utf-8") as f:
            chars.update(f.read())
    return {c for c in chars if ord(c) >= 0x80}


def main():
    chars = gb2312_chars() | project_chars()
    ranges = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFFEF), (0x2460, 0x24FF)]
    for lo, hi in ranges:
        chars.update(chr(c) for c in range(lo, hi + 1))
    font = TTCollection(SRC).fonts[2]
    assert "SC" in font["name"].getDebugName(4), font["name"].getDebugName(4)
    opts = subset.Options()
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.hinting = False
    sub = subset.Subsetter(opts)
    sub.populate(text="".join(sorted(chars)))
    sub.subset(font)
    missing = [c for c in project_chars() if ord(c) not in font.getBestCmap()]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    font.save(OUT)
    print(f"{OUT}: {len(font.getBestCmap())} characters, {os.path.getsize(OUT)} bytes")
    if missing:
        print("not in Noto Sans CJK SC (will fall back to system fonts):", "".join(sorted(missing)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
