#!/usr/bin/env python3
"""Writes dredge's man page and bash/zsh/fish completions from `dredge --dump-cli-json`.

    gen_cli_docs.py DREDGE_BINARY OUT_DIR
        → OUT_DIR/cli.json (the dump), OUT_DIR/man/dredge.1,
          OUT_DIR/completions/{dredge.bash,_dredge,dredge.fish}

The input is the command tree of the real CLI11 app (docs/formats/cli-dump.md), so what the
pages and completions offer is what --help shows. The build runs this (cmake/docs.cmake);
tests/install/ checks the result against --help. Standard library only.
"""
import json
import os
import re
import subprocess
import sys


def walk(app, path=()):
    """Yields (path tuple, app) for the root and every subcommand, depth first."""
    yield path, app
    for sub in app["subcommands"]:
        yield from walk(sub, path + (sub["name"],))


def flags(opt):
    return opt["short"] + opt["long"]


def choices(opt):
    m = re.search(r"\{([^}]*)\}", opt["type"])
    return [c.strip() for c in m.group(1).split(",")] if m else []


def unique(items):
    return list(dict.fromkeys(items))


def visible_options(root, path):
    """A command's own options, then its ancestors' not shadowed by a name of its own (the app
    falls through to parents): each flag once, the nearest definition winning."""
    apps = [root]
    for name in path:
        apps.append(next(s for s in apps[-1]["subcommands"] if s["name"] == name))
    seen, out = set(), []
    for a in reversed(apps):
        for o in a["options"]:
            if flags(o) and not seen.intersection(flags(o)):
                seen.update(flags(o))
                out.append(o)
    return out


# ---- man page ---------------------------------------------------------------------------------

def roff(text):
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join("\\&" + l if l[:1] in (".", "'") else l for l in text.split("\n"))


def man_options(options):
    out = []
    for o in options:
        if not flags(o):
            continue
        head = ", ".join("\\fB%s\\fR" % roff(f) for f in flags(o))
        if o["takes_value"]:
            head += " \\fI%s\\fR" % roff(o["type"].split(":")[0] or "VALUE")
        text = [o["description"].rstrip(".") + "."] if o["description"] else []
        if choices(o):
            text.append("One of: " + ", ".join(choices(o)) + ".")
        if o["default"]:
            text.append("Default: " + o["default"] + ".")
        out += [".TP", head, roff(" ".join(text))]
    return out


def man_page(root):
    version = root.get("version", "dredge")
    lines = [
        '.TH DREDGE 1 "" "%s" "User Commands"' % roff(version),
        ".SH NAME",
        "dredge \\- " + roff(root["description"].split(": ", 1)[-1]),
        ".SH SYNOPSIS",
        ".B dredge",
        "[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fISUBCOMMAND\\fR] [\\fICOMMAND OPTIONS\\fR]",
        ".SH DESCRIPTION",
        roff(root["description"]) + ".",
        "Options of dredge itself may also follow the command. Each command is described below;",
        "\\fBdredge\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR prints the same.",
        ".SH OPTIONS",
    ]
    lines += man_options(root["options"])
    lines.append(".SH COMMANDS")
    for path, app in walk(root):
        if not path:
            continue
        lines += [".SS \"dredge %s\"" % roff(" ".join(path)), roff(app["description"]) + "."]
        if app["subcommands"]:
            names = ", ".join("\\fB%s\\fR" % roff(s["name"]) for s in app["subcommands"])
            lines.append(".br\nSubcommands: " + names + ".")
        lines += man_options(app["options"])
    lines += [
        ".SH ENVIRONMENT",
        ".TP", "\\fBDREDGE_CONFIG\\fR", "Config file when \\fB\\-\\-config\\fR is not given.",
        ".TP", "\\fBAWS_ACCESS_KEY_ID\\fR, \\fBAWS_SECRET_ACCESS_KEY\\fR, \\fBAWS_PROFILE\\fR",
        "S3 credentials (never given as flags).",
        ".TP", "\\fBPGPASSWORD\\fR, \\fBPGHOST\\fR, ...",
        "libpq's variables, for the database tier.",
        ".SH FILES",
        ".TP", "\\fI/usr/share/doc/dredge/dredge.example.toml\\fR",
        "Every configuration key, annotated.",
        ".SH SEE ALSO",
        "\\fBcrontab\\fR(5), \\fBsystemd.timer\\fR(5)",
    ]
    return "\n".join(lines) + "\n"


