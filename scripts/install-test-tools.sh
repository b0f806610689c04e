#!/usr/bin/env bash
# Installs the Debian packages rawcarve's tests and image generators use, if missing
# (chromium: the browser test of report.html, driven headless by playwright-core).
set -euo pipefail
declare -A pkg=(
  [xmllint]=libxml2-utils
  [mkfs.vfat]=dosfstools
  [mcopy]=mtools
  [cjpeg]=libjpeg-turbo-progs
  [exiftool]=libimage-exiftool-perl
  [convert-im6.q16]=imagemagick
  [ffmpeg]=ffmpeg
  [heif-enc]=libheif-examples
  [ewfacquire]=ewf-tools
  [chromium]=chromium
)
source "$(dirname "$0")/apt-missing.sh"
install_missing "test tools"
