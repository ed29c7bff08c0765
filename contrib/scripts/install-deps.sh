#!/bin/sh
# install-deps.sh LIST... — installs the Debian packages the named lists
# (contrib/debian-build-packages.txt, contrib/debian-packages.txt) name,
# noninteractively. Quick when all are present: it asks dpkg first and only
# calls apt-get for what is missing. It never stops, starts or reconfigures a
# service of the host: the tests run private instances of their own.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
missing=""
arch=$(dpkg --print-architecture)
# "name [arch ...]": only on the named architectures.
packages=$(for list in "$@"; do grep -v '^#' "$here/$list"; done | while read -r name archs; do
  case "$archs" in
    "") echo "$name" ;;
    *" $arch "* | "[$arch]" | "[$arch "* | *" $arch]") echo "$name" ;;
  esac
done)
for pkg in $packages; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  case "$status" in
    *" installed") ;;
    *) missing="$missing $pkg" ;;
  esac
done
[ -z "$missing" ] && exit 0
# Named by the lists asked for: `make` and `make run` ask for the build list only.
lists=$(echo $(for list in "$@"; do basename "$list"; done))
echo "install-deps ($lists): installing$missing"
if [ "$(id -u)" != 0 ]; then
  echo "install-deps ($lists): need root to apt-get install:$missing" >&2
  exit 1
fi
# Postfix, when this installs it (the test beds' list), must install
# unconfigured: the tests run private instances only. A host's own debconf
# answers are not touched otherwise.
case " $missing " in
  *" postfix "*) echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections ;;
esac
export DEBIAN_FRONTEND=noninteractive
# Packages with a service (prometheus, redis-server, ...) must not start it:
# while they install, invoke-rc.d / deb-systemd-invoke ask policy-rc.d(8),
# which answers 101 ("not allowed"). One the host already has is left as it is.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  trap 'rm -f "$policy"' EXIT INT TERM
  printf '#!/bin/sh\n# made by sendguard install-deps.sh while it installs packages\nexit 101\n' > "$policy"
  chmod 0755 "$policy"
fi
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
