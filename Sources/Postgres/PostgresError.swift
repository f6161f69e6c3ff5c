import FoundationEssentials
import CLibPQ

/// An error from this module: a failed connection, an error the server reported, or a value that
/// could not be encoded or decoded.
///
/// `description` is safe to log: it never contains bind values (text binds the server quotes back
/// in its message are redacted) nor the server's `detail`, which often quotes row data
/// (`Key (email)=(…) already exists`). The full picture, SQL text included, is in
/// `debugDescription` and in the individual properties.
public struct PostgresError: Error, Sendable {
    /// What went wrong, broadly. A struct with static constants, so new kinds can be added.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case connection, server, encoding, decoding, invalidQuery, unexpectedResult, configuration
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The connection could not be opened, or broke (server restart, terminated backend, network).
        public static let connection = Self(.connection)
        /// The server rejected a statement; `code` holds its SQLSTATE.
        public static let server = Self(.server)
        /// A Swift value could not be turned into a bind parameter (for example text containing NUL).
        public static let encoding = Self(.encoding)
        /// A column could not be turned into the requested Swift type.
        public static let decoding = Self(.decoding)
        /// The query itself is unusable before it reaches the server (NUL in the SQL, binds in a script).
        public static let invalidQuery = Self(.invalidQuery)
        /// libpq returned something this module did not expect (a COPY where rows were expected…).
        public static let unexpectedResult = Self(.unexpectedResult)
        /// The configuration is missing or malformed.
        public static let configuration = Self(.configuration)

        public var description: String {
            switch self.base {
            case .connection: "connection"
            case .server: "server"
            case .encoding: "encoding"
            case .decoding: "decoding"
            case .invalidQuery: "invalidQuery"
            case .unexpectedResult: "unexpectedResult"
            case .configuration: "configuration"
            }
        }
    }

    /// Where a decoding error happened.
    public struct DecodingContext: Sendable, Hashable {
        public var column: String
        public var columnIndex: Int
        public var swiftType: String
        public var postgresType: PostgresDataType
    }

    public let kind: Kind
    /// The SQLSTATE the server reported, if any.
    public let code: Code?
    /// The server's primary message (`DiagnosticField.messagePrimary`), with quoted text binds redacted.
    public let serverMessage: String?
    /// A client-side explanation (connection failures, encoding and decoding errors).
    public let message: String
    /// The server's detail line. May contain row data: never part of `description`.
    public let detail: String?
    public let hint: String?
    public let severity: String?
    public let schemaName: String?
    public let tableName: String?
    public let columnName: String?
    public let constraintName: String?
    /// 1-based character position in the SQL text, when the server points at one.
    public let position: Int?
    /// The SQL text of the failing statement (never its bind values).
    public let sql: String?
    /// Where a `.decoding` error happened.
    public let decodingContext: DecodingContext?
    /// Set when the libpq connection was found broken as this error was built.
    let connectionBroken: Bool

    init(
        kind: Kind,
        message: String,
        code: Code? = nil,
        serverMessage: String? = nil,
        detail: String? = nil,
        hint: String? = nil,
        severity: String? = nil,
        schemaName: String? = nil,
        tableName: String? = nil,
        columnName: String? = nil,
        constraintName: String? = nil,
        position: Int? = nil,
        sql: String? = nil,
        decodingContext: DecodingContext? = nil,
        connectionBroken: Bool = false
    ) {
        self.kind = kind
        self.message = message
        self.code = code
        self.serverMessage = serverMessage
        self.detail = detail
        self.hint = hint
        self.severity = severity
        self.schemaName = schemaName
        self.tableName = tableName
        self.columnName = columnName
        self.constraintName = constraintName
        self.position = position
        self.sql = sql
        self.decodingContext = decodingContext
        self.connectionBroken = connectionBroken
    }

    /// True when the connection is unusable after this error: a failure to connect, a broken
    /// socket, SQLSTATE class 08, or the server shutting the session down (57P01–57P03).
    /// Whether a statement that failed this way was applied is unknown.
    public var isConnectionFailure: Bool {
        if self.kind == .connection || self.connectionBroken { return true }
        guard let code = self.code else { return false }
        return code.class == "08" || code == .adminShutdown || code == .crashShutdown || code == .cannotConnectNow
    }

    /// True for the errors a transaction should be retried after: 40001 and 40P01.
    public var isTransactionRetryable: Bool {
        self.code == .serializationFailure || self.code == .deadlockDetected
    }

    func with(sql: String?) -> PostgresError {
        PostgresError(
            kind: kind, message: message, code: code, serverMessage: serverMessage, detail: detail, hint: hint,
            severity: severity, schemaName: schemaName, tableName: tableName, columnName: columnName,
            constraintName: constraintName, position: position, sql: sql, decodingContext: decodingContext,
            connectionBroken: connectionBroken)
    }
}

extension PostgresError: CustomStringConvertible {
    public var description: String {
        var text = "PostgresError(\(self.kind)"
        if let code = self.code { text += ", SQLSTATE \(code)" }
        text += "): "
        text += self.serverMessage ?? self.message
        if let constraint = self.constraintName { text += " [constraint \(constraint)]" }
        if self.isConnectionFailure && self.kind != .connection { text += " (connection lost)" }
        return text
    }
}

