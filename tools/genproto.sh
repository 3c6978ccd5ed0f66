#!/bin/sh
# Regenerates the checked-in Go stubs of admin/v1/admin.proto.
#
# Needs protoc (Debian: protobuf-compiler) and the two Go plugins, installed
# here from the Go module proxy into ./tools/.bin when missing or not of the
# pinned version. The plugin versions are pinned so the stubs are
# reproducible.
set -eu
cd "$(dirname "$0")/.."

PROTOC_GEN_GO=google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.11
PROTOC_GEN_GO_GRPC=google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.1

if ! command -v protoc >/dev/null 2>&1; then
	echo "genproto: protoc not found; install it: apt-get install -y protobuf-compiler" >&2
	exit 1
fi

bin="$PWD/tools/.bin"
mkdir -p "$bin"
# plugin <package@version>: go install it into $bin unless the binary there
# was built from that version.
plugin() {
	pkg=${1%@*}
	have=$(go version -m "$bin/${pkg##*/}" 2>/dev/null | awk '$1 == "mod" { print $3 }')
	[ "$have" = "${1#*@}" ] || GOBIN="$bin" go install "$1"
}
plugin "$PROTOC_GEN_GO"
plugin "$PROTOC_GEN_GO_GRPC"

PATH="$bin:$PATH" protoc \
	--proto_path=. \
	--go_out=. --go_opt=paths=source_relative \
	--go-grpc_out=. --go-grpc_opt=paths=source_relative \
	admin/v1/admin.proto
echo "genproto: regenerated admin/v1/*.pb.go"
