#!/usr/bin/env bash
# Installs Debian's pandas (with openpyxl for XLSX) and LibreOffice Calc without a GUI, which
# the export round-trip tests read the CSV and XLSX exports with (server/export_tools_test.go).
# Debian has no pyarrow or fastparquet, so Parquet is read back by parquet-go's reader only.
set -euo pipefail
missing=()
/usr/bin/python3 -c 'import pandas, openpyxl' 2>/dev/null || missing+=(python3-pandas python3-openpyxl)
command -v soffice >/dev/null || missing+=(libreoffice-calc-nogui)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "installing Debian's ${missing[*]}…" >&2
(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}") >&2
