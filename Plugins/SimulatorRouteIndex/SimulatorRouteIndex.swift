import Foundation
import PackagePlugin

/// Lists the simulator's route files so that adding one needs no list: before every build, writes
/// `SimulatorRouteIndex.swift` with `simulatorRouteFiles`, one `<Name>Routes.self` per file
/// `Sources/GenesysSimulator/Routes/<Name>Routes.swift`, sorted by name. The file is rewritten only when the list
/// changes, so an unchanged tree rebuilds nothing.
@main
struct SimulatorRouteIndex: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "SimulatorRouteIndex.swift")
        let routes = target.directoryURL.appending(path: "Routes")
        let script = #"""
            routes="$1"; output="$2"
            list=""
            for file in "$routes"/*Routes.swift; do
              [ -e "$file" ] || continue
              name=$(basename "$file" .swift)
              list="$list        $name.self,
            "
            done
            text="/// Written by the SimulatorRouteIndex plugin before each build: every Routes/<Name>Routes.swift.
            let simulatorRouteFiles: [any SimulatorRouteFile.Type] = [
            $list]"
            [ -f "$output" ] && [ "$(cat "$output")" = "$text" ] || printf '%s\n' "$text" > "$output"
            """#
        return [
            .prebuildCommand(
                displayName: "Listing the simulator's route files",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "index", routes.path, output.path],
                outputFilesDirectory: context.pluginWorkDirectoryURL
            )
        ]
    }
}
