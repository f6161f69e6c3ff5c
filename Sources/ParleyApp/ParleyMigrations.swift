import FoundationEssentials
import Postgres

/// The application's numbered SQL migrations (`Migrations/NNNN_name.sql`): those built into
/// parley, or the files of a directory (`parley migrate --migrations-dir`, `PARLEY_MIGRATIONS_DIR`).
public enum ParleyMigrations {
    public static func load(directory: String? = nil) throws -> [Migration] {
        let source = directory.map(ResourceDirectory.disk) ?? Resources.directory(named: "Migrations", environmentKey: "PARLEY_MIGRATIONS_DIR")
        if let path = source.path {
            return try Migration.load(directory: URL(fileURLWithPath: path))
        }
        return try Migration.load(fileNames: source.files() ?? [], in: source.description, read: source.contents(of:))
    }
}
