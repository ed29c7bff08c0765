#!/bin/sh
# unpack-sendmail.sh DIR — Debian's sendmail-bin unpacked (never installed)
# into DIR/root, for the Sendmail e2e tests. Installing sendmail-bin would
# remove postfix (both provide and conflict with mail-transport-agent:
# `apt-get install -s sendmail-bin` shows "Remv postfix"), which the other
# tests and the host need. The package comes from `apt-get download` (the
# candidate version of the configured archives) and is unpacked with
# `dpkg-deb -x`; its libraries and sendmail-cf's m4 macros are ordinary
# packages (contrib/debian-packages.txt). The binary's set-group-id bit is
# cleared: the test runs it as root. Quick when DIR/root is there already.
set -eu
dir=$1
bin="$dir/root/usr/libexec/sendmail/sendmail"
[ -x "$bin" ] && exit 0
mkdir -p "$dir/debs"
rm -f "$dir"/debs/sendmail-bin_*.deb
(cd "$dir/debs" && apt-get download -q sendmail-bin 2>&1) | grep -v "^W: Download is performed unsandboxed" || true
deb=$(ls "$dir"/debs/sendmail-bin_*.deb 2>/dev/null | head -1)
if [ -z "$deb" ]; then
  echo "unpack-sendmail: 'apt-get download sendmail-bin' fetched nothing; the Sendmail tests will skip" >&2
  exit 1
fi
rm -rf "$dir/root.tmp"
dpkg-deb -x "$deb" "$dir/root.tmp"
chmod g-s "$dir/root.tmp/usr/libexec/sendmail/sendmail"
rm -rf "$dir/root"
mv "$dir/root.tmp" "$dir/root"
echo "unpack-sendmail: $(basename "$deb") in $dir/root"
