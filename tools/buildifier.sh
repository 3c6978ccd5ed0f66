#!/bin/sh
# Lints and format-checks every Starlark file (WORKSPACE, MODULE.bazel, BUILD
# files, .bzl) with buildifier from npm (@bazel/buildifier), installed into
# tools/.bin/npm on first use.
#
#   tools/buildifier.sh          check; exit 1 on any finding
#   tools/buildifier.sh --fix    rewrite files in buildifier's format
set -eu
cd "$(dirname "$0")/.."

VERSION=8.2.1
prefix="$PWD/tools/.bin/npm"
buildifier="$prefix/node_modules/.bin/buildifier"
if ! "$buildifier" --version 2>/dev/null | grep -q "version: $VERSION"; then
	if ! command -v npm >/dev/null 2>&1; then
		echo "buildifier.sh: npm not found; install Node.js and npm" >&2
		exit 1
	fi
	npm install --silent --no-save --no-audit --no-fund --prefix "$prefix" "@bazel/buildifier@$VERSION" >&2
fi

# git runs alone in its substitution, so that set -e sees it fail (sh has
# no pipefail); then the files it lists that exist.
listed=$(git ls-files --cached --others --exclude-standard \
	'WORKSPACE' 'MODULE.bazel' '*.bzl' '*BUILD.bazel' '*/WORKSPACE' '*/MODULE.bazel')
files=$(printf '%s\n' "$listed" | while read -r f; do [ -f "$f" ] && echo "$f"; done || true)
if [ -z "$files" ]; then
	echo "buildifier.sh: git listed no Starlark files" >&2
	exit 1
fi

if [ "${1:-}" = "--fix" ]; then
	# shellcheck disable=SC2086
	exec "$buildifier" --lint=fix --mode=fix $files
fi
# shellcheck disable=SC2086
exec "$buildifier" --lint=warn --mode=check --warnings=all $files
