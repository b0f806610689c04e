#!/usr/bin/env bash
# Installs the Debian packages rawcarve's tests and image generators use, if missing.
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
)
missing=()
for tool in "${!pkg[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/bin/$tool" ] || [ -x "/usr/sbin/$tool" ] || missing+=("${pkg[$tool]}")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "test tools: all present"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "test tools missing (${missing[*]}) and no apt-get: install them by hand" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
