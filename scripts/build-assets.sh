#!/usr/bin/env bash
# Installs the pinned front-end packages (web/package-lock.json) and copies the built
# GraphiQL/React files into server/graphiql/assets, which go:embed puts in the binary.
set -euo pipefail
cd "$(dirname "$0")/../web"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
out=../server/graphiql/assets
cp node_modules/graphiql/graphiql.min.js node_modules/graphiql/graphiql.min.css "$out/"
cp node_modules/react/umd/react.production.min.js node_modules/react-dom/umd/react-dom.production.min.js "$out/"
