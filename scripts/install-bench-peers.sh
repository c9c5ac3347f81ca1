#!/usr/bin/env bash
# Install the peer language servers that `ghostfill bench compare` (and `bench replay --peer`)
# measure against. The benches install them on first use anyway; this does it ahead of time.
# Idempotent: skips what is present.
#   npm: tabby-agent 1.5.0 (the only version on npm) and @github/copilot-language-server
#        1.539.0, each with `npm install --prefix ~/.cache/ghostfill/peers/<name>`, so nothing
#        lands in the checkout or the global node_modules ($GHOSTFILL_CACHE moves the cache).
# Needs node >= 18 and npm on PATH.
# Usage: bash scripts/install-bench-peers.sh
set -euo pipefail

PEERS="${GHOSTFILL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ghostfill}/peers"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "install-bench-peers: node and npm are needed (apt-get install nodejs npm)" >&2
  exit 1
fi

install() {  # name package version entry
  local dir="$PEERS/$1" pkg="$2" version="$3" entry="$4"
  local installed
  installed="$(node -p "require('$dir/node_modules/$pkg/package.json').version" 2>/dev/null || true)"
  if [ -f "$dir/node_modules/$pkg/$entry" ] && [ "$installed" = "$version" ]; then
    echo "install-bench-peers: $pkg@$version already in $dir"
  else
    echo "install-bench-peers: npm install --prefix $dir $pkg@$version"
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "$pkg@$version"
  fi
  [ -f "$dir/node_modules/$pkg/$entry" ] || { echo "install-bench-peers: $pkg missing after install" >&2; exit 1; }
}

install tabby tabby-agent 1.5.0 dist/cli.js
install copilot @github/copilot-language-server 1.539.0 dist/language-server.js
