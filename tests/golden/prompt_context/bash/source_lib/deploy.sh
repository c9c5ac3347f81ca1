#!/usr/bin/env bash
set -euo pipefail
source ./lib/net.sh

url="https://example.com/health"
echo "checking $url"
# {{CURSOR}}
