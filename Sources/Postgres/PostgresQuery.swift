import Foundation

/// A SQL statement and its bind parameters.
///
/// Written as a string literal, every interpolated value becomes a parameter:
///
///     let query: PostgresQuery = "SELECT name FROM users WHERE id = \(id) AND role = \(role)"
///     // query.sql   == "SELECT name FROM users WHERE id = $1 AND role = $2"
///     // Array(query.binds) == [try PostgresBind(id), try PostgresBind(role)]
///
/// Only values that conform to `PostgresEncodable` can be interpolated. The escape hatches are
/// `\(identifier:)`, which quotes a name (`"user table"`), and `\(unsafeRaw:)`, which splices
/// text verbatim and must never see user input.
public struct PostgresQuery: Sendable, Hashable {
    /// The SQL text as UTF-8 with a terminating NUL, ready to lend to libpq: a query built by
    /// interpolation never becomes a `String` unless something reads `sql`.
    @usableFromInline var sqlBytes: [UInt8]
    /// The values for the placeholders, in order.
    public var binds: PostgresBindings

    /// The SQL text with `$1`, `$2`… placeholders. Read-only: SQL text only comes from a literal
    /// or from `init(unsafeSQL:)`.
    public var sql: String {
        String(decoding: self.sqlBytes.dropLast(), as: UTF8.self)
    }

    /// A query from SQL text that was not written as a literal: the caller vouches that no
    /// untrusted text was concatenated into it.
    public init(unsafeSQL sql: String, binds: PostgresBindings = PostgresBindings()) {
        self.sqlBytes = Self.terminated(sql)
        self.binds = binds
    }

    @inlinable
    init(sqlBytes: [UInt8], binds: PostgresBindings) {
        self.sqlBytes = sqlBytes
        self.binds = binds
    }

    static func terminated(_ sql: String) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(sql.utf8.count + 1)
        bytes.append(contentsOf: sql.utf8)
        bytes.append(0)
        return bytes
    }

    /// Lends the NUL-terminated SQL text to libpq.
    func withSQL<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        try self.sqlBytes.withUnsafeBytes { try body($0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
    }

    /// Whether `other` has the same SQL text and bind types, i.e. runs as the same prepared
    /// statement (compared in place, without hashing).
    func hasSameStatement(as other: PostgresQuery) -> Bool {
        let sameText = self.sqlBytes.withUnsafeBytes { mine in
            other.sqlBytes.withUnsafeBytes { theirs in
                mine.count == theirs.count && (mine.baseAddress == theirs.baseAddress || memcmp(mine.baseAddress!, theirs.baseAddress!, mine.count) == 0)
            }
        }
        return sameText && self.binds.hasSameTypes(as: other.binds)
    }

    /// Refuses what libpq cannot send faithfully: NUL in the SQL text (it would truncate the
    /// C string) and binds that failed to encode.
    func validate() throws {
        if self.binds.encodingFailure != nil, let error = self.binds.encodingError {
            throw error.with(sql: self.sql)
        }
        let containsNUL = self.sqlBytes.withUnsafeBytes { memchr($0.baseAddress!, 0, $0.count - 1) != nil }
        if containsNUL {
            throw PostgresError.invalidQuery("SQL text contains a NUL character (U+0000)")
        }
    }
}

extension PostgresQuery: ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    @inlinable
    public init(stringInterpolation: StringInterpolation) {
        // Already NUL-terminated: taken as it is (appending here would copy the shared buffer).
        self.init(sqlBytes: stringInterpolation.sql, binds: stringInterpolation.binds)
    }

    /// Builds the SQL as UTF-8 bytes (appending to a byte array is much cheaper than to a
    /// String) and the binds; inlinable so each call site is specialized for its value types.
    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        public typealias StringLiteralType = String

        /// The SQL so far, always NUL-terminated: each append goes before the terminator.
        @usableFromInline var sql: [UInt8]
        @usableFromInline var binds: PostgresBindings

        @inlinable
        public init(literalCapacity: Int, interpolationCount: Int) {
            self.sql = []
            self.sql.reserveCapacity(literalCapacity + 3 * interpolationCount + 1)
            self.sql.append(0)
            self.binds = PostgresBindings(capacity: interpolationCount)
        }

        @inlinable
        public mutating func appendLiteral(_ literal: String) {
            guard !literal.isEmpty else { return }
            self.sql.removeLast()
            // A literal's UTF-8 is contiguous: copied as one buffer.
            let copied: Void? = literal.utf8.withContiguousStorageIfAvailable { self.sql.append(contentsOf: $0) }
            if copied == nil { self.sql.append(contentsOf: literal.utf8) }
            self.sql.append(0)
        }

        /// A value, sent as the next bind parameter (`nil` becomes NULL).
        @inlinable
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            self.binds.append(value)
            self.appendPlaceholder()
        }

        /// An optional value: `nil` becomes a NULL of the wrapped type. (Spelled out so the
        /// compiler does not warn about interpolating an optional.)
        @inlinable
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            self.binds.append(value)
            self.appendPlaceholder()
        }

        /// `$n` for the bind just appended.
        @inlinable
        mutating func appendPlaceholder() {
            let number = self.binds.count
            self.sql.removeLast()
            self.sql.append(UInt8(ascii: "$"))
            if number < 10 {
                self.sql.append(UInt8(48 + number))
            } else {
                self.sql.append(contentsOf: String(number).utf8)
            }
            self.sql.append(0)
        }

        /// An identifier (table, column, schema), double-quoted with embedded quotes doubled.
        public mutating func appendInterpolation(identifier: String) {
            self.sql.removeLast()
            self.sql.append(contentsOf: PostgresQuery.quoteIdentifier(identifier).utf8)
            self.sql.append(0)
        }

        /// Raw SQL text, spliced verbatim. Never pass user input.
        public mutating func appendInterpolation(unsafeRaw raw: String) {
            self.sql.removeLast()
            self.sql.append(contentsOf: raw.utf8)
            self.sql.append(0)
        }
    }

    /// `users` → `"users"`, `we"ird` → `"we""ird"`.
    public static func quoteIdentifier(_ identifier: String) -> String {
        "\"" + identifier.replacingAll("\"", with: "\"\"") + "\""
    }
}

extension PostgresQuery: CustomStringConvertible, CustomDebugStringConvertible {
    /// The SQL and the bind types; never the values.
    public var description: String {
        self.binds.isEmpty ? self.sql : "\(self.sql) \(self.binds)"
    }

    public var debugDescription: String {
        "PostgresQuery(sql: \(String(reflecting: self.sql)), binds: \(self.binds))"
    }
}
