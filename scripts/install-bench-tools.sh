#!/usr/bin/env bash
# Installs the open-source carvers bench/peers.ts compares rawcarve with, if missing.
set -euo pipefail
declare -A pkg=(
  [photorec]=testdisk
  [foremost]=foremost
  [scalpel]=scalpel
)
source "$(dirname "$0")/apt-missing.sh"
install_missing "bench tools"
