#!/bin/sh
# Install the Debian packages that building, testing and the demo need.
# As root, missing ones are installed with apt-get; otherwise the exact
# command is printed and the build stops.
set -eu
PKGS="gcc make pkg-config libsqlite3-dev sqlite3 libcjson-dev libsodium-dev
libmicrohttpd-dev libesmtp-dev libssl-dev openssl libhpdf-dev libcsv-dev libcmocka-dev
cppcheck clang-tidy clang-format poppler-utils qpdf ledger hledger fonts-dejavu-core time
chromium wrk clang libclang-rt-14-dev libzip-dev libexpat1-dev libxlsxwriter-dev
python3-openpyxl python3-aiosmtpd libreoffice-calc-nogui libqpdf-dev libharfbuzz-dev
fonts-droid-fallback fonts-symbola"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
# Node.js may come from Debian or from elsewhere: only the commands matter.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "coopledger needs these Debian packages:$missing" >&2
	echo "run:  sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# shellcheck disable=SC2086
apt-get install -y -qq $missing >&2
