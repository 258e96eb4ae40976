#!/usr/bin/env bash
# Installs the system packages the tests use as independent oracles: LibreOffice headless (recalculates
# spreadsheet formulas). Needs root (or passwordless sudo); otherwise it says so and the LibreOffice tests
# skip with that reason.
set -euo pipefail
if command -v soffice >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "system-deps: LibreOffice (soffice) is not installed and this user cannot install it;" \
       "the LibreOffice-recalculation tests will skip. Install the Debian/Ubuntu package" \
       "'libreoffice-calc-nogui' to run them." >&2
  exit 0
fi
echo "system-deps: installing LibreOffice headless (libreoffice-calc-nogui)..." >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null
command -v soffice >/dev/null
