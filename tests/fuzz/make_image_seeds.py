#!/usr/bin/python3
"""Writes the seed corpus of fuzz_image_load: tiny valid images in every format stb_image decodes.

Run by hand (needs Pillow: /usr/bin/python3 on Debian has it):
    /usr/bin/python3 tests/fuzz/make_image_seeds.py tests/fuzz/corpus/fuzz_image_load
The output is committed; the fuzzer only needs the files, not this script.
"""
import io
import os
import struct
import sys

from PIL import Image

out = sys.argv[1] if len(sys.argv) > 1 else "tests/fuzz/corpus/fuzz_image_load"
os.makedirs(out, exist_ok=True)


def pattern(mode, w, h):
    img = Image.new(mode, (w, h))
    px = img.load()
    for y in range(h):
        for x in range(w):
            v = (x * 37 + y * 91) % 256
            if mode == "L":
                px[x, y] = v
            elif mode == "LA":
                px[x, y] = (v, 255 - v)
            elif mode == "RGB":
                px[x, y] = (v, (v * 3) % 256, 255 - v)
            elif mode == "RGBA":
                px[x, y] = (v, (v * 3) % 256, 255 - v, (x * 50) % 256)
            elif mode == "1":
                px[x, y] = 255 if (x + y) % 2 else 0
            elif mode == "I;16":
                px[x, y] = v * 257
    return img


def save(name, img, fmt, **kw):
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    with open(os.path.join(out, name), "wb") as f:
        f.write(buf.getvalue())


# PNG: grey, grey+alpha, RGB, RGBA, 1-bit, palette (4-bit), 16-bit, and a grey image stored as RGB.
save("grey.png", pattern("L", 7, 5), "PNG")
save("grey_alpha.png", pattern("LA", 5, 4), "PNG")
save("rgb.png", pattern("RGB", 6, 5), "PNG")
save("rgba.png", pattern("RGBA", 4, 6), "PNG")
save("bilevel.png", pattern("1", 9, 3), "PNG")
save("palette.png", pattern("RGB", 8, 4).quantize(colors=16), "PNG", bits=4)
save("grey16.png", pattern("I;16", 5, 3), "PNG")
save("grey_as_rgb.png", pattern("L", 6, 6).convert("RGB"), "PNG")
# JPEG: baseline grey, baseline colour with 4:2:0 subsampling, progressive.
save("grey.jpg", pattern("L", 8, 8), "JPEG", quality=90)
save("rgb420.jpg", pattern("RGB", 17, 9), "JPEG", quality=75, subsampling=2)
save("progressive.jpg", pattern("RGB", 16, 16), "JPEG", quality=80, progressive=True)
# BMP (24-bit, 8-bit palette), GIF, TGA (plain and RLE), PNM (P5 / P6).
save("rgb.bmp", pattern("RGB", 5, 3), "BMP")
save("palette.bmp", pattern("L", 6, 2).convert("P"), "BMP")
save("anim.gif", pattern("RGB", 6, 4).convert("P"), "GIF")
save("rgb.tga", pattern("RGB", 4, 3), "TGA")
save("rle.tga", pattern("RGBA", 6, 2), "TGA", compression="tga_rle")
save("grey.pgm", pattern("L", 4, 4), "PPM")
save("rgb.ppm", pattern("RGB", 3, 2), "PPM")
# Radiance HDR (flat RGBE scanlines), written by hand.
w, h = 4, 2
hdr = b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y %d +X %d\n" % (h, w)
hdr += b"".join(struct.pack("4B", 128, (64 + 8 * i) % 256, 32, 129) for i in range(w * h))
with open(os.path.join(out, "flat.hdr"), "wb") as f:
    f.write(hdr)
print("wrote", len(os.listdir(out)), "seeds to", out)
