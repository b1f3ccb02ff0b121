#!/usr/bin/env bash
# Installs edgegw's Debian bookworm packages. Usage: deps.sh build|test (test: also the arm64
# cross toolchain, libraries and qemu-user)
# Everything comes from Debian: nothing is downloaded at build time.
set -euo pipefail
BUILD=(cmake make g++ pkgconf libboost-dev libmbedtls-dev libcoap3-dev libpaho-mqttpp-dev
       libpaho-mqtt-dev libssl-dev libinih-dev libsqlite3-dev libspdlog-dev libfmt-dev
       nlohmann-json3-dev libcli11-dev)
TEST=(libgtest-dev libgmock-dev clang libclang-rt-14-dev mosquitto mosquitto-clients python3
      python3-paho-mqtt procps libcoap3-bin openssl iproute2 python3-stomp python3-websocket
      python3-prometheus-client chromium dpkg-dev file)
want=("${BUILD[@]}")
FOREIGN=""
if [ "${1:-build}" = test ]; then
  want+=("${TEST[@]}")
  # The suite includes the arm64 cross build tested under qemu (scripts/cross.sh): its
  # packages come in the same apt run.
  read -ra CROSS <<<"$(bash "$(dirname "$0")/cross.sh" arm64 --packages)"
  want+=("${CROSS[@]}")
  FOREIGN=arm64
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  APT=($SUDO apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
  if [ -n "$FOREIGN" ] && ! dpkg --print-foreign-architectures | grep -qx "$FOREIGN"; then
    $SUDO dpkg --add-architecture "$FOREIGN"
  fi
  for i in 1 2 3; do "${APT[@]}" update -q && break || sleep 5; done
  "${APT[@]}" install -y -q --no-install-recommends "${missing[@]}"
fi
# Test peers from npm (MQTT.js); Debian's nodejs/npm unless a node with npm is already there.
if [ "${1:-build}" = test ] && ! command -v npm >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get install -y -q --no-install-recommends nodejs npm
fi
