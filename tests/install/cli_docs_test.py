#!/usr/bin/env python3
"""The generated man page and completions cover the whole CLI as --help shows it.

    cli_docs_test.py DREDGE_BINARY DOCS_DIR

Walks `dredge [COMMAND...] --help` from the top (not the JSON dump the pages are made from, so
a fault in the dump or the generator shows up) and checks that every command and every flag
appears in the man page, in that command's section, and in the bash, zsh and fish scripts;
bash's completion is run for each command and must offer each of its flags and subcommands.
Exits 1 naming each miss.
"""
import os
import re
import subprocess
import sys

FLAG = re.compile(r"(?<![\w-])(--?[A-Za-z0-9][\w-]*)")


def help_of(binary, path):
    r = subprocess.run([binary] + path + ["--help"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env={"PATH": "/usr/bin:/bin"})
    if r.returncode != 0:
        sys.exit("dredge %s --help exited %d: %s" % (" ".join(path), r.returncode, r.stderr.decode()))
    return r.stdout.decode()


def parse_help(text):
    """(flags, subcommand names) listed in one CLI11 help screen."""
    flags, subs, section = [], [], None
    for line in text.splitlines():
        if re.match(r"^\S.*:$", line):
            section = line[:-1].strip()
            continue
        m = re.match(r"^  (\S.*?)(\s{2,}.*)?$", line)
        if not m or section is None:
            continue
        head = m.group(1)
        if section == "Subcommands":
            subs.append(head.split()[0])
        elif section != "Positionals":  # "Options" or a named option group
            names = head.split()[0]
            # "--nice,--no-nice{false}": the braces give the value a flag sets
            flags += [re.sub(r"\{.*\}$", "", f) for f in names.split(",") if f.startswith("-")]
    return flags, subs


def man_sections(man):
    """{"backup files": section text, "": text before COMMANDS}, roff dashes unescaped."""
    text = re.sub(r"\\f[BIRP]", "", man.replace("\\-", "-"))  # dashes and font changes
    parts = re.split(r'^\.SS "dredge ([^"]*)"$', text, flags=re.M)
    out = {"": parts[0]}
    for i in range(1, len(parts), 2):
        out[parts[i]] = parts[i + 1]
    return out


def bash_complete(script, words):
    """COMPREPLY of the generated bash completion for the command line `words` (last = cursor)."""
    prog = 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _dredge; ' \
           'printf "%s\\n" "${COMPREPLY[@]}"'
    r = subprocess.run(["bash", "-c", prog, "bash", script] + words, stdout=subprocess.PIPE,
                       check=True)
    return set(r.stdout.decode().split())


def main():
    binary, docs = sys.argv[1], sys.argv[2]
    read = lambda p: open(os.path.join(docs, p)).read()
    try:
        man = man_sections(read("man/dredge.1"))
        scripts = {s: read("completions/" + s) for s in ("dredge.bash", "_dredge", "dredge.fish")}
    except FileNotFoundError as e:
        sys.exit("%s: build the default target first (cmake --build build)" % e)
    misses, seen, todo = [], 0, [[]]
    while todo:
        path = todo.pop()
        flags, subs = parse_help(help_of(binary, path))
        todo += [path + [s] for s in subs]
        name = " ".join(path)
        section = man.get(name)
        if section is None:
            misses.append("man page: no section for 'dredge %s'" % name)
            section = ""
        for f in flags:
            seen += 1
            if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(f), section):
                misses.append("man page: 'dredge %s' lacks %s" % (name, f))
        bash = os.path.join(docs, "completions", "dredge.bash")
        for cur, want in (("-", flags), ("", subs)):
            got = bash_complete(bash, ["dredge"] + path + [cur])
            for w in want:
                if w not in got:
                    misses.append("bash: 'dredge %s %s<TAB>' does not offer %s" % (name, cur, w))
        for script, text in scripts.items():
            for word in flags + subs:
                bare = word.lstrip("-") if script == "dredge.fish" else word
                if not re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(bare), text):
                    misses.append("%s: lacks %s (dredge %s)" % (script, word, name))
    for m in misses:
        print(m)
    if seen == 0:
        sys.exit("no flags found in --help: the help format changed, fix parse_help()")
    print("%d flag mentions checked, %d missing" % (seen, len(misses)))
    sys.exit(1 if misses else 0)


if __name__ == "__main__":
    main()
