#!/usr/bin/env bash
# Makes sure Debian's Chromium is on the machine, for the browser tests (the reference host's
# Playwright walk, the WebAssembly build's timing in a page). Playwright drives this system
# browser (playwright-core with executablePath): its own browser download is refused here.
# Prints the browser's path. Root installs it with apt-get; others are told how.
set -euo pipefail
for b in "${CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    if [ -n "$b" ] && [ -x "$b" ]; then echo "$b"; exit 0; fi
done
if [ "$(id -u)" != 0 ]; then
    echo "no Chromium found; install Debian's (sudo apt-get install chromium) or set CHROMIUM=/path/to/chrome" >&2
    exit 1
fi
echo "installing Debian's chromium (apt-get)" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo /usr/bin/chromium
