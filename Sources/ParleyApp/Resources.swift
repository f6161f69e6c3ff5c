import Foundation

/// Where the files shipped with the application live: SwiftPM copies them next to the
/// executable (`parley_ParleyApp.resources/`); an install that puts them elsewhere names the
/// directory in the environment (`PARLEY_MIGRATIONS_DIR`, `PARLEY_TEMPLATES_DIR`).
public enum Resources {
    public static func directory(named name: String, environmentKey: String) -> String {
        if let configured = ProcessInfo.processInfo.environment[environmentKey], !configured.isEmpty {
            return configured
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let candidates = [
            executable.deletingLastPathComponent().appendingPathComponent("parley_ParleyApp.resources/\(name)").path,
            Bundle.main.bundleURL.appendingPathComponent("parley_ParleyApp.resources/\(name)").path,
            // Test bundles live beside the resources in the build directory.
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("parley_ParleyApp.resources/\(name)").path,
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0) } ?? candidates[0]
    }
}
