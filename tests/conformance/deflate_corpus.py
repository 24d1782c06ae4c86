"""Test data for the compression sections (12, 13), generated from fixed seeds: no files.

Five corpora of the kinds Autobahn's sections 12 and 13 use (a play's German text, a
grayscale bitmap, a PDF whose streams are already compressed, a JSON and an HTML document),
each CORPUS_SIZE bytes. They compress as their kinds do: the text, JSON and HTML well, the
bitmap moderately, the PDF hardly at all (deflate then falls back to stored blocks). The JSON and
HTML are ASCII, so any slice of them is valid UTF-8 (they go as text messages); the German text
has multi-byte characters, so it goes as binary, as Autobahn sends its Faust.
"""

import functools
import json
import math
import random
import struct

CORPUS_SIZE = 320 * 1024

GERMAN = ("und der die das ist nicht ich du wir ihr sie ein eine mit auf für über unter Nacht "
          "Geist Welt Herz Glück Träume Mädchen Brüder Straße Wärme Freude schön müde hören "
          "können müssen dürfen wäre größer Bäume Wälder Flüsse Lüfte Sterne Himmel Erde Feuer "
          "Wasser grün blau weiß süß bitter Stunde Morgen Abend Tür Schlüssel Bücher Wissen "
          "Kunst Leben Tod Liebe Zeit ewig jetzt nie immer fröhlich traurig dunkel hell Öl "
          "Ärger Übermut heißt weiß gewiß").split()
SPEAKERS = ["ERSTER", "ZWEITER", "DER ALTE", "DIE JUNGE", "CHOR", "STIMME", "WIRT"]
ENGLISH = ("the of and to in is for on with as by at from that this which be are was were it "
           "an or not have has had can will would should could about into over under between "
           "server client message frame window context compression stream block data value "
           "request response header field table row column section page item list order "
           "account customer product price total status active pending closed open time date "
           "name city street country note summary detail report").split()


def _rng(seed):
    return random.Random(seed)


@functools.lru_cache(maxsize=None)
def german_text():
    """Verses of a play: speakers, lines of 4-9 words, stage directions; UTF-8."""
    rng, out, size = _rng(12001), [], 0
    while size < CORPUS_SIZE:
        if rng.random() < 0.06:
            line = "\n(%s)\n" % " ".join(rng.choice(GERMAN) for _ in range(rng.randint(3, 6)))
        else:
            line = "\n%s:\n" % rng.choice(SPEAKERS)
            for _ in range(rng.randint(1, 6)):
                words = [rng.choice(GERMAN) for _ in range(rng.randint(4, 9))]
                words[0] = words[0][:1].upper() + words[0][1:]
                line += " ".join(words) + rng.choice([",", ".", "!", "?", ";", ""]) + "\n"
        data = line.encode()
        out.append(data)
        size += len(data)
    return b"".join(out)[:CORPUS_SIZE]