# ---- completions ------------------------------------------------------------------------------

def table(root):
    """[(path string, subcommand names, all option flags, value-taking flags, {flag: choices})]"""
    rows = []
    for path, app in walk(root):
        opts = visible_options(root, path)
        rows.append((" ".join(path), [s["name"] for s in app["subcommands"]],
                     unique(f for o in opts for f in flags(o)),
                     unique(f for o in opts if o["takes_value"] for f in flags(o)),
                     {f: choices(o) for o in opts if choices(o) for f in flags(o)}))
    return rows


def sh_quote(s):
    return "'" + s.replace("'", "'\\''") + "'"


def bash_script(root):
    out = ["# bash completion for dredge. Generated by scripts/gen_cli_docs.py from the CLI: do not edit.",
           "declare -gA _dredge_subs=() _dredge_opts=() _dredge_valopts=() _dredge_choices=()"]
    for path, subs, opts, valopts, chs in table(root):
        path = ("dredge " + path).strip()  # bash refuses an empty key
        k = sh_quote(path)
        out.append("_dredge_subs[%s]=%s" % (k, sh_quote(" ".join(subs))))
        out.append("_dredge_opts[%s]=%s" % (k, sh_quote(" ".join(opts))))
        out.append("_dredge_valopts[%s]=%s" % (k, sh_quote(" " + " ".join(valopts) + " ")))
        for f, c in chs.items():
            out.append("_dredge_choices[%s]=%s" % (sh_quote(path + "|" + f), sh_quote(" ".join(c))))
    out.append(r'''
# The command path typed so far ("dredge backup files"): words before the cursor that name a
# subcommand of the path before them; option values are skipped.
_dredge_path() {
  local path=dredge i w skip=0
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    if ((skip)); then skip=0; continue; fi
    if [[ $w == -* ]]; then
      [[ $w != *=* && ${_dredge_valopts[$path]} == *" $w "* ]] && skip=1
    elif [[ " ${_dredge_subs[$path]} " == *" $w "* ]]; then
      path="$path $w"
    fi
  done
  printf '%s' "$path"
}

_dredge() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} path
  path=$(_dredge_path)
  COMPREPLY=()
  if ((COMP_CWORD > 1)) && [[ ${_dredge_valopts[$path]} == *" $prev "* ]]; then
    if [[ -n ${_dredge_choices[$path|$prev]} ]]; then
      mapfile -t COMPREPLY < <(compgen -W "${_dredge_choices[$path|$prev]}" -- "$cur")
    else
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    fi
  elif [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "${_dredge_opts[$path]}" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -W "${_dredge_subs[$path]}" -- "$cur")
  fi
}
complete -F _dredge dredge''')
    return "\n".join(out) + "\n"


def zsh_describe(items):
    return " ".join(sh_quote(n.replace(":", "\\:") + ":" + d) for n, d in items)


def zsh_script(root):
    out = ["#compdef dredge",
           "# zsh completion for dredge. Generated by scripts/gen_cli_docs.py from the CLI: do not edit.",
           "", "_dredge() {",
           "  local cmdpath='' w i skip=0",
           "  local -a subs subnames opts valopts choices",
           "  for ((i = 2; i < CURRENT; i++)); do",
           "    w=${words[i]}",
           "    if ((skip)); then skip=0; continue; fi",
           "    _dredge_table \"$cmdpath\"",
           "    if [[ $w == -* ]]; then",
           "      [[ $w != *=* && ${valopts[(Ie)$w]} -gt 0 ]] && skip=1",
           "    elif [[ ${subnames[(Ie)$w]} -gt 0 ]]; then",
           "      cmdpath=${cmdpath:+$cmdpath }$w",
           "    fi",
           "  done",
           "  _dredge_table \"$cmdpath\"",
           "  local prev=${words[CURRENT-1]}",
           "  if ((CURRENT > 2)) && [[ ${valopts[(Ie)$prev]} -gt 0 ]]; then",
           "    _dredge_choices \"$cmdpath|$prev\"",
           "    if ((${#choices})); then compadd -a choices; else _files; fi",
           "  elif [[ $PREFIX == -* ]]; then",
           "    _describe -t options 'option' opts",
           "  else",
           "    _describe -t commands 'command' subs",
           "  fi",
           "}", "",
           "# Sets subs and opts (name:description), subnames and valopts for a command path.",
           "_dredge_table() {",
           "  case $1 in"]
    for path, app in walk(root):
        opts = visible_options(root, path)
        subs = [(s["name"], s["description"]) for s in app["subcommands"]]
        optitems = [(f, o["description"]) for o in opts for f in flags(o)]
        valopts = [f for o in opts if o["takes_value"] for f in flags(o)]
        out += ["    %s)" % sh_quote(" ".join(path)),
                "      subs=(%s)" % zsh_describe(subs),
                "      subnames=(%s)" % " ".join(sh_quote(n) for n, _ in subs),
                "      opts=(%s)" % zsh_describe(optitems),
                "      valopts=(%s)" % " ".join(sh_quote(v) for v in valopts),
                "      ;;"]
    out += ["  esac", "}", "", "_dredge_choices() {", "  choices=()", "  case $1 in"]
    for path, _, _, _, chs in table(root):
        for f, c in chs.items():
            out.append("    %s) choices=(%s) ;;" % (sh_quote(path + "|" + f),
                                                   " ".join(sh_quote(x) for x in c)))
    out += ["  esac", "}", "", '_dredge "$@"']
    return "\n".join(out) + "\n"


