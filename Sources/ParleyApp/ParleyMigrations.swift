import Foundation
import Postgres

/// The application's numbered SQL migrations (`Migrations/NNNN_name.sql`).
public enum ParleyMigrations {
    public static func load(directory: String? = nil) throws -> [Migration] {
        try Migration.load(directory: URL(fileURLWithPath: directory ?? defaultDirectory()))
    }

    public static func defaultDirectory() -> String {
        Resources.directory(named: "Migrations", environmentKey: "PARLEY_MIGRATIONS_DIR")
    }
}
