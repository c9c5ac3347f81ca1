#!/usr/bin/env bash
# Golden file for the bash queries: markers in tests/golden/annotated.py

source ./lib/common.sh # {{IMPORT ./lib/common.sh}}
. "config.sh" # {{IMPORT config.sh}}
source "$ROOT/env.sh" # {{IMPORT "$ROOT/env.sh"}}

readonly MAX_RETRIES=3 # {{DEF constant MAX_RETRIES}}
export DEPLOY_ENV="staging" # {{DEF variable DEPLOY_ENV}}
attempts=0 # {{DEF variable attempts}}

# {{TEST function body}}
function deploy() { # {{CONTEXT}} {{DEF function deploy}}
  local target="$1"
  # {{CURSOR}}
  rsync -a ./build/ "$target" | tee deploy.log # {{REF call rsync}} {{REF call tee}}
}

# {{TEST subshell body}}
cleanup() ( # {{CONTEXT}} {{DEF function cleanup}}
  rm -rf ./build # {{CURSOR}} {{REF call rm}}
)

deploy "$DEPLOY_ENV" # {{REF call deploy}}
