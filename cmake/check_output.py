#!/usr/bin/env python3
"""Checks that no command writes its own output (#16 step 5: one output path).

usage: check_output.py COMMANDS_DIR

Every file in COMMANDS_DIR (src/commands/) must print through cli/output.h: PrintJson for
--json results, FailJson for --json errors, PrintText/PrintTextF for human lines. A line that
writes to stdout itself (printf, puts, fputs/fwrite/fprintf to stdout, std::cout) or turns a
JSON value into text with .dump( (which throws on bytes that are not UTF-8 unless told to
replace them) fails the check, named by file and line. Comments and string literals are
ignored; snprintf into a buffer is fine.
"""
import os
import re
import sys

FORBIDDEN = [
    (re.compile(r"(?<![A-Za-z0-9_])(std::)?printf\s*\("), "printf writes stdout"),
    (re.compile(r"(?<![A-Za-z0-9_])(std::)?puts\s*\("), "puts writes stdout"),
    (re.compile(r"\b(fputs|fwrite|fprintf|fputc|putc)\s*\([^;]*\bstdout\b"), "writes stdout"),
    (re.compile(r"\bstd::cout\b"), "std::cout writes stdout"),
    (re.compile(r"\.dump\s*\("), ".dump() turns JSON into text"),
]


def code_only(line):
    """The line without string literals and // comments (good enough for one-line checks)."""
    line = re.sub(r'"(\\.|[^"\\])*"', '""', line)
    return line.split("//", 1)[0]


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = sys.argv[1]
    bad = 0
    for name in sorted(os.listdir(root)):
        if not name.endswith((".cpp", ".h")):
            continue
        path = os.path.join(root, name)
        with open(path, encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                code = code_only(line)
                for pattern, why in FORBIDDEN:
                    if pattern.search(code):
                        print(f"{path}:{n}: {why}: print through cli/output.h "
                              f"(PrintJson, FailJson, PrintText)")
                        bad += 1
                        break
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
