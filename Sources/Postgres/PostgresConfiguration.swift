import FoundationEssentials

/// How to reach PostgreSQL and how each session behaves.
///
/// Built from a URL and the properties below; where their values come from (flags, the
/// environment) is the application's business. `description` hides the password in `url`, so
/// a configuration can be logged.
public struct PostgresConfiguration: Sendable {
    /// A libpq connection URI (`postgresql://user:pass@host:5432/db?sslmode=require`) or keyword
    /// string (`host=/run/postgresql dbname=parley`). Parameters it names override the defaults
    /// below (application name, connect timeout, keepalives).
    public var url: String
    /// The `application_name` the server shows for these sessions; empty: none is sent.
    public var applicationName = ""
    /// Seconds libpq waits for a connection (libpq's minimum is 2).
    public var connectTimeout = 5
    /// `SET statement_timeout` on connect: the server cancels statements that run longer.
    public var statementTimeout: Duration = .seconds(30)
    /// `SET lock_timeout` on connect: give up waiting for a lock after this long.
    public var lockTimeout: Duration = .seconds(10)
    /// `SET idle_in_transaction_session_timeout` on connect.
    public var idleInTransactionSessionTimeout: Duration = .seconds(60)
    /// Statements that take at least this long are logged at warning level.
    public var slowQueryThreshold: Duration = .milliseconds(200)
    /// TCP keepalives (seconds), so a dead peer is noticed on an idle connection.
    public var keepalivesIdle = 30
    public var keepalivesInterval = 10
    public var keepalivesCount = 3
    /// Prepared statements kept per connection (least recently used are deallocated). 0 turns
    /// named prepared statements off, for poolers that cannot carry them.
    public var preparedStatementCacheSize = 256
    /// How often `PostgresDatabase.transaction` runs its closure when the server reports a
    /// serialization failure or a deadlock.
    public var transactionMaxAttempts = 3
    /// Connection attempts per re-open, with exponential backoff between them.
    public var reconnectAttempts = 4
    public var reconnectBaseDelay: Duration = .milliseconds(50)
    public var reconnectMaxDelay: Duration = .seconds(1)

    public init(url: String) {
        self.url = url
    }

    /// The SET statements run on every new connection.
    var sessionSettingsSQL: String {
        "SET statement_timeout = \(self.statementTimeout.wholeMilliseconds); "
            + "SET lock_timeout = \(self.lockTimeout.wholeMilliseconds); "
            + "SET idle_in_transaction_session_timeout = \(self.idleInTransactionSessionTimeout.wholeMilliseconds)"
    }

    /// libpq keywords, in order: defaults first, then `dbname` (expanded from `url`, so the URL
    /// overrides them), then what must not be overridden.
    var connectionParameters: [(String, String)] {
        (self.applicationName.isEmpty ? [] : [("application_name", self.applicationName)]) + [
            ("connect_timeout", String(self.connectTimeout)),
            ("keepalives", "1"),
            ("keepalives_idle", String(self.keepalivesIdle)),
            ("keepalives_interval", String(self.keepalivesInterval)),
            ("keepalives_count", String(self.keepalivesCount)),
            ("dbname", self.url),
            ("client_encoding", "UTF8"),
        ]
    }
}

extension PostgresConfiguration: CustomStringConvertible {
    public var description: String {
        "PostgresConfiguration(url: \(Self.redactingPassword(self.url)), applicationName: \(self.applicationName), "
            + "statementTimeout: \(self.statementTimeout), lockTimeout: \(self.lockTimeout), "
            + "idleInTransactionSessionTimeout: \(self.idleInTransactionSessionTimeout), "
            + "slowQueryThreshold: \(self.slowQueryThreshold))"
    }

    /// `postgresql://user:secret@host` → `postgresql://user:***@host`; `password=secret` → `password=***`.
    static func redactingPassword(_ url: String) -> String {
        var text = url
        if let scheme = text.firstRange(of: "://"),
           let at = text[scheme.upperBound...].firstIndex(of: "@"),
           let colon = text[scheme.upperBound..<at].firstIndex(of: ":") {
            text.replaceSubrange(text.index(after: colon)..<at, with: "***")
        }
        var result = ""
        var rest = text[...]
        while let range = rest.firstRange(of: "password=") {
            result += rest[..<range.upperBound] + "***"
            rest = rest[range.upperBound...]
            let end = rest.firstIndex(where: { $0 == " " || $0 == "&" }) ?? rest.endIndex
            rest = rest[end...]
        }
        return result + rest
    }
}

extension Duration {
    package var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    var milliseconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