def fish_script(root):
    out = ["# fish completion for dredge. Generated by scripts/gen_cli_docs.py from the CLI: do not edit.",
           "complete -c dredge -f", "",
           "# The command path typed so far (\"dredge backup files\"), option values skipped.",
           "function __dredge_path",
           "    set -l path dredge",
           "    set -l skip 0",
           "    set -l typed (commandline -opc)",
           "    set -e typed[1]",
           "    for w in $typed",
           "        if test $skip = 1",
           "            set skip 0",
           "            continue",
           "        end",
           "        if string match -q -- '-*' $w",
           "            if not string match -q -- '*=*' $w; and contains -- $w (__dredge_valopts \"$path\")",
           "                set skip 1",
           "            end",
           "        else if contains -- $w (__dredge_subs \"$path\")",
           "            set path \"$path $w\"",
           "        end",
           "    end",
           "    echo $path",
           "end", ""]
    key = lambda path: sh_quote(("dredge " + path).strip())
    rows = table(root)
    out += ["function __dredge_subs", "    switch $argv[1]"]
    for path, subs, _, _, _ in rows:
        out += ["        case %s" % key(path), "            printf '%%s\\n' %s" % " ".join(subs)] if subs else []
    out += ["    end", "end", "", "function __dredge_valopts", "    switch $argv[1]"]
    for path, _, _, valopts, _ in rows:
        if valopts:
            out += ["        case %s" % key(path), "            printf '%%s\\n' %s" % " ".join(valopts)]
    out += ["    end", "end", ""]
    for path, app in walk(root):
        cond = '"test (__dredge_path) = \'%s\'"' % ("dredge " + " ".join(path)).strip()
        for s in app["subcommands"]:
            out.append("complete -c dredge -n %s -a %s -d %s" %
                       (cond, sh_quote(s["name"]), sh_quote(s["description"])))
        for o in visible_options(root, path):
            spec = "".join(" -s " + f[1:] for f in o["short"]) + "".join(" -l " + f[2:] for f in o["long"])
            if o["takes_value"]:
                spec += " -x -a %s" % sh_quote(" ".join(choices(o))) if choices(o) else " -r -F"
            out.append("complete -c dredge -n %s%s -d %s" %
                       (cond, spec, sh_quote(o["description"])))
    return "\n".join(out) + "\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    old = open(path).read() if os.path.exists(path) else None
    if old != text:
        with open(path, "w") as f:
            f.write(text)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen_cli_docs.py DREDGE_BINARY OUT_DIR")
    dump = subprocess.run([sys.argv[1], "--dump-cli-json"], check=True, stdout=subprocess.PIPE,
                          env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")}).stdout.decode()
    root = json.loads(dump)
    out = sys.argv[2]
    write(os.path.join(out, "cli.json"), dump)
    write(os.path.join(out, "man", "dredge.1"), man_page(root))
    write(os.path.join(out, "completions", "dredge.bash"), bash_script(root))
    write(os.path.join(out, "completions", "_dredge"), zsh_script(root))
    write(os.path.join(out, "completions", "dredge.fish"), fish_script(root))


if __name__ == "__main__":
    main()
