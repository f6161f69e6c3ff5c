import Foundation

/// The statements prepared on one connection, keyed by SQL text and parameter types, bounded
/// and evicting the least recently used.
///
/// Looked up on every query, so a lookup allocates nothing: entries are grouped by SQL text and
/// the parameter types compared in place.
struct PreparedStatementCache {
    struct Statement {
        /// The statement's name as a NUL-terminated C string, ready for libpq.
        var name: ContiguousArray<CChar>
        var types: [UInt32]
        var lastUse: UInt64

        var nameString: String {
            self.name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        }
    }

    /// SQL text as NUL-terminated UTF-8, hashed and compared as raw bytes.
    struct SQLText: Hashable {
        var bytes: [UInt8]

        func hash(into hasher: inout Hasher) {
            self.bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }

        static func == (lhs: SQLText, rhs: SQLText) -> Bool {
            lhs.bytes.count == rhs.bytes.count
                && lhs.bytes.withUnsafeBytes { l in rhs.bytes.withUnsafeBytes { r in memcmp(l.baseAddress!, r.baseAddress!, l.count) == 0 } }
        }
    }

    let capacity: Int
    private var entries: [SQLText: [Statement]] = [:]
    private(set) var count = 0
    private var clock: UInt64 = 0
    private var nameCounter = 0

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    var isEnabled: Bool { self.capacity > 0 }

    /// The prepared statement for this SQL and these bind types, marked as just used.
    mutating func lookup(_ query: PostgresQuery) -> ContiguousArray<CChar>? {
        guard let index = self.entries.index(forKey: SQLText(bytes: query.sqlBytes)) else { return nil }
        let binds = query.binds
        self.clock &+= 1
        // Index in place: holding a copy of the group here would make the write below copy it.
        var found: Int?
        for position in self.entries.values[index].indices
        where binds.hasTypes(self.entries.values[index][position].types) {
            found = position
            break
        }
        guard let position = found else { return nil }
        self.entries.values[index][position].lastUse = self.clock
        return self.entries.values[index][position].name
    }

    /// A fresh statement name, never reused on this connection, as a NUL-terminated C string.
    mutating func nextName() -> ContiguousArray<CChar> {
        self.nameCounter += 1
        return "parley_\(self.nameCounter)".utf8CString
    }

    /// Records a statement the server has prepared; returns the name evicted to make room.
    mutating func insert(sql: [UInt8], types: [UInt32], name: ContiguousArray<CChar>) -> String? {
        guard self.capacity > 0 else { return nil }
        self.clock &+= 1
        var evicted: String?
        if self.count >= self.capacity, let oldest = self.leastRecentlyUsed() {
            evicted = self.entries[oldest.sql]![oldest.position].nameString
            self.entries[oldest.sql]!.remove(at: oldest.position)
            if self.entries[oldest.sql]!.isEmpty { self.entries.removeValue(forKey: oldest.sql) }
            self.count -= 1
        }
        self.entries[SQLText(bytes: sql), default: []].append(Statement(name: name, types: types, lastUse: self.clock))
        self.count += 1
        return evicted
    }

    private func leastRecentlyUsed() -> (sql: SQLText, position: Int)? {
        var oldest: (sql: SQLText, position: Int, lastUse: UInt64)?
        for (sql, statements) in self.entries {
            for (position, statement) in statements.enumerated() where statement.lastUse < oldest?.lastUse ?? .max {
                oldest = (sql, position, statement.lastUse)
            }
        }
        return oldest.map { ($0.sql, $0.position) }
    }

    mutating func removeAll() {
        self.entries.removeAll()
        self.count = 0
    }
}
