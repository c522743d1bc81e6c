#!/usr/bin/env bash
# build.sh [windows]: builds the release artifacts into dist/ and checks them:
#   dist/ehealth-tray_linux_amd64/ehealth-tray         stripped, version stamped
#   dist/ehealth-tray_windows_amd64/ehealth-tray.exe   GUI subsystem (tray, Start menu, autostart), icon and version resource
#   dist/ehealth-tray_windows_amd64/ehealth-tray.com   the same program for the console (the command line)
#   dist/ehealth-tray_<version>_windows_amd64.zip      the .exe, the .com and README.md
#   dist/ehealth-tray_<version>_windows_amd64.msi      per-user installer, packaging/ehealth-tray.wxs
#   dist/ehealth-tray_<debversion>_amd64.deb           packaging/nfpm.yaml
# With "windows", only the Windows artifacts (the .exe, .com, .zip and .msi).
# The version is `git describe --tags --always --dirty` (or $VERSION). As root,
# it installs the missing build tools and test-installs the .deb, then purges
# it. macOS cannot be built from Linux: see the README.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/need.sh

target=${1:-all}
case $target in
  all | windows) ;;
  *)
    echo "usage: scripts/build.sh [windows]" >&2
    exit 2
    ;;
esac

# Tools from the module proxy, pinned. nfpm v2.46+ needs modules that the proxy
# here refuses (go.digitalxero.dev), so stay on v2.45.
NFPM=github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.45.2
WINRES=github.com/tc-hib/go-winres@v0.3.3
# The green "e" of icons/ is the app's icon (menus, Explorer, the .exe).
APP_ICON=active
# hicolor sizes shipped: 22 and 64 are drawn as PNGs, the rest come from the .ico.
ICON_SIZES=(16 22 24 32 48 64)

need gcc:gcc objdump:binutils git:git x86_64-w64-mingw32-gcc:gcc-mingw-w64-x86-64 \
     zip:zip unzip:unzip file:file dpkg-deb:dpkg desktop-file-validate:desktop-file-utils \
     wixl:wixl msiinfo:msitools msibuild:msitools

# Steps and their durations, for the summary.
steps=() durations=() step_start=
step() {
  finish_step
  steps+=("$1")
  step_start=$EPOCHREALTIME
  echo "== $1"
}
finish_step() {
  [ -n "$step_start" ] || return 0
  durations+=("$(awk -v a="$step_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f s", b - a }')")
  step_start=
}
die() {
  echo "build: $*" >&2
  exit 1
}

