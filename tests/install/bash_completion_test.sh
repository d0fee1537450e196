#!/usr/bin/env bash
# The generated bash completion loads in a plain bash and completes a partial command, a
# partial subcommand, a partial flag and a flag's choices.
#   bash_completion_test.sh BUILD/docs/completions/dredge.bash
set -euo pipefail
script=$1
fail=0
spec=$(bash -c 'source "$1"; complete -p dredge' bash "$script")
[ "$spec" = "complete -F _dredge dredge" ] || { echo "complete -p dredge: '$spec'"; fail=1; }

# expect "WORDS..." WANT: completing the last word of WORDS offers exactly WANT.
expect() {
  local want=${!#} got
  got=$(bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _dredge
                 printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' bash "$script" "${@:1:$#-1}")
  if [ "${got% }" != "$want" ]; then
    echo "completing '${*:1:$#-1}': got '${got% }', want '$want'"
    fail=1
  fi
}
expect dredge ba "backup"
expect dredge ver "verify version"
expect dredge backup f "files"
expect dredge backup files --sou "--source"
expect dredge --log-format t "text"
expect dredge --config x.toml backup db --ta "--table"
expect dredge --log-dir /tmp restore d "db"
# A global flag after the command (CLI11 falls through to the parent).
expect dredge status --conf "--config"
exit $fail
