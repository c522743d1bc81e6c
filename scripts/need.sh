# shellcheck shell=bash
# Sourced by the build scripts. need CMD:PKG... installs the Debian package PKG
# of every command CMD that is missing (when root), or fails naming them.
need() {
  local pair missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "missing system packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})" >&2
    return 1
  fi
  echo "== apt-get install ${missing[*]}"
  # Another apt (unattended upgrades, a package manager window) may hold the
  # dpkg lock for a while: wait for it rather than fail.
  local wait=(-o DPkg::Lock::Timeout=600)
  DEBIAN_FRONTEND=noninteractive apt-get "${wait[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive apt-get "${wait[@]}" install -y -qq "${missing[@]}" >/dev/null
}