# deb_version turns a git describe output into a Debian upstream version:
# v1.2.3 → 1.2.3, v1.2.3-rc1 → 1.2.3~rc1, v1.2.3-4-gabc1234 → 1.2.3+git4.abc1234,
# abc1234 (no tag yet) → 0.0.0~gitabc1234, and -dirty → +dirty (or .dirty).
deb_version() {
  local v=${1#v} dirty='' out
  if [[ $v == *-dirty ]]; then
    dirty=1
    v=${v%-dirty}
  fi
  if [[ $v =~ ^[0-9a-f]{7,40}$ ]]; then
    out="0.0.0~git$v"
  elif [[ $v =~ ^(.+)-([0-9]+)-g([0-9a-f]+)$ ]]; then
    out="${BASH_REMATCH[1]//-/\~}+git${BASH_REMATCH[2]}.${BASH_REMATCH[3]}"
  else
    out=${v//-/\~}
  fi
  if [ -n "$dirty" ]; then
    [[ $out == *+* ]] && out+=.dirty || out+=+dirty
  fi
  [[ $out =~ ^[0-9][A-Za-z0-9.+~]*$ ]] || die "cannot make a Debian version of \"$1\""
  echo "$out"
}

# win_version is the a.b.c.d of a Windows version resource, from a deb_version:
# the tag's numbers and the commits since it (0.0.0.0 before any tag).
win_version() {
  local n=(0 0 0 0) part
  [[ $1 =~ ^([0-9]+)(\.([0-9]+))?(\.([0-9]+))? ]] &&
    n=("${BASH_REMATCH[1]}" "${BASH_REMATCH[3]:-0}" "${BASH_REMATCH[5]:-0}" 0)
  [[ $1 =~ \+git([0-9]+)\. ]] && n[3]=${BASH_REMATCH[1]}
  for part in "${n[@]}"; do
    ((10#$part <= 65535)) || die "version part $part of \"$1\" does not fit a Windows version"
  done
  echo "$((10#${n[0]})).$((10#${n[1]})).$((10#${n[2]})).$((10#${n[3]}))"
}

# msi_version is the major.minor.build of the MSI's ProductVersion, from a
# win_version a.b.c.d: MSI compares only three fields (major and minor up to
# 255, build up to 65535), so the build is c*1000 + the commits since the tag.
# Before any tag it is 0.0.<number of commits>, so that each build upgrades the
# one before.
msi_version() {
  local a b c d
  IFS=. read -r a b c d <<<"$1"
  if [ "$1" = 0.0.0.0 ]; then
    d=$(git rev-list --count HEAD 2>/dev/null || echo 0)
  fi
  ((a <= 255 && b <= 255 && c <= 64 && d <= 999)) ||
    die "version $1 does not fit an MSI version (a.b.c with a, b <= 255, c <= 64, 999 commits after a tag at most)"
  echo "$a.$b.$((c * 1000 + d))"
}

# ico_pngs ICO DIR writes the images of ICO as DIR/<px>.png. Our .ico files hold
# PNG images (icons/gen.go), so each entry is a PNG file as is.
ico_pngs() {
  local ico=$1 out=$2 n i w size off
  n=$(od -An -tu2 -j4 -N2 "$ico")
  for ((i = 0; i < n; i++)); do
    read -r w < <(od -An -tu1 -j $((6 + 16 * i)) -N1 "$ico")
    read -r size off < <(od -An -tu4 -j $((6 + 16 * i + 8)) -N8 "$ico")
    ((w == 0)) && w=256
    dd if="$ico" of="$out/$w.png" iflag=skip_bytes,count_bytes bs=64K skip="$off" count="$size" status=none
  done
}

version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo 0.0.0-dev)}
[[ $version =~ ^[A-Za-z0-9._+~-]+$ ]] || die "unexpected version \"$version\""
deb_ver=$(deb_version "$version")
win_ver=$(win_version "$deb_ver")
msi_ver=$(msi_version "$win_ver")
echo "version $version (deb $deb_ver, windows $win_ver, msi $msi_ver)"

linux_dir=dist/ehealth-tray_linux_amd64
win_dir=dist/ehealth-tray_windows_amd64
linux_bin=$linux_dir/ehealth-tray
win_exe=$win_dir/ehealth-tray.exe
win_com=$win_dir/ehealth-tray.com
zip=dist/ehealth-tray_${version#v}_windows_amd64.zip
msi=dist/ehealth-tray_${version#v}_windows_amd64.msi
# The files beside the program: README.md, and LICENSE once the project has one.
docs=(README.md)
[ -f LICENSE ] && docs+=(LICENSE)
# go build takes .syso files from the package directory only (an -overlay is not
# read for them), so the resource lives at the root for the Windows build and is
# removed on exit; .gitignore lists it too.
syso=rsrc_windows_amd64.syso
[ -e "$syso" ] && die "$syso exists at the root: remove it, build.sh generates its own"

tmp=$(mktemp -d)
installed_deb=
cleanup() {
  rm -f "$syso"
  rm -rf "$tmp"
  [ -z "$installed_deb" ] || dpkg --purge ehealth-tray >/dev/null 2>&1 || true
}
trap cleanup EXIT

if [ "$target" = windows ]; then
  rm -rf "$win_dir" dist/ehealth-tray_*_windows_amd64.zip dist/ehealth-tray_*_windows_amd64.msi
else
  rm -rf dist
  mkdir -p "$linux_dir"
fi
mkdir -p "$win_dir"
# The version is stamped with -X, so no VCS info is needed (nor wanted: it fails
# in a checkout git considers unsafe).
goflags=(-trimpath -buildvcs=false)
ldflags="-s -w -X ehealth-tray/cli.Version=$version"
# Reproducible file dates in the .deb.
SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH

build_linux() {
  step "linux/amd64 binary"
  CGO_ENABLED=1 GOOS=linux GOARCH=amd64 go build "${goflags[@]}" -ldflags "$ldflags" -o "$linux_bin" .
  got=$("$linux_bin" version)
  [ "$got" = "ehealth-tray $version" ] || die "$linux_bin version printed \"$got\""
  # Every shared library must come from libc6, the only library in Depends.
  needed=$(objdump -p "$linux_bin" | awk '/NEEDED/ { print $2 }')
  for lib in $needed; do
    case $lib in
      libc.so.6 | libpthread.so.0 | libdl.so.2 | libresolv.so.2 | libm.so.6) ;;
      *) die "$linux_bin needs $lib: add its package to packaging/nfpm.yaml's depends" ;;
    esac
  done
  GLIBC_MIN=$(objdump -T "$linux_bin" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n1)
  [ -n "$GLIBC_MIN" ] || die "no GLIBC symbol version in $linux_bin"
}

[ "$target" = windows ] || build_linux

step "windows/amd64 resource (go-winres)"
cp "icons/$APP_ICON.ico" "$tmp/icon.ico"
sed -e "s/@VERSION@/$version/g" -e "s/@WIN_VERSION@/$win_ver/g" packaging/winres/winres.json >"$tmp/winres.json"
go run "$WINRES" make --in "$tmp/winres.json" --arch amd64 --out "$tmp/rsrc"
mv "$tmp/$syso" "$syso"

# check_windows BIN SUBSYSTEM checks a Windows binary: its subsystem (GUI or
# console), its resources, and that it imports only Windows' own DLLs.
check_windows() {
  local bin=$1 subsystem=$2 kind resource rsrc id dlls want
  kind=$(file -b "$bin")
  [[ $kind == "PE32+ executable ($subsystem) x86-64"* ]] || die "$bin is \"$kind\", not a PE32+ $subsystem executable"
  # The version resource is UTF-16: look for its strings there.
  resource=$(strings -el "$bin")
  for want in "ProductName" "ehealth-tray" "CompanyName" "FileVersion" "$version"; do
    grep -qxF -- "$want" <<<"$resource" || die "$bin: version resource lacks \"$want\""
  done
  # The icon group (0xe), version (0x10) and manifest (0x18) resources are there.
  rsrc=$(x86_64-w64-mingw32-objdump -p "$bin" | sed -n '/The .rsrc Resource Directory/,$p')
  for id in 0x00000e 0x000010 0x000018; do
    grep -q "^0[0-9a-f]*   Entry: ID: $id," <<<"$rsrc" || die "$bin: no resource of type $id"
  done
  # A MinGW runtime DLL (libgcc_s_seh-1.dll, libwinpthread-1.dll) would not be
  # in the zip: only Windows' own DLLs may be imported.
  dlls=$(x86_64-w64-mingw32-objdump -p "$bin" | awk '/DLL Name:/ { print $3 }')
  if grep -qi '^lib' <<<"$dlls"; then
    die "$bin imports MinGW runtime DLLs: $(grep -i '^lib' <<<"$dlls" | tr '\n' ' ')"
  fi
}

# check_msi checks what the installer holds: its version, scope, files, PATH
# entry and autostart actions.
check_msi() {
  local props files env upgrade actions want
  props=$(msiinfo export "$msi" Property | tr -d '\r')
  grep -qxF "ProductVersion	$msi_ver" <<<"$props" || die "$msi: ProductVersion is not $msi_ver"
  # The Word Count property (msiinfo says "Source"), bit 8: no elevated
  # privileges needed (a per-user install).
  (($(msiinfo suminfo "$msi" | awk -F': ' '/^Source:/ { print $2 + 0 }') & 8)) || die "$msi asks for administrator rights"
  files=$(msiinfo export "$msi" File | tr -d '\r' | awk -F'\t' 'NR > 3 { print $3 }' | sort | tr '\n' ' ')
  want=$(printf '%s\n' ehealth-tray.exe ehealth-tray.com README.md "${docs[@]/LICENSE/LICENSE.txt}" | sort -u | tr '\n' ' ')
  [ "$files" = "$want" ] || die "$msi installs \"$files\", not \"$want\""
  env=$(msiinfo export "$msi" Environment | tr -d '\r')
  grep -qxF "UserPath	=-Path	[~];[INSTALLDIR]	Program" <<<"$env" || die "$msi: no PATH entry"
  # MajorUpgrade: an older version of the same UpgradeCode is found and removed.
  upgrade=$(msiinfo export "$msi" Upgrade)
  grep -qi "^{6f1c2d4e-8a3b-4c5d-9e7f-0a1b2c3d4e5f}	" <<<"$upgrade" || die "$msi: no Upgrade row"
  actions=$(msiinfo export "$msi" InstallExecuteSequence | tr -d '\r')
  for want in RemoveEnvironmentStrings WriteEnvironmentStrings AutostartEnable AutostartDisable RemoveExistingProducts; do
    grep -q "^$want	" <<<"$actions" || die "$msi: $want is not in InstallExecuteSequence"
  done
}

step "windows/amd64 .exe (GUI) and .com"
# One program, linked twice: console_windows.go tells them apart by the
# subsystem in their own PE header.
GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc \
  go build "${goflags[@]}" -ldflags "$ldflags -H windowsgui" -o "$win_exe" .
GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc \
  go build "${goflags[@]}" -ldflags "$ldflags" -o "$win_com" .
rm -f "$syso"
check_windows "$win_exe" GUI
check_windows "$win_com" console

step "windows zip"
zip -q -j -X "$zip" "$win_exe" "$win_com" "${docs[@]}"
listing=$(unzip -Z1 "$zip" | sort | tr '\n' ' ')
want=$(printf '%s\n' ehealth-tray.exe ehealth-tray.com "${docs[@]}" | sort | tr '\n' ' ')
[ "$listing" = "$want" ] || die "$zip holds: $listing"

step "windows msi (wixl)"
wixl_defs=(-D "Version=$msi_ver" -D "Exe=$win_exe" -D "Com=$win_com" -D "Readme=README.md")
[ -f LICENSE ] && wixl_defs+=(-D "License=LICENSE")
wixl --arch x64 "${wixl_defs[@]}" -o "$msi" packaging/ehealth-tray.wxs
# wixl has no Environment table (the PATH entry) and schedules
# RemoveExistingProducts after InstallFinalize: msibuild adds the one and moves
# the other before the new files, so an upgrade removes the old version first.
msibuild "$msi" -i packaging/msi/Environment.idt \
  -q "INSERT INTO InstallExecuteSequence (Action, Sequence) VALUES ('RemoveEnvironmentStrings', 3300)" \
  -q "INSERT INTO InstallExecuteSequence (Action, Sequence) VALUES ('WriteEnvironmentStrings', 5200)" \
  -q "UPDATE InstallExecuteSequence SET Sequence = 1501 WHERE Action = 'RemoveExistingProducts'"
check_msi

build_deb() {
  step "desktop entries and hicolor icons"
  desktop-file-validate packaging/ehealth-tray.desktop packaging/autostart/ehealth-tray.desktop
  mkdir -p "$tmp/ico"
  ico_pngs "icons/$APP_ICON.ico" "$tmp/ico"
  cp "icons/$APP_ICON-22.png" "$tmp/ico/22.png"
  cp "icons/$APP_ICON-64.png" "$tmp/ico/64.png"
  ICON_DIR=$tmp/hicolor
  for px in "${ICON_SIZES[@]}"; do
    [[ $(file -b "$tmp/ico/$px.png") == "PNG image data, $px x $px,"* ]] || die "no $px px PNG for the icon"
    install -D -m 0644 "$tmp/ico/$px.png" "$ICON_DIR/${px}x$px/apps/ehealth-tray.png"
  done

  step "deb (nfpm)"
  DEB_VERSION=$deb_ver LINUX_BIN=$linux_bin ICON_DIR=$ICON_DIR GLIBC_MIN=$GLIBC_MIN \
    go run "$NFPM" pkg --packager deb --config packaging/nfpm.yaml --target dist/
  deb=dist/ehealth-tray_${deb_ver}_amd64.deb
  [ -f "$deb" ] || die "nfpm did not write $deb"

  step "deb checks"
  dpkg-deb --info "$deb"
  info=$(dpkg-deb --field "$deb" Package Version Depends Recommends)
  for want in "Package: ehealth-tray" "Version: $deb_ver" "pinentry-gnome3 | pinentry-gtk2" \
              "libc6 (>= $GLIBC_MIN)" "eid-mw | libbeidpkcs11-0"; do
    grep -qF -- "$want" <<<"$info" || die "$deb control lacks \"$want\""
  done
  contents=$(dpkg-deb --contents "$deb")
  echo "$contents"
  paths=$(awk '{ print $NF }' <<<"$contents")
  wanted=(./usr/bin/ehealth-tray ./usr/share/applications/ehealth-tray.desktop
          ./etc/xdg/autostart/ehealth-tray.desktop)
  for px in "${ICON_SIZES[@]}"; do
    wanted+=("./usr/share/icons/hicolor/${px}x$px/apps/ehealth-tray.png")
  done
  for p in "${wanted[@]}"; do
    grep -qxF -- "$p" <<<"$paths" || die "$deb lacks $p"
  done
  grep -q '^-rwxr-xr-x root/root .* ./usr/bin/ehealth-tray$' <<<"$contents" || die "$deb: /usr/bin/ehealth-tray is not root-owned 0755"
  conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)
  grep -qxF /etc/xdg/autostart/ehealth-tray.desktop <<<"$conffiles" || die "$deb: the autostart entry is not a conffile"

  if [ "$(id -u)" != 0 ]; then
    echo "not root: the .deb install test is skipped"
  elif [[ $(dpkg-query -W -f '${Status}' ehealth-tray 2>/dev/null) == *' ok installed' ]]; then
    echo "ehealth-tray is installed on this machine: the .deb install test is skipped, to leave it alone"
  else
    step "deb install test"
    # A build box may lack the dependencies (a pinentry).
    installed_deb=1
    out=$(dpkg -i --force-depends "$deb" 2>&1) || die "dpkg -i $deb: $out"
    got=$(/usr/bin/ehealth-tray version)
    [ "$got" = "ehealth-tray $version" ] || die "installed ehealth-tray version printed \"$got\""
    grep -qx 'Hidden=true' /etc/xdg/autostart/ehealth-tray.desktop || die "installed autostart entry is not disabled"
    # --purge, not -r: the autostart conffile goes too.
    dpkg --purge ehealth-tray >/dev/null
    installed_deb=
    for f in /usr/bin/ehealth-tray /etc/xdg/autostart/ehealth-tray.desktop; do
      [ ! -e "$f" ] || die "dpkg --purge left $f"
    done
    echo "installed, ran \"$got\", purged"
  fi
}

[ "$target" = windows ] || build_deb
finish_step

echo
echo "== artifacts ($version)"
artifacts=("$win_exe" "$win_com" "$zip" "$msi")
[ "$target" = windows ] || artifacts=("$linux_bin" "${artifacts[@]}" "$deb")
for f in "${artifacts[@]}"; do
  bytes=$(stat -c %s "$f")
  printf '%-56s %10d B %8s\n' "$f" "$bytes" "$(numfmt --to=iec --suffix=B "$bytes")"
done
echo
echo "== timings"
for i in "${!steps[@]}"; do
  printf '%-40s %8s\n' "${steps[$i]}" "${durations[$i]}"
done
