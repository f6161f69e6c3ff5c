import FoundationEssentials
import Glibc

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
    /// The SQL text as UTF-8 with a terminating NUL at `textCount - 1`, ready to lend to libpq:
    /// a query built by interpolation never becomes a `String` unless something reads `sql`.
    /// After the NUL the buffer may hold more bytes: an interpolated query keeps its bind
    /// records there (`binds` shares the buffer), so it costs one allocation, not two.
    @usableFromInline var text: [UInt8]
    /// Bytes of SQL text in `text`, the terminating NUL included.
    @usableFromInline var textCount: Int
    /// The values for the placeholders, in order.
    public var binds: PostgresBindings

    /// The SQL text with `$1`, `$2`… placeholders. Read-only: SQL text only comes from a literal
    /// or from `init(unsafeSQL:)`.
    public var sql: String {
        self.withSQLBytes { String(decoding: UnsafeRawBufferPointer(rebasing: $0.dropLast()), as: UTF8.self) }
    }

    /// The NUL-terminated SQL text alone (a copy when binds share its buffer).
    var sqlBytes: [UInt8] {
        self.text.count == self.textCount ? self.text : Array(self.text[..<self.textCount])
    }

    /// A query from SQL text that was not written as a literal: the caller vouches that no
    /// untrusted text was concatenated into it.
    public init(unsafeSQL sql: String, binds: PostgresBindings = PostgresBindings()) {
        self.text = Self.terminated(sql)
        self.textCount = self.text.count
        self.binds = binds
    }

    @inlinable
    init(text: [UInt8], textCount: Int, binds: PostgresBindings) {
        self.text = text
        self.textCount = textCount
        self.binds = binds
    }

    static func terminated(_ sql: String) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(sql.utf8.count + 1)
        bytes.append(contentsOf: sql.utf8)
        bytes.append(0)
        return bytes
    }

    /// Lends the NUL-terminated SQL text (the NUL included in the count).
    func withSQLBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try self.text.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[..<self.textCount])) }
    }

    /// Lends the NUL-terminated SQL text to libpq.
    func withSQL<R>(_ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        try self.text.withUnsafeBytes { try body($0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
    }

    /// Whether `other` has the same SQL text and bind types, i.e. runs as the same prepared
    /// statement (compared in place, without hashing).
    func hasSameStatement(as other: PostgresQuery) -> Bool {
        self.hasSameText(as: other) && self.binds.hasSameTypes(as: other.binds)
    }

    private func hasSameText(as other: PostgresQuery) -> Bool {
        self.withSQLBytes { mine in
            other.withSQLBytes { theirs in
                mine.count == theirs.count && (mine.baseAddress == theirs.baseAddress || memcmp(mine.baseAddress!, theirs.baseAddress!, mine.count) == 0)
            }
        }
    }

    public static func == (lhs: PostgresQuery, rhs: PostgresQuery) -> Bool {
        lhs.hasSameText(as: rhs) && lhs.binds == rhs.binds
    }

    public func hash(into hasher: inout Hasher) {
        self.withSQLBytes { hasher.combine(bytes: $0) }
        hasher.combine(self.binds)
    }

    /// Refuses what libpq cannot send faithfully: NUL in the SQL text (it would truncate the
    /// C string) and binds that failed to encode.
    func validate() throws {
        if self.binds.encodingFailure != nil, let error = self.binds.encodingError {
            throw error.with(sql: self.sql)
        }
        let containsNUL = self.withSQLBytes { memchr($0.baseAddress!, 0, $0.count - 1) != nil }
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
        // One buffer: the SQL text, its NUL, then the bind records; the query and its binds
        // share it (taken as it is: copying here would cost the allocation saved).
        self.init(text: stringInterpolation.binds.storage, textCount: stringInterpolation.binds.start, binds: stringInterpolation.binds)
    }

    /// Builds the SQL as UTF-8 bytes (appending to a byte array is much cheaper than to a
    /// String) and the binds; inlinable so each call site is specialized for its value types.
    ///
    /// Text and binds go into one buffer: the NUL-terminated SQL first, the bind records after
    /// it (`binds.start` is where they begin). Text that follows a value is inserted before the
    /// records, moving them (a few bytes, usually).
    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        public typealias StringLiteralType = String

        @usableFromInline var binds: PostgresBindings

        /// The SQL so far, NUL-terminated (a copy: for tests).
        var sql: [UInt8] { Array(self.binds.storage[..<self.binds.start]) }

        @inlinable
        public init(literalCapacity: Int, interpolationCount: Int) {
            self.binds = PostgresBindings()
            self.binds.storage.reserveCapacity(literalCapacity + 3 * interpolationCount + 1 + 16 * interpolationCount)
            self.binds.storage.append(0)
            self.binds.start = 1
        }

        /// Inserts SQL text before the terminating NUL (and the bind records after it): one
        /// append to grow the buffer, then the NUL (and records) move up and the text goes in.
        @inlinable
        mutating func insertText(_ bytes: UnsafeBufferPointer<UInt8>) {
            let count = bytes.count
            guard count > 0 else { return }
            let end = self.binds.start - 1  // the NUL
            let tail = self.binds.storage.count - end  // the NUL and the records
            self.binds.storage.append(contentsOf: bytes)
            self.binds.storage.withUnsafeMutableBytes { raw in
                let base = raw.baseAddress!
                if tail == 1 {
                    base.storeBytes(of: 0, toByteOffset: end + count, as: UInt8.self)
                } else {
                    memmove(base + end + count, base + end, tail)
                }
                memcpy(base + end, bytes.baseAddress!, count)
            }
            self.binds.start += count
        }

        @inlinable
        mutating func insertText(_ text: String) {
            var text = text
            text.withUTF8 { self.insertText($0) }
        }

        @inlinable
        public mutating func appendLiteral(_ literal: String) {
            guard !literal.isEmpty else { return }
            // A literal's UTF-8 is contiguous: copied as one buffer.
            let copied: Void? = literal.utf8.withContiguousStorageIfAvailable { self.insertText($0) }
            if copied == nil { self.insertText(literal) }
        }

        /// A value, sent as the next bind parameter (`nil` becomes NULL).
        @inlinable
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            self.appendPlaceholder()  // first: the text goes in before this value's record
            self.binds.append(value)
        }

        /// An optional value: `nil` becomes a NULL of the wrapped type. (Spelled out so the
        /// compiler does not warn about interpolating an optional.)
        @inlinable
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            self.appendPlaceholder()
            self.binds.append(value)
        }

        /// `$n` for the bind about to be appended.
        @inlinable
        mutating func appendPlaceholder() {
            let number = self.binds.count + 1
            if number < 10 {
                var placeholder: (UInt8, UInt8) = (UInt8(ascii: "$"), UInt8(48 + number))
                withUnsafeBytes(of: &placeholder) { self.insertText($0.assumingMemoryBound(to: UInt8.self)) }
            } else {
                self.insertText("$" + String(number))
            }
        }

        /// An identifier (table, column, schema), double-quoted with embedded quotes doubled.
        public mutating func appendInterpolation(identifier: String) {
            self.insertText(PostgresQuery.quoteIdentifier(identifier))
        }

        /// Raw SQL text, spliced verbatim. Never pass user input.
        public mutating func appendInterpolation(unsafeRaw raw: String) {
            self.insertText(raw)
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
