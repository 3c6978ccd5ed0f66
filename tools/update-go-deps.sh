#!/bin/sh
# Keeps Bazel's go_repository rules (deps.bzl) and the BUILD files in step
# with go.mod. Run it after changing go.mod; a second run changes nothing.
set -eu
cd "$(dirname "$0")/.."
go mod tidy
# The consumer module builds the server's packages through a replace, so
# it needs their dependencies' sums too.
(cd tools/consumer && go mod tidy)
tools/bazel run //:gazelle -- update-repos -from_file=go.mod \
	-to_macro=deps.bzl%go_dependencies -prune -build_file_proto_mode=disable_global
# gazelle v0.26's go_repository_config only tracks macro files that declared
# at least one repository when it was generated. On the first run (empty
# deps.bzl) Bazel would keep a stale, empty list of known repositories, and
# go_repository BUILD files would miss cross-repository deps. ~2 s, so always.
tools/bazel sync --only=bazel_gazelle_go_repository_config
tools/bazel run //:gazelle
tools/consumer-repos.sh
