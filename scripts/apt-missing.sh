# Sourced by the install-*-tools.sh scripts: installs the Debian packages of
# the tools in the associative array `pkg` (tool -> package) that are missing.
# $1 names the set in messages ("test tools", "bench tools").
install_missing() {
  local what="$1"
  local missing=()
  for tool in "${!pkg[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/bin/$tool" ] || [ -x "/usr/sbin/$tool" ] || missing+=("${pkg[$tool]}")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "$what: all present"
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$what missing (${missing[*]}) and no apt-get: install them by hand" >&2
    return 1
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
