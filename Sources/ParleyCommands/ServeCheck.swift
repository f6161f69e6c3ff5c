import FastCGI
import FoundationEssentials
import Logging
import ParleyApp
import Postgres

/// `parley serve --check`, like `php-fpm -t` or `nginx -t`: the settings (already read by
/// then), the app's configuration and templates, the database connection and pending
/// migrations. Prints one line per check and returns the exit status.
struct ServeCheck {
    let settings: ServeSettings
    let logger: Logger

    func run() -> Int32 {
        var failures = 0
        func check(_ name: String, _ body: () throws -> String) {
            do {
                print("ok      \(name): \(try body())")
            } catch {
                failures += 1
                print("FAILED  \(name): \(error)")
            }
        }
        let binding = settings.workerCPUs().map { "each bound to one of CPUs \($0.map(String.init).joined(separator: ","))" } ?? "not bound to CPUs"
        print("ok      settings: listen \(settings.listen), \(settings.processes) processes × \(settings.threads) threads, \(binding)")
        var appConfiguration: AppConfiguration?
        check("configuration") {
            appConfiguration = try settings.appConfiguration()
            return "application settings read"
        }
        if let appConfiguration {
            check("templates") {
                try ParleyApplication.check(configuration: appConfiguration)
                return "every template parses and its partials exist"
            }
        }
        var database: PostgresConfiguration?
        check("DATABASE_URL") {
            database = try PostgresConfiguration.fromEnvironment()
            return "set"
        }
        if let database {
            var connection: PostgresConnection?
            check("database connection") {
                let opened = try PostgresConnection(configuration: database, logger: logger)
                connection = opened
                return "connected (server \(opened.serverVersion))"
            }
            if let connection {
                check("migrations") {
                    let statuses = try Migrator(connection: connection, logger: logger).status(try ParleyMigrations.load())
                    let pending = statuses.filter { $0.state != .applied }
                    guard pending.isEmpty else {
                        throw CheckFailure("\(pending.count) not applied: \(pending.map { "\($0.version) \($0.name)" }.joined(separator: ", ")); run `parley migrate`")
                    }
                    return "all \(statuses.count) applied"
                }
            }
        }
        if let replica = appConfiguration?.replica {
            check("replica") { try ReplicaCheck.run(replica, logger: logger) }
        }
        print(failures == 0 ? "parley serve --check: the configuration is valid" : "parley serve --check: \(failures) problem(s)")
        return failures == 0 ? 0 : 1
    }
}

struct CheckFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
