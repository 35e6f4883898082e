#!/usr/bin/env bash
# Installs Debian's Chromium for the explorer's browser tests if it is missing (CI machines
# start without it; a browser download by the test tool itself is not possible here).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "installing Debian's chromium…" >&2
(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium) >&2
