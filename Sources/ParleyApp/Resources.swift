import FoundationEssentials

/// The files shipped with the application (migrations, templates, password lists): built into the
/// executable by the EmbedResources plugin, so that the binary is all an install needs and a
/// reload's new workers get the templates of the new binary. An install that keeps its own copy
/// names the directory in the environment (`PARLEY_MIGRATIONS_DIR`, `PARLEY_TEMPLATES_DIR`,
/// `PARLEY_PASSWORD_LISTS_DIR`), and the files are then read from disk.
public enum Resources {
    public static func directory(named name: String, environmentKey: String) -> ResourceDirectory {
        if let configured = ProcessInfo.processInfo.environment[environmentKey], !configured.isEmpty {
            return .disk(configured)
        }
        return .embedded(name)
    }
}

/// A directory of resource files, on disk or built into the executable.
public struct ResourceDirectory: Sendable, CustomStringConvertible {
    private enum Storage {
        case disk(String)
        case embedded(String)
    }

    private let storage: Storage

    /// The directory at `path`.
    public static func disk(_ path: String) -> ResourceDirectory { ResourceDirectory(storage: .disk(path)) }

    /// The embedded copy of the target's directory `name` (`Templates`, `Accounts/PasswordLists`).
    static func embedded(_ name: String) -> ResourceDirectory { ResourceDirectory(storage: .embedded(name)) }

    /// The path on disk, or where the embedded files came from.
    public var description: String {
        switch storage {
        case .disk(let path): path
        case .embedded(let name): "\(name) (built into parley)"
        }
    }

    /// The path on disk; nil for the embedded copy.
    public var path: String? {
        if case .disk(let path) = storage { return path }
        return nil
    }

    /// The relative paths of the regular files, subdirectories included, sorted; nil if the
    /// directory cannot be read.
    public func files() -> [String]? {
        switch storage {
        case .disk(let path):
            guard let paths = try? FileManager.default.subpathsOfDirectory(atPath: path) else { return nil }
            return paths.filter { relative in
                var isDirectory = false
                return FileManager.default.fileExists(atPath: path + "/" + relative, isDirectory: &isDirectory) && !isDirectory
            }.sorted()
        case .embedded(let name):
            let prefix = name + "/"
            return EmbeddedResources.files.compactMap { $0.path.hasPrefix(prefix) ? String($0.path.dropFirst(prefix.count)) : nil }
        }
    }

    /// The bytes of the file at `relativePath`; nil if there is no such file or it cannot be read.
    public func contents(of relativePath: String) -> [UInt8]? {
        switch storage {
        case .disk(let path):
            FileManager.default.contents(atPath: path + "/" + relativePath).map { [UInt8]($0) }
        case .embedded(let name):
            EmbeddedResources.files.first { $0.path == name + "/" + relativePath }.map { Array($0.contents.utf8) }
        }
    }

    /// Whether the file at `relativePath` can be read.
    public func isReadable(_ relativePath: String) -> Bool {
        switch storage {
        case .disk(let path): FileManager.default.isReadableFile(atPath: path + "/" + relativePath)
        case .embedded(let name): EmbeddedResources.files.contains { $0.path == name + "/" + relativePath }
        }
    }
}
