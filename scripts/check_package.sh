#!/usr/bin/env bash
# Inspects the edgegw .deb built by `cpack -G DEB` in BUILD_DIR and runs what it installs:
#   scripts/check_package.sh BUILD_DIR [EMULATOR ARGS...]   (e.g. qemu-aarch64 -L /)
# Checks: control fields (Package, Architecture = the binary's, Depends holding adduser,
# libcoap3 (dlopen()ed) and the package of every NEEDED library), the file list,
# /etc/edgegw/edgegw.ini as a conffile equal to etc/edgegw.ini,
# the maintainer scripts (sh -n), a stripped binary; then unpacks it into a scratch root
# (dpkg -x: no maintainer scripts run, nothing touches this machine) and runs the unpacked
# binary's --version and --check on the unpacked config, and systemd-analyze verify on the
# unpacked unit when systemd-analyze is there. Exits non-zero naming the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:?usage: check_package.sh BUILD_DIR [EMULATOR ARGS...]}
shift
EMU=("$@")
fail() { echo "check_package: FAIL: $*" >&2; exit 1; }

shopt -s nullglob
debs=("$BUILD"/edgegw_*.deb)
[ ${#debs[@]} -eq 1 ] || fail "expected one edgegw_*.deb in $BUILD, found ${#debs[@]}"
DEB=${debs[0]}
echo "check_package: $DEB ($(stat -c %s "$DEB") bytes)"

field() { dpkg-deb -f "$DEB" "$1"; }
[ "$(field Package)" = edgegw ] || fail "Package is $(field Package)"
ARCH=$(field Architecture)
DEPENDS=$(field Depends)
echo "check_package: Architecture: $ARCH"
echo "check_package: Depends: $DEPENDS"
echo "check_package: Installed-Size: $(field Installed-Size) KiB"
has_dep() { tr ',' '\n' <<<"$DEPENDS" | sed 's/^ *//; s/[ (].*//' | grep -qxF "$1"; }
has_dep adduser || fail "Depends lacks adduser (maintainer scripts)"
# dlopen()ed at start-up (protocols/coap/stack/libcoap_api.hpp), so not a NEEDED entry.
has_dep libcoap3 || fail "Depends lacks libcoap3 (libcoap-3-notls/-openssl are dlopen()ed)"

contents=$(dpkg-deb -c "$DEB" | awk '{print $NF}')
for f in ./usr/bin/edgegw ./etc/edgegw/edgegw.ini ./lib/systemd/system/edgegw.service \
  ./usr/share/doc/edgegw/README.md; do
  grep -qx "$f" <<<"$contents" || fail "$f not in the package"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -e "$DEB" "$work/DEBIAN"
grep -qx /etc/edgegw/edgegw.ini "$work/DEBIAN/conffiles" || fail "edgegw.ini is not a conffile"
grep -qx /etc/edgegw/lwm2m/00003_device.json "$work/DEBIAN/conffiles" ||
  fail "the LwM2M object definitions are not conffiles"
for s in postinst prerm postrm; do
  [ -x "$work/DEBIAN/$s" ] || fail "$s missing or not executable"
  sh -n "$work/DEBIAN/$s" || fail "$s: shell syntax"
done

root=$work/root
dpkg -x "$DEB" "$root"
cmp -s "$root/etc/edgegw/edgegw.ini" etc/edgegw.ini || fail "packaged edgegw.ini differs from etc/edgegw.ini"
bin=$root/usr/bin/edgegw
file_out=$(file -b "$bin")
echo "check_package: usr/bin/edgegw: $file_out ($(stat -c %s "$bin") bytes)"
case "$ARCH" in
  amd64) want="x86-64" ;;
  arm64) want="ARM aarch64" ;;
  armhf) want="ARM, EABI5" ;;
  *) want="" ;;
esac
[ -z "$want" ] || grep -q "$want" <<<"$file_out" || fail "binary is not $ARCH: $file_out"
grep -q ", stripped" <<<"$file_out" || fail "binary is not stripped"

# Every shared library the binary needs comes from a package named in Depends.
case "$ARCH" in
  amd64) TRIPLET=x86_64-linux-gnu ;;
  arm64) TRIPLET=aarch64-linux-gnu ;;
  armhf) TRIPLET=arm-linux-gnueabihf ;;
  *) TRIPLET="" ;;
esac
needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ -n "$needed" ] || fail "readelf found no NEEDED libraries"
for so in $needed; do
  # A file can be listed by more than one package (e.g. a renamed library package).
  pkgs=$(dpkg -S "$so" 2>/dev/null | grep "/$TRIPLET/$so\$" | cut -d: -f1 | tr ',' ' ')
  [ -n "$pkgs" ] || fail "no installed package holds $so for $ARCH"
  ok=0
  for pkg in $pkgs; do
    # Depends may name what the package Provides (libspdlog1.10 provides libspdlog1.10-fmt9).
    provides=$(dpkg-query -W -f='${Provides}' "$pkg:$ARCH" 2>/dev/null | tr ',' '\n' |
      sed 's/^ *//; s/[ (].*//')
    for name in $pkg $provides; do has_dep "$name" && ok=1; done
  done
  [ "$ok" = 1 ] || fail "$so comes from $(echo $pkgs), none of which is in Depends"
done
echo "check_package: NEEDED libraries all covered by Depends: $(echo $needed)"

"${EMU[@]}" "$bin" --version | grep -q '^edgegw ' || fail "--version"
out=$("${EMU[@]}" "$bin" --check -c "$root/etc/edgegw/edgegw.ini") || fail "--check: $out"
echo "check_package: $out"

if command -v systemd-analyze >/dev/null; then
  # The unit as installed, pointed at the unpacked binary (verify wants an executable).
  sed "s|/usr/bin/edgegw|$bin|" "$root/lib/systemd/system/edgegw.service" >"$work/edgegw.service"
  systemd-analyze verify "$work/edgegw.service" || fail "systemd-analyze verify"
  echo "check_package: systemd-analyze verify ok"
fi
echo "check_package: ok"
