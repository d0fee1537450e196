#!/usr/bin/env python3
"""Deterministic sample data shaped like StoryDredge's, for the demo and the benchmarks.

  gen_data.py corpus DIR COUNT [MIN_KB MAX_KB] [--seed N]
      OCR-like text files named per_<paper>_<YYYY-MM-DD>_<vol>_<issue>.txt
  gen_data.py articles COUNT [--start-id N] [--seed N] > rows.copy
      rows for the `articles` table in COPY text format (tab-separated, \\N for NULL)
"""
import argparse
import datetime
import os
import random

PAPERS = ["atlanta-constitution", "chicago-defender", "new-york-tribune", "boston-globe",
          "san-francisco-call", "washington-times", "st-louis-post-dispatch"]
WORDS = ("the of and to a in that was for on with his by at from it as be were is which "
         "had have this not are but they an all he or has been their one would who its "
         "council mayor railroad cotton bank election senate harbor fire street court "
         "market wheat steamer bridge county governor strike church school hospital "
         "jury verdict storm flood crop telegraph automobile aviator prohibition").split()
NOISE = list("ﬁﬂ~^|;:'\"`,.") + ["tlie", "aud", "wliich", "bnt", "ot"]


def ocr_text(rng, size):
    out, n = [], 0
    line = []
    while n < size:
        w = rng.choice(WORDS) if rng.random() > 0.03 else rng.choice(NOISE)
        if rng.random() < 0.05:
            w = w.capitalize()
        line.append(w)
        n += len(w) + 1
        if len(line) >= rng.randint(6, 14):
            out.append(" ".join(line))
            line = []
    out.append(" ".join(line))
    return ("\n".join(out) + "\n")[:size]


class TextPool:
    """Slices of one pre-generated block: fast, and still varied enough for tests."""

    def __init__(self, rng, size=4 << 20):
        self.rng = rng
        self.block = ocr_text(rng, size)

    def take(self, size, label):
        start = self.rng.randint(0, max(0, len(self.block) - size))
        head = f"{label}\n"
        return head + self.block[start:start + max(0, size - len(head))]


def corpus(args):
    rng = random.Random(args.seed)
    pool = TextPool(rng, max(4 << 20, args.max_kb * 1024 + 1))
    os.makedirs(args.dir, exist_ok=True)
    day = datetime.date(args.start_year, 1, 1)
    made = 0
    while made < args.count:
        for paper in PAPERS:
            if made >= args.count:
                break
            vol = 40 + (day.year - 1920)
            issue = day.timetuple().tm_yday
            name = f"per_{paper}_{day.isoformat()}_{vol}_{issue}.txt"
            size = rng.randint(args.min_kb * 1024, args.max_kb * 1024)
            with open(os.path.join(args.dir, name), "w", encoding="utf-8") as f:
                f.write(pool.take(size, name))
            made += 1
        day += datetime.timedelta(days=1)


def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def articles(args):
    rng = random.Random(args.seed)
    pool = TextPool(rng, max(4 << 20, args.max_content + 1))
    base = datetime.datetime(2025, 5, 27, 0, 0, 0)
    import sys
    w = sys.stdout.write
    for i in range(args.count):
        aid = args.start_id + i
        paper = PAPERS[aid % len(PAPERS)]
        day = datetime.date(1920, 1, 1) + datetime.timedelta(days=aid // 7)
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).title()[:80]
        content = pool.take(rng.randint(200, args.max_content), f"article {aid}")
        url = f"archive.org/per_{paper}_{day.isoformat()}_{40 + day.year - 1920}_{aid % 300}"
        ts = base + datetime.timedelta(seconds=aid * 3, microseconds=rng.randint(0, 999999))
        q = "\\N" if rng.random() < 0.02 else f"{rng.random() * 10:.6f}"
        nw = f"{rng.random() * 10:.6f}"
        un = "NaN" if rng.random() < 0.001 else f"{rng.random() * 10:.6f}"
        w("\t".join([str(aid), esc(title), esc(content), paper, url,
                     ts.strftime("%Y-%m-%d %H:%M:%S.%f"), q, nw, un]) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("corpus")
    c.add_argument("dir")
    c.add_argument("count", type=int)
    c.add_argument("min_kb", type=int, nargs="?", default=50)
    c.add_argument("max_kb", type=int, nargs="?", default=400)
    c.add_argument("--seed", type=int, default=1920)
    c.add_argument("--start-year", type=int, default=1920)
    a = sub.add_parser("articles")
    a.add_argument("count", type=int)
    a.add_argument("--start-id", type=int, default=1)
    a.add_argument("--max-content", type=int, default=20000)
    a.add_argument("--seed", type=int, default=1920)
    args = p.parse_args()
    corpus(args) if args.cmd == "corpus" else articles(args)


if __name__ == "__main__":
    main()
