#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (tests/e2e), which drive it through the
# PyPI playwright package (`playwright install` cannot download browsers on our machines).
# Idempotent; never fails the build: without a way to install, it says why and the browser
# tests skip with that reason.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
	exit 0
fi
if ! command -v apt-get >/dev/null; then
	echo "install_chromium: no apt-get here; install Chromium yourself (the browser tests skip without it)"
	exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
	as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
	as_root=(sudo -n)
else
	echo "install_chromium: not root and no passwordless sudo; run: sudo apt-get install chromium (the browser tests skip without it)"
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet; refresh them only then or when the install fails.
if ! "${as_root[@]}" apt-get install -y -q --no-install-recommends chromium; then
	"${as_root[@]}" apt-get update -q
	"${as_root[@]}" apt-get install -y -q --no-install-recommends chromium ||
		echo "install_chromium: apt-get could not install chromium (the browser tests skip without it)"
fi
