import FoundationEssentials

/// One schema change: a numbered SQL file such as `0001_create_users.sql`.
public struct Migration: Sendable, Hashable {
    public let version: Int
    public let name: String
    public let sql: String
    /// SHA-256 of the SQL text, lowercase hex. Recorded when applied; a file whose checksum no
    /// longer matches stops `Migrator.apply`.
    public var checksum: String
    /// The file it came from (or `NNNN_name.sql` for a migration built in code).
    public var fileName: String

    public init(version: Int, name: String, sql: String, fileName: String? = nil) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = SHA256.hex(Array(sql.utf8))
        let digits = String(version)
        self.fileName = fileName ?? String(repeating: "0", count: max(0, 4 - digits.count)) + digits + "_" + name + ".sql"
    }
}

extension Migration {
    /// Loads every `*.sql` file of `directory`, sorted by version. File names must be
    /// `<digits>_<name>.sql` (`0001_create_users.sql`); other files are ignored, and a bad
    /// `.sql` name or two files with the same version is an error naming them.
    static func load(directory: URL, fileManager: FileManager) throws -> [Migration] {
        let names: [String]
        do {
            names = try fileManager.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationError.unreadable(path: directory.path, reason: "\(error)")
        }
        return try load(fileNames: names, in: directory.path) { fileName in
            fileManager.contents(atPath: directory.appendingPathComponent(fileName).path).map { [UInt8]($0) }
        }
    }

    /// The migrations among `fileNames` (the files of the directory `location`), each read by
    /// `read`; the same rules as ``load(directory:)``.
    public static func load(fileNames: [String], in location: String, read: (String) -> [UInt8]?) throws -> [Migration] {
        var migrations: [Migration] = []
        var byVersion: [Int: String] = [:]
        for fileName in fileNames.sorted() where fileName.hasSuffix(".sql") && !fileName.hasPrefix(".") {
            guard let (version, name) = parse(fileName: fileName) else {
                throw MigrationError.badFileName(fileName)
            }
            if let other = byVersion[version] {
                throw MigrationError.duplicateVersion(version, files: [other, fileName])
            }
            byVersion[version] = fileName
            let path = location + "/" + fileName
            guard let bytes = read(fileName) else {
                throw MigrationError.unreadable(path: path, reason: "cannot read file")
            }
            guard let sql = String(data: Data(bytes), encoding: .utf8) else {
                throw MigrationError.unreadable(path: path, reason: "not UTF-8")
            }
            migrations.append(Migration(version: version, name: name, sql: sql, fileName: fileName))
        }
        return migrations.sorted { $0.version < $1.version }
    }

    public static func load(directory: URL) throws -> [Migration] {
        try load(directory: directory, fileManager: .default)
    }

    /// `0001_create_users.sql` → (1, "create_users").
    static func parse(fileName: String) -> (Int, String)? {
        guard fileName.hasSuffix(".sql") else { return nil }
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_") else { return nil }
        let digits = stem[..<underscore]
        let name = stem[stem.index(after: underscore)...]
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let version = Int(digits), !name.isEmpty,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        else { return nil }
        return (version, String(name))
    }
}
