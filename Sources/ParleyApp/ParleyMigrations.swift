import Foundation
import Postgres

/// The application's numbered SQL migrations, shipped as resources next to the executable
/// (`parley_ParleyApp.resources/Migrations`), or read from a directory given explicitly
/// (`--migrations-dir` / `PARLEY_MIGRATIONS_DIR`) for installs that place them elsewhere.
public enum ParleyMigrations {
    public static func load(directory: String? = nil) throws -> [Migration] {
        try Migration.load(directory: URL(fileURLWithPath: directory ?? defaultDirectory()))
    }

    public static func defaultDirectory() -> String {
        if let configured = ProcessInfo.processInfo.environment["PARLEY_MIGRATIONS_DIR"], !configured.isEmpty {
            return configured
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let candidates = [
            executable.deletingLastPathComponent().appendingPathComponent("parley_ParleyApp.resources/Migrations").path,
            Bundle.main.bundleURL.appendingPathComponent("parley_ParleyApp.resources/Migrations").path,
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0) } ?? candidates[0]
    }
}
