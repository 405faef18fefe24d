#!/usr/bin/env bash
# `npm run deb`: builds banward_<version>_<arch>.deb with dpkg-deb from the built package (run
# `npm run build` first). Usage: build-deb.sh [OUT_DIR] (default: dist/ of the repository); prints the
# .deb's path. The daemon, its bundled config and its production node_modules go to /usr/lib/banward,
# better-sqlite3's native module built for this machine's node and architecture.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
pkg=$(dirname "$here")
repo=$(cd "$pkg/../.." && pwd)
out=$(mkdir -p "${1:-$repo/dist}" && cd "${1:-$repo/dist}" && pwd)
[ -f "$pkg/dist/src/cli/main.js" ] || { echo "build-deb: $pkg/dist is missing: run npm run build first" >&2; exit 1; }

version=$(node -p "require('$pkg/package.json').version")
arch=$(dpkg --print-architecture)
node_major=$(node -p 'process.versions.node.split(".")[0]')
# Reproducible: dates come from the last commit (or SOURCE_DATE_EPOCH), not from the clock.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}
day=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
maintainer=${BANWARD_DEB_MAINTAINER:-banward maintainers <maintainers@banward.org>}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/root
lib=$root/usr/lib/banward
doc=$root/usr/share/doc/banward

npm pack --silent --pack-destination "$stage" "$pkg" >/dev/null
mkdir -p "$lib"
tar -xzf "$stage/banward-$version.tgz" -C "$lib" --strip-components=1
(cd "$lib" && npm install --omit=dev --ignore-scripts --no-package-lock --no-audit --no-fund --loglevel=error >/dev/null)

# better-sqlite3's native module: the one the repository's npm ci built when it is the same version
# (same node, same machine), else built here by node-gyp (python3, make and g++ needed).
sqlite=$lib/node_modules/better-sqlite3
built=$repo/node_modules/better-sqlite3
if [ -f "$built/build/Release/better_sqlite3.node" ] \
  && [ "$(node -p "require('$sqlite/package.json').version")" = "$(node -p "require('$built/package.json').version")" ]; then
  mkdir -p "$sqlite/build/Release"
  cp "$built/build/Release/better_sqlite3.node" "$sqlite/build/Release/"
else
  (cd "$sqlite" && npm run install --foreground-scripts >/dev/null)
  find "$sqlite/build" -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} +
  find "$sqlite/build/Release" -mindepth 1 ! -name better_sqlite3.node -exec rm -rf {} +
fi
# Its C sources and build files are not needed at run time, nor the packages' dotfiles (.npmignore,
# .eslintrc: lintian errors).
rm -rf "$sqlite/deps" "$sqlite/src" "$sqlite/binding.gyp"
find "$lib/node_modules" -name '.*' -type f -delete
# Each dependency's tests, examples, benchmarks and documentation (pages that load scripts from CDNs:
# lintian's privacy-breach) are not needed to run it: removed at the top of each package, licences kept.
mapfile -t packages < <(find "$lib/node_modules" -regex '.*/node_modules/\(@[^/]*/\)?[^/@][^/]*/package.json' -printf '%h\n' | sort -u)
for dir in "${packages[@]}"; do
  for sub in test tests __tests__ example examples bench benchmark benchmarks docs doc integration .github; do rm -rf "${dir:?}/$sub"; done
  find "$dir" -maxdepth 1 -type f \( -iname '*.md' -o -iname '*.markdown' -o -iname '*.html' \) ! -iname 'licen[cs]e*' -delete
done
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$sqlite/build/Release/better_sqlite3.node"
# The libraries it links (libc6, libstdc++6), with their versions, as dpkg-shlibdeps finds them.
mkdir -p "$stage/shlibs/debian"
printf 'Source: banward\n\nPackage: banward\nArchitecture: any\n' >"$stage/shlibs/debian/control"
shlibs=$(cd "$stage/shlibs" && dpkg-shlibdeps -O -e "$sqlite/build/Release/better_sqlite3.node" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')

install -D -m 0755 "$here/deb/banward.sh" "$root/usr/bin/banward"
mkdir -p "$root/etc"
cp -r "$lib/config" "$root/etc/banward"
rm -rf "$root/etc/banward/samples"
install -D -m 0644 "$pkg/systemd/banward.service" "$root/lib/systemd/system/banward.service"
install -D -m 0644 "$pkg/systemd/banward.logrotate" "$root/etc/logrotate.d/banward"

mkdir -p "$root/usr/share/man/man8" "$root/usr/share/man/man5" "$doc"
node "$pkg/dist/packaging/build-man.js" "$stage" "$day"
gzip -9n -c "$stage/banward.8" >"$root/usr/share/man/man8/banward.8.gz"
gzip -9n -c "$stage/banward.conf.5" >"$root/usr/share/man/man5/banward.conf.5.gz"
install -m 0644 "$here/deb/copyright" "$doc/copyright"
printf 'banward (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- %s  %s\n' \
  "$version" "$version" "$maintainer" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")" | gzip -9n >"$doc/changelog.gz"

# Executable: /usr/bin/banward and the package's bin only; node_modules files are read by node, not run
# (and a shared object is not executable, as lintian wants).
find "$root" -type d -exec chmod 0755 {} +
find "$root" -type f -exec chmod 0644 {} +
chmod 0755 "$root/usr/bin/banward" "$lib/bin/banward.js"
# ...but a dependency's own scripts (a #! line) keep their executable bit.
find "$lib/node_modules" -type f -exec sh -c 'for f; do [ "$(head -c2 "$f")" != "#!" ] || chmod 0755 "$f"; done' sh {} +
find "$root" -type d -empty -delete

mkdir -p "$root/DEBIAN"
for script in postinst prerm postrm; do install -m 0755 "$here/deb/$script" "$root/DEBIAN/$script"; done
(cd "$root" && find etc -type f | sort | sed 's|^|/|') >"$root/DEBIAN/conffiles"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' md5sum) >"$root/DEBIAN/md5sums"
# better-sqlite3 is built against this node's ABI (NODE_MODULE_VERSION): another major release of
# nodejs cannot load it, so the package depends on this major only. procps: the unit's ExecReload runs
# /bin/kill, which a minimal Debian lacks.
cat >"$root/DEBIAN/control" <<CONTROL
Package: banward
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: nodejs (>= $node_major), nodejs (<< $((node_major + 1))), nftables | iptables, procps, $shlibs
Recommends: logrotate
Suggests: ipset
Section: net
Priority: optional
Homepage: https://github.com/banward/banward
Description: intrusion prevention that reads fail2ban's configuration
 banward watches log files, the systemd journal and reports from web
 applications, matches failures with fail2ban's filters, counts them per
 address in jails and bans offenders with nftables, ipset or fail2ban's own
 action.d files. It reads /etc/fail2ban unchanged, keeps its bans in SQLite
 and restores them at start.
CONTROL

deb=$out/banward_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
