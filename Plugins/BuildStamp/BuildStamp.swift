import Foundation
import PackagePlugin

/// Stamps the build with the checkout's git revision: before every build, writes `BuildStamp.swift`
/// (`buildStampRevision`) into the plugin's work directory, which SwiftPM compiles into the target. The file is
/// rewritten only when the revision changes, so an unchanged checkout rebuilds nothing. Outside a git checkout
/// (a source tarball) the revision is "unknown".
@main
struct BuildStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "BuildStamp.swift")
        let script = #"""
            package="$1"; output="$2"
            revision=""
            # Only the package's own checkout: a tarball unpacked inside another repository is not that repository.
            [ -e "$package/.git" ] && revision=$(git -C "$package" rev-parse --short=12 HEAD 2>/dev/null) || true
            if [ -z "$revision" ]; then
              revision=unknown
            elif ! git -C "$package" diff --quiet HEAD -- 2>/dev/null; then
              revision="$revision-dirty"
            fi
            text="/// Written by the BuildStamp plugin before each build.
            let buildStampRevision = \"$revision\""
            [ -f "$output" ] && [ "$(cat "$output")" = "$text" ] || printf '%s\n' "$text" > "$output"
            """#
        return [
            .prebuildCommand(
                displayName: "Stamping the build with its git revision",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "stamp", context.package.directoryURL.path, output.path],
                outputFilesDirectory: context.pluginWorkDirectoryURL
            )
        ]
    }
}
