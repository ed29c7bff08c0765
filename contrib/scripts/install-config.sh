#!/bin/sh
# install-config.sh SRC DEST — installs a configuration file (mode 0644)
# unless DEST exists: `make install` over an existing installation keeps the
# admin's edits. A package build (a fresh DESTDIR) always gets the file.
set -eu
if [ -e "$2" ]; then
  echo "install: keeping $2 (the shipped version is $1)"
  exit 0
fi
install -D -m 0644 "$1" "$2"
