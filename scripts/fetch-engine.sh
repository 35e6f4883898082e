#!/usr/bin/env bash
# Fetches the embedded ClickHouse engine (libchdb.so) from the npm registry into the
# git-ignored cache, pinned by version and checked against the registry's sha512 integrity.
set -euo pipefail
PKG="@chdb/lib-linux-x64-gnu"
VERSION="26.7.3-stable.1"
INTEGRITY="sha512-XP97mMqnc5tZpKQywR8N7cLTsHNiTmHr30pC5mzo3jWmukjKn2IBa60c2B/gWUNcuFjOMjWoorQICCqBVj5wpw=="
cache="${CADRESTAT_CACHE:-$(pwd)/.cache}"
dest="$cache/chdb"
if [ -f "$dest/libchdb.so" ] && [ "$(cat "$dest/VERSION" 2>/dev/null)" = "$VERSION" ]; then
  exit 0
fi
mkdir -p "$dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "fetching $PKG@$VERSION (177 MB) from the npm registry…" >&2
# On a terminal, curl draws its progress bar (the registry's tarball URL, from npm itself);
# otherwise (CI, make test's logs) the download is quiet. Without curl, npm pack fetches it.
url=""
if command -v curl >/dev/null; then
  url=$(npm view "$PKG@$VERSION" dist.tarball 2>"$tmp/npm.log") || { cat "$tmp/npm.log" >&2; exit 1; }
fi
if [ -n "$url" ]; then
  if [ -t 2 ]; then progress=--progress-bar; else progress=--silent; fi
  curl --fail --location --show-error $progress --retry 3 -o "$tmp/engine.tgz" "$url"
else
  (cd "$tmp" && npm pack --silent "$PKG@$VERSION" >/dev/null 2>"$tmp/npm.log") || { cat "$tmp/npm.log" >&2; exit 1; }
fi
tgz=$(ls "$tmp"/*.tgz)
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$INTEGRITY" ]; then
  echo "integrity check failed for $PKG@$VERSION: got $got" >&2
  exit 1
fi
tar -xzf "$tgz" -C "$tmp" package/libchdb.so
mv "$tmp/package/libchdb.so" "$dest/libchdb.so.part" && mv "$dest/libchdb.so.part" "$dest/libchdb.so"
echo "$VERSION" > "$dest/VERSION"
echo "engine library ready: $dest/libchdb.so" >&2
