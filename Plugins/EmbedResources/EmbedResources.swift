import Foundation
import PackagePlugin

/// Builds ParleyApp's migrations, templates and password lists into the executable: one
/// generated Swift file (written by `EmbedResourcesTool`) holds each file's path, relative to the
/// target, and its contents. SwiftPM's own resources would need Foundation's `Bundle` at run time.
@main
struct EmbedResources: BuildToolPlugin {
    /// The target's directories that are embedded; Package.swift excludes them from its sources.
    static let directories = ["Migrations", "Templates", "Accounts/PasswordLists"]

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = target.directoryURL
        var relativePaths: [String] = []
        for directory in Self.directories {
            let base = root.appending(path: directory)
            guard let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else {
                throw PluginError("\(base.path) cannot be read")
            }
            for case let url as URL in enumerator where try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true {
                relativePaths.append(directory + "/" + url.path.dropFirst(base.path.count).drop { $0 == "/" })
            }
        }
        relativePaths.sort()
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedResources.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(relativePaths.count) resource files in \(target.name)",
                executable: try context.tool(named: "EmbedResourcesTool").url,
                arguments: [root.path, output.path] + relativePaths,
                inputFiles: relativePaths.map { root.appending(path: $0) },
                outputFiles: [output]),
        ]
    }
}

struct PluginError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
