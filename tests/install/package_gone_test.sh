#!/usr/bin/env bash
# After install.package (whose cleanup this is): no dredge package is left installed and no
# /usr/bin/dredge either, however the package test ended.
set -euo pipefail
if dpkg-query -W -f='${Status}' dredge 2>/dev/null | grep -q "ok installed"; then
  echo "package test left the dredge package installed (apt-get remove dredge)"
  exit 1
fi
if [ -e /usr/bin/dredge ]; then
  echo "package test left /usr/bin/dredge behind"
  exit 1
fi
echo "no dredge package or /usr/bin/dredge left installed"
