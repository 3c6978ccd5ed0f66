"""Offline repository setup for Bazel 4.2.3 (Debian bazel-bootstrap).

Call offline_bazel_dependencies() first thing in WORKSPACE. It declares
 * the rule sets Bazel itself would download (rules_cc, rules_java,
   rules_proto, platforms, bazel_skylib, remote_coverage_tools) from the
   Debian packages under /usr/share/bazel, and
 * rules_go and gazelle from the Go module proxy (go mod download),
   with the patches/fixups they need for Bazel 4.2.3 + Go >= 1.20.

Works from other workspaces too (labels below are repo-relative).
"""

load(
    ":offline_repos.bzl",
    "coverage_tools_stub_repository",
    "debian_bazel_repository",
    "go_module_repository",
)

RULES_GO_VERSION = "v0.34.0"
RULES_GO_SUM = "h1:cmObMtgIOaEU944SqXtJ9DnlS8IPGGa7pdRnsrpQzXM="

GAZELLE_VERSION = "v0.26.0"
GAZELLE_SUM = "h1:/gh8S450+nfr3wYI6bTYEi297obbVcMObavhPuB7LVo="

_USE_CPP_TOOLCHAIN_FIX = [
    ', "use_cpp_toolchain")',
    ")",
    "toolchains = use_cpp_toolchain(),",
    'toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],',
]

# A WORKSPACE macro like go_rules_dependencies(): it declares repositories
# under fixed names, so it takes no name of its own.
# buildifier: disable=unnamed-macro
def offline_bazel_dependencies():
    """Declares every repository the build needs that does not come from go.mod."""
    # --- Repositories Bazel 4.2.3 would fetch from GitHub / mirror.bazel.build.
    # Declared before DEFAULT.WORKSPACE.SUFFIX, so these win.

    # Debian's rules_cc 0.0.4 uses use_cpp_toolchain(), which Bazel 4.2.3's
    # @bazel_tools lacks; replace it with the plain toolchain type.
    debian_bazel_repository(
        name = "rules_cc",
        path = "/usr/share/bazel/rules/cc",
        replacements = {
            "cc/private/rules_impl/cc_flags_supplier.bzl": _USE_CPP_TOOLCHAIN_FIX,
            "cc/private/rules_impl/compiler_flag.bzl": _USE_CPP_TOOLCHAIN_FIX,
        },
    )
    native.local_repository(name = "rules_java", path = "/usr/share/bazel/rules/java")
    native.local_repository(name = "rules_proto", path = "/usr/share/bazel/rules/proto")
    native.local_repository(name = "platforms", path = "/usr/share/bazel/tools/platforms")
    native.local_repository(name = "bazel_skylib", path = "/usr/share/bazel/tools/skylib")

    # Test rules reference @remote_coverage_tools (mirror.bazel.build).
    coverage_tools_stub_repository(name = "remote_coverage_tools")

    # --- Bazel rule sets published as Go modules, via the Go module proxy.
    go_module_repository(
        name = "io_bazel_rules_go",
        module = "github.com/bazelbuild/rules_go",
        version = RULES_GO_VERSION,
        sum = RULES_GO_SUM,
        executable_globs = ["go/tools/builders/*.sh"],
        # Backports from rules_go v0.38..v0.5x for Go 1.20+ (no precompiled
        # stdlib, go.env, no cmd/pack in 1.25+, asm -p for symabis in 1.22+),
        # and v0.41's //go/config:pgoprofile flag (profile-guided
        # optimisation; .bazelrc sets it).
        patches = [
            Label("//tools/build_defs/patches:rules_go-v0.34.0-go1.20plus.patch"),
            Label("//tools/build_defs/patches:rules_go-v0.34.0-pgo.patch"),
        ],
    )

    go_module_repository(
        name = "bazel_gazelle",
        module = "github.com/bazelbuild/bazel-gazelle",
        version = GAZELLE_VERSION,
        sum = GAZELLE_SUM,
        fixup_cmds = [
            # Module zips drop vendored sources, but go_repository_tools builds
            # gazelle/fetch_repo in GOPATH mode from vendor/. Re-vendor them.
            "$GO mod vendor",
            # Debian's bazel-skylib 1.0.3 unittest.suite() cannot take the
            # partials used by gazelle's own analysis tests; drop that suite.
            "sed -i '/gazelle_binary_test_suite/d' internal/BUILD.bazel",
            # golang.org/x/tools/go/vcs left x/tools in v0.11, but the
            # workspace's @org_golang_x_tools follows go.mod (much newer).
            # Use the standalone module golang.org/x/tools/go/vcs instead.
            "grep -rl '@org_golang_x_tools//go/vcs' --include=BUILD.bazel . | xargs sed -i 's#@org_golang_x_tools//go/vcs#@org_golang_x_tools_go_vcs//:vcs#'",
        ],
    )
