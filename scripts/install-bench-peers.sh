#!/usr/bin/env bash
# Install the peer language servers that `ghostfill bench replay --peer ...` measures against.
# Idempotent: skips what is present.
#   npm: tabby-agent 1.5.0 (the only version on npm) into ~/.cache/ghostfill/tabby with `npm install
#        --prefix`, so nothing lands in the global node_modules. The replay finds it at
#        .cache/tabby/node_modules/tabby-agent/dist/cli.js (or $GHOSTFILL_TABBY_AGENT).
# Needs node >= 18 and npm on PATH.
# Usage: bash scripts/install-bench-peers.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TABBY_DIR="${GHOSTFILL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ghostfill}/tabby"
TABBY_PIN="tabby-agent@1.5.0"
CLI="$TABBY_DIR/node_modules/tabby-agent/dist/cli.js"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "install-bench-peers: node and npm are needed (apt-get install nodejs npm)" >&2
  exit 1
fi

installed="$(node -p "require('$TABBY_DIR/node_modules/tabby-agent/package.json').version" 2>/dev/null || true)"
if [ -f "$CLI" ] && [ "$installed" = "1.5.0" ]; then
  echo "install-bench-peers: $TABBY_PIN already in $TABBY_DIR"
else
  echo "install-bench-peers: npm install --prefix $TABBY_DIR $TABBY_PIN"
  mkdir -p "$TABBY_DIR"
  npm install --prefix "$TABBY_DIR" --no-audit --no-fund --loglevel=error "$TABBY_PIN"
fi
[ -f "$CLI" ] || { echo "install-bench-peers: $CLI missing after install" >&2; exit 1; }
echo "install-bench-peers: tabby-agent at $CLI"
