#!/bin/sh
# Install the Debian 12 packages nastavdoc needs, only when something is missing,
# and generate the ru_RU.UTF-8 locale the tests render under.
#
# Usage: scripts/deps.sh [SET...]
#   no SET   what `make`, `make demo` and `make test` need
#   fuzz     also clang and its sanitizer runtimes (make fuzz, clang's UBSan)
#   dev      also clang-format, clang-tidy and cppcheck (make format, make lint)
#   schema   also python3-yaml and python3-jsonschema, which `make test` uses to
#            validate the samples against `nastavdoc schema`
#   pdfa     also Java and PDFBox Preflight, which `make test` runs on PDF/A
#            output (docs/pdfa.md): 4.8 MB of jars, and a headless JRE
#            (about 190 MB) where none is installed
#   qr       also zbar-tools, whose zbarimg `make test` uses to decode the QR
#            code of a rendered document (it brings ImageMagick's libraries)
#
# Nothing runs apt-get when every package is installed, so a machine that is set
# up costs one dpkg-query. Recommended packages are never installed: hyphen-ru
# alone recommends LibreOffice (631 packages and 1.6 GB instead of about 110).
set -eu

# The compiler, make and pkg-config are listed one by one instead of
# build-essential, which also brings g++ and dpkg-dev. perl-base (always
# installed) runs libhyphen's substrings.pl. procps gives the tests ps and pgrep
# (batch workers are watched), which a minimal system lacks.
PKGS="make gcc libc6-dev pkg-config libhpdf-dev libyaml-dev libhyphen-dev hyphen-ru
libunistring-dev libcsv-dev libcmocka-dev poppler-utils qpdf locales time procps
libqrencode-dev libdeflate-dev libsodium-dev"
for set in "$@"; do
    case $set in
    fuzz) PKGS="$PKGS clang libclang-rt-14-dev" ;;
    dev) PKGS="$PKGS clang-format clang-tidy cppcheck" ;;
    pdfa) PKGS="$PKGS default-jre-headless libpdfbox2-java libactivation-java libjaxb-api-java" ;;
    schema) PKGS="$PKGS python3-yaml python3-jsonschema" ;;
    qr) PKGS="$PKGS zbar-tools" ;;
    *)
        echo "scripts/deps.sh: неизвестный набор пакетов «$set» (есть: fuzz, dev, pdfa, schema, qr)" >&2
        exit 2
        ;;
    esac
done

# One dpkg-query for all packages: a package that is not installed is either
# reported with another status or not reported at all. $PKGS is split on purpose.
# shellcheck disable=SC2086
installed=$(dpkg-query -W -f='${Package} ${Status}\n' $PKGS 2>/dev/null |
    awk '$NF == "installed" && $(NF-1) == "ok" { printf " %s ", $1 }') || true
missing=""
for p in $PKGS; do
    case $installed in
    *" $p "*) ;;
    *) missing="$missing $p" ;;
    esac
done

if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "nastavdoc: не хватает пакетов:$missing" >&2
        echo "установите их: sudo apt-get install --no-install-recommends$missing" >&2
        exit 3
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "nastavdoc: не хватает пакетов:$missing; нужен Debian 12 с apt-get" >&2
        exit 3
    fi
    echo "nastavdoc: устанавливаю пакеты:$missing"
    export DEBIAN_FRONTEND=noninteractive
    log=$(mktemp /tmp/nastavdoc-apt.XXXXXX)
    apt_install() {
        apt-get install -y -q --no-install-recommends "$@" >"$log" 2>&1
    }
    # A fresh system has no package lists yet; stale lists name versions the
    # mirror no longer has: in both cases update, then install.
    # shellcheck disable=SC2086
    if ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 && apt_install $missing; then
        :
    else
        apt-get update -q >"$log" 2>&1 || {
            tail -n 5 "$log" >&2
            echo "nastavdoc: apt-get update не удался (журнал: $log)" >&2
            exit 3
        }
        # shellcheck disable=SC2086
        apt_install $missing || {
            tail -n 5 "$log" >&2
            echo "nastavdoc: пакеты не установились (журнал: $log)" >&2
            exit 3
        }
    fi
    rm -f "$log"
fi

# The sample checks render again under a Russian locale, and the Russian
# system error texts come with the locales package.
if ! locale -a 2>/dev/null | grep -qi '^ru_RU\.utf-\?8$'; then
    if [ "$(id -u)" = 0 ]; then
        echo "nastavdoc: создаю локаль ru_RU.UTF-8"
        sed -i 's/^# *ru_RU.UTF-8 UTF-8/ru_RU.UTF-8 UTF-8/' /etc/locale.gen 2>/dev/null || true
        grep -q '^ru_RU.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null || echo 'ru_RU.UTF-8 UTF-8' >>/etc/locale.gen
        locale-gen >/dev/null
    else
        echo "nastavdoc: нет локали ru_RU.UTF-8; создайте её: sudo locale-gen ru_RU.UTF-8" >&2
    fi
fi