extension PostgresError: CustomDebugStringConvertible {
    public var debugDescription: String {
        var parts = [self.description]
        if self.serverMessage != nil, !self.message.isEmpty, self.message != self.serverMessage {
            parts.append("message: \(self.message)")
        }
        if let detail = self.detail { parts.append("detail: \(detail)") }
        if let hint = self.hint { parts.append("hint: \(hint)") }
        if let table = self.tableName { parts.append("table: \([self.schemaName, table].compactMap { $0 }.joined(separator: "."))") }
        if let column = self.columnName { parts.append("column: \(column)") }
        if let position = self.position { parts.append("position: \(position)") }
        if let sql = self.sql { parts.append("sql: \(sql)") }
        return parts.joined(separator: "\n  ")
    }
}

// MARK: - Construction from libpq

extension PostgresError {
    static func connection(_ message: String, sql: String? = nil) -> PostgresError {
        PostgresError(kind: .connection, message: message, sql: sql, connectionBroken: true)
    }

    static func invalidQuery(_ message: String, sql: String? = nil) -> PostgresError {
        PostgresError(kind: .invalidQuery, message: message, sql: sql)
    }

    static func unexpected(_ message: String, sql: String? = nil) -> PostgresError {
        PostgresError(kind: .unexpectedResult, message: message, sql: sql)
    }

    static func encoding(_ message: String) -> PostgresError {
        PostgresError(kind: .encoding, message: message)
    }

    /// The configuration is missing or malformed: for whatever reads settings into a
    /// ``PostgresConfiguration``, so that its errors are this module's.
    public static func configuration(_ message: String) -> PostgresError {
        PostgresError(kind: .configuration, message: message)
    }

    /// Builds an error from a failed `PGresult` (or from the connection when libpq returned none).
    static func from(
        result: OpaquePointer?, connection: OpaquePointer, sql: String?, binds: PostgresBindings?
    ) -> PostgresError {
        let broken = PQstatus(connection) == CONNECTION_BAD
        guard let result, let primary = field(result, DiagnosticField.messagePrimary) else {
            let fallback = result.flatMap { String(cString: PQresultErrorMessage($0)) }
            let message = cleaned(fallback.flatMap { $0.isEmpty ? nil : $0 } ?? String(cString: PQerrorMessage(connection)))
            return PostgresError(
                kind: broken ? .connection : .unexpectedResult,
                message: message.isEmpty ? "libpq returned no result" : message,
                sql: sql, connectionBroken: broken)
        }
        let redact = { (text: String?) in text.map { binds?.redacting($0) ?? $0 } }
        let message = redact(primary)!
        return PostgresError(
            kind: .server,
            message: message,
            code: field(result, DiagnosticField.sqlstate).map(Code.init(raw:)),
            serverMessage: message,
            detail: field(result, DiagnosticField.messageDetail),
            hint: redact(field(result, DiagnosticField.messageHint)),
            severity: field(result, DiagnosticField.severityNonlocalized),
            schemaName: field(result, DiagnosticField.schemaName),
            tableName: field(result, DiagnosticField.tableName),
            columnName: field(result, DiagnosticField.columnName),
            constraintName: field(result, DiagnosticField.constraintName),
            position: field(result, DiagnosticField.statementPosition).flatMap { Int($0) },
            sql: sql,
            connectionBroken: broken)
    }

    private static func field(_ result: OpaquePointer, _ code: Int32) -> String? {
        guard let pointer = PQresultErrorField(result, code) else { return nil }
        return String(cString: pointer)
    }

    /// libpq messages end in a newline and sometimes repeat "ERROR:  "; keep them one line.
    static func cleaned(_ message: String) -> String {
        message.split(whereSeparator: \.isNewline).map { line in
            // What Foundation's trimmingCharacters(in: .whitespaces) removed: general category Zs and tabs.
            let isSpace = { (scalar: Unicode.Scalar) in scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator }
            let scalars = line.unicodeScalars
            guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
            return String(scalars[first...last])
        }
        .filter { !$0.isEmpty }.joined(separator: " ")
    }
}

/// libpq's `PG_DIAG_*` field codes: character-literal macros, which Swift does not import.
enum DiagnosticField {
    static let severityNonlocalized = Int32(UInt8(ascii: "V"))
    static let sqlstate = Int32(UInt8(ascii: "C"))
    static let messagePrimary = Int32(UInt8(ascii: "M"))
    static let messageDetail = Int32(UInt8(ascii: "D"))
    static let messageHint = Int32(UInt8(ascii: "H"))
    static let statementPosition = Int32(UInt8(ascii: "P"))
    static let schemaName = Int32(UInt8(ascii: "s"))
    static let tableName = Int32(UInt8(ascii: "t"))
    static let columnName = Int32(UInt8(ascii: "c"))
    static let constraintName = Int32(UInt8(ascii: "n"))
}