@functools.lru_cache(maxsize=None)
def bitmap():
    """A 512x512 8-bit grayscale BMP: smooth shapes plus a little noise."""
    width = height = 512
    palette = b"".join(bytes((v, v, v, 0)) for v in range(256))
    offset = 14 + 40 + len(palette)
    header = (b"BM" + struct.pack("<IHHI", offset + width * height, 0, 0, offset)
              + struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 0, width * height, 2835,
                            2835, 256, 0))
    sx = [math.sin(x / 23.0) for x in range(width)]
    cy = [math.cos(y / 31.0) for y in range(height)]
    diag = [30.0 * math.sin(d / 57.0) for d in range(width + height)]
    noise = _rng(12002).randbytes(width * height)
    rows = []
    for y in range(height):
        c, base = cy[y], y * width
        rows.append(bytes(max(0, min(255, int(128 + 60 * sx[x] * c + diag[x + y])
                                     + (noise[base + x] & 7) - 4)) for x in range(width)))
    data = header + palette + b"".join(rows)
    return (data * (CORPUS_SIZE // len(data) + 1))[:CORPUS_SIZE]


@functools.lru_cache(maxsize=None)
def pdf():
    """PDF-like objects whose streams are random bytes (as compressed streams look)."""
    rng, out, size, n = _rng(12003), [b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"], 0, 1
    while size < CORPUS_SIZE:
        length = rng.randint(2048, 16384)
        obj = (b"%d 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % (n, length)
               + rng.randbytes(length) + b"\nendstream\nendobj\n")
        out.append(obj)
        size += len(obj)
        n += 1
    return b"".join(out)[:CORPUS_SIZE]


@functools.lru_cache(maxsize=None)
def json_text():
    """A JSON array of records (ASCII)."""
    rng, records, size, i = _rng(12004), [], 0, 0
    while size < CORPUS_SIZE:
        name = "%s %s" % (rng.choice(ENGLISH).title(), rng.choice(ENGLISH).title())
        record = {
            "id": 100000 + i,
            "guid": "%08x-%04x-%04x" % (rng.getrandbits(32), rng.getrandbits(16),
                                        rng.getrandbits(16)),
            "name": name,
            "email": "%s.%d@example.com" % (name.lower().replace(" ", "."), rng.randint(1, 99)),
            "active": rng.random() < 0.5,
            "balance": round(rng.uniform(0, 10000), 2),
            "tags": [rng.choice(ENGLISH) for _ in range(rng.randint(1, 5))],
            "address": {"street": "%d %s Street" % (rng.randint(1, 999),
                                                    rng.choice(ENGLISH).title()),
                        "city": rng.choice(ENGLISH).title(), "zip": "%05d" % rng.randint(0, 99999)},
            "about": " ".join(rng.choice(ENGLISH) for _ in range(rng.randint(8, 30))),
        }
        text = json.dumps(record, indent=2, ensure_ascii=True)
        records.append(text)
        size += len(text) + 2
        i += 1
    return ("[\n" + ",\n".join(records) + "\n]\n").encode("ascii")[:CORPUS_SIZE]


@functools.lru_cache(maxsize=None)
def html_text():
    """An HTML page of sections, paragraphs and tables (ASCII)."""
    rng = _rng(12005)

    def words(a, b):
        return " ".join(rng.choice(ENGLISH) for _ in range(rng.randint(a, b)))

    parts = ["<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
             "<title>Report</title>\n<link rel=\"stylesheet\" href=\"style.css\">\n</head>\n"
             "<body>\n"]
    size = len(parts[0])
    n = 0
    while size < CORPUS_SIZE:
        n += 1
        block = ["<div class=\"section\" id=\"s%d\">\n<h2>%s</h2>\n" % (n, words(2, 5).title())]
        for _ in range(rng.randint(1, 4)):
            block.append("<p>%s.</p>\n" % words(15, 60).capitalize())
        if rng.random() < 0.5:
            block.append("<table class=\"data\">\n<tr><th>Name</th><th>Status</th>"
                         "<th>Total</th></tr>\n")
            for _ in range(rng.randint(3, 12)):
                block.append("<tr><td><a href=\"/item/%d\">%s</a></td><td class=\"%s\">%s</td>"
                             "<td>%.2f</td></tr>\n"
                             % (rng.randint(1, 99999), words(1, 3), rng.choice(ENGLISH),
                                rng.choice(ENGLISH), rng.uniform(0, 1000)))
            block.append("</table>\n")
        block.append("</div>\n")
        text = "".join(block)
        parts.append(text)
        size += len(text)
    return "".join(parts).encode("ascii")[:CORPUS_SIZE]


def messages(data, size):
    """Successive slices of `size` bytes of `data`, wrapping round its end (as Autobahn does)."""
    pos = 0
    while True:
        end = pos + size
        if end <= len(data):
            yield data[pos:end]
        else:
            yield data[pos:] + data[: end - len(data)]
        pos = end % len(data)
