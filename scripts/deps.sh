#!/bin/sh
# Install the Debian packages nastavdoc needs, only when something is missing.
set -eu
PKGS="build-essential pkg-config perl libhpdf-dev libyaml-dev libhyphen-dev hyphen-ru libunistring-dev
libcmocka-dev poppler-utils qpdf locales time"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "nastavdoc: не хватает пакетов:$missing; установите их: sudo apt-get install$missing" >&2
        exit 3
    fi
    echo "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq $missing >/dev/null
fi
# The sample checks run again under a Russian locale (STYLE.md §7).
if ! locale -a 2>/dev/null | grep -qi '^ru_RU\.utf-\?8$'; then
    if [ "$(id -u)" = 0 ]; then
        sed -i 's/^# *ru_RU.UTF-8 UTF-8/ru_RU.UTF-8 UTF-8/' /etc/locale.gen 2>/dev/null || true
        grep -q '^ru_RU.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null || echo 'ru_RU.UTF-8 UTF-8' >> /etc/locale.gen
        locale-gen >/dev/null
    fi
fi
