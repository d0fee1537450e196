#!/usr/bin/env python3
"""Checks that every file or folder path a comment in src/ names exists.

usage: check_comment_paths.py REPO_DIR

A path is a word in a `//` or `/* */` comment that starts with a folder of src/ (common/,
store/, …) or of the repository (src/, docs/, tests/, scripts/, cmake/, fuzz/) and has at least
one more segment ("common/status.h", "docs/formats/chunk.md", "tests/conformance/"). It is
looked up under src/ and under the repository, also with ".cpp" added (a test or fuzz binary is
named after its source: "tests/unit/sigv4_test"); `{a,b}` alternatives are each looked up and
`*` matches as in a shell. Words with placeholders (`<tier>`) are not paths. Fails (exit 1) naming
each comment whose path exists in neither place.
"""
import glob
import os
import re
import sys

WORD = re.compile(r"[A-Za-z0-9_.*{},/<>-]+")
TOP = ("src", "docs", "tests", "scripts", "cmake", "fuzz")


def comments(text):
    """Yields (line number, comment text) for // and /* */ comments, skipping string literals."""
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
        elif c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            yield line, text[i + 2:j]
            i = j
            continue
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j
            body = text[i + 2:j]
            yield line, body
            line += body.count("\n")
            i = j + 2
            continue
        i += 1


def expand(word):
    m = re.search(r"\{([^{}]*)\}", word)
    if not m:
        return [word]
    out = []
    for alt in m.group(1).split(","):
        out += expand(word[:m.start()] + alt + word[m.end():])
    return out


def exists(repo, path):
    for base in (os.path.join(repo, "src"), repo):
        full = os.path.join(base, path)
        if glob.glob(full) if "*" in path else os.path.exists(full):
            return True
        if os.path.exists(full + ".cpp"):
            return True
    return False


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    repo = sys.argv[1]
    src = os.path.join(repo, "src")
    roots = set(TOP) | {d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d))}
    problems, checked = [], 0
    for root, _, files in os.walk(src):
        for name in sorted(files):
            path = os.path.join(root, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            for line, comment in comments(text):
                for word in WORD.findall(comment):
                    word = word.strip(".,*")
                    if "/" not in word or "<" in word or ">" in word:
                        continue
                    if word.split("/", 1)[0] not in roots or word.endswith("//"):
                        continue
                    for p in expand(word):
                        checked += 1
                        if not exists(repo, p):
                            rel = os.path.relpath(path, repo)
                            problems.append(f"{rel}:{line}: the comment names '{p}', which is "
                                            f"neither in src/ nor in the repository")
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"comment paths: {len(problems)} missing; fix the comment or the path",
              file=sys.stderr)
        return 1
    print(f"comment paths: all {checked} exist")
    return 0


if __name__ == "__main__":
    sys.exit(main())
