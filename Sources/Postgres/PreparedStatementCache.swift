import FoundationEssentials
import Glibc

/// The statements prepared on one connection, keyed by SQL text and parameter types, bounded
/// and evicting the least recently used.
///
/// Looked up on every query, so a lookup allocates nothing and hashes the SQL text once, with a
/// word-at-a-time hash (SipHash through `Hasher` cost more than the rest of the lookup): an
/// open-addressing table of indexes into `statements`, probed linearly; the parameter types are
/// compared in place. (SQL text comes from the code, so there is no flooding to defend against;
/// a collision only lengthens a probe, bounded by the table.)
struct PreparedStatementCache {
    struct Statement {
        /// The SQL text, NUL-terminated UTF-8 (as `PostgresQuery.sqlBytes`).
        var sql: [UInt8]
        var hash: Int
        var types: [UInt32]
        /// The statement's name as a NUL-terminated C string, ready for libpq.
        var name: ContiguousArray<CChar>
        var lastUse: UInt64

        var nameString: String {
            self.name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        }
    }

    let capacity: Int
    private var statements: [Statement] = []
    /// Indexes into `statements` (-1: empty), a power of two at least twice the capacity;
    /// allocated with the first statement.
    private var slots: [Int32] = []
    private var clock: UInt64 = 0
    private var nameCounter = 0

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    var count: Int { self.statements.count }

    /// The prepared statement for this SQL and these bind types, marked as just used.
    mutating func lookup(_ query: PostgresQuery) -> ContiguousArray<CChar>? {
        guard !self.slots.isEmpty else { return nil }
        let found = query.withSQLBytes { sql in
            self.index(sql: sql, hash: Self.hash(sql), matching: { query.binds.hasTypes($0) })
        }
        guard let index = found else { return nil }
        self.clock &+= 1
        self.statements[index].lastUse = self.clock
        return self.statements[index].name
    }

    /// A fresh statement name, never reused on this connection, as a NUL-terminated C string.
    mutating func nextName() -> ContiguousArray<CChar> {
        self.nameCounter += 1
        return "parley_\(self.nameCounter)".utf8CString
    }

    /// Records a statement the server has prepared; returns the name evicted to make room.
    mutating func insert(sql: [UInt8], types: [UInt32], name: ContiguousArray<CChar>) -> String? {
        guard self.capacity > 0 else { return nil }
        if self.slots.isEmpty {
            var size = 8
            while size < 2 * self.capacity { size *= 2 }
            self.slots = Array(repeating: -1, count: size)
        }
        self.clock &+= 1
        var evicted: String?
        if self.statements.count >= self.capacity, let oldest = self.leastRecentlyUsed() {
            evicted = self.statements[oldest].nameString
            self.remove(at: oldest)
        }
        let hash = sql.withUnsafeBytes { Self.hash($0) }
        self.statements.append(Statement(sql: sql, hash: hash, types: types, name: name, lastUse: self.clock))
        var slot = hash & (self.slots.count - 1)
        while self.slots[slot] >= 0 { slot = (slot + 1) & (self.slots.count - 1) }
        self.slots[slot] = Int32(self.statements.count - 1)
        return evicted
    }

    mutating func removeAll() {
        self.statements.removeAll()
        for slot in self.slots.indices { self.slots[slot] = -1 }
    }

    // MARK: - The table

    /// The index in `statements` of the entry with this SQL text whose types `matches` accepts.
    private func index(sql: UnsafeRawBufferPointer, hash: Int, matching matches: ([UInt32]) -> Bool) -> Int? {
        let mask = self.slots.count - 1
        var slot = hash & mask
        while true {
            let index = Int(self.slots[slot])
            if index < 0 { return nil }
            if self.statements[index].hash == hash && Self.equal(self.statements[index].sql, sql)
                && matches(self.statements[index].types)
            {
                return index
            }
            slot = (slot + 1) & mask
        }
    }

    /// The slot holding `index`.
    private func slot(of index: Int) -> Int {
        let mask = self.slots.count - 1
        var slot = self.statements[index].hash & mask
        while Int(self.slots[slot]) != index { slot = (slot + 1) & mask }
        return slot
    }

    /// Removes one statement: its slot is emptied by shifting back the entries probed past it,
    /// and the last statement moves into its place in `statements`.
    private mutating func remove(at index: Int) {
        let mask = self.slots.count - 1
        var hole = self.slot(of: index)
        var next = (hole + 1) & mask
        while self.slots[next] >= 0 {
            let home = self.statements[Int(self.slots[next])].hash & mask
            // An entry may move back into the hole unless its home lies after the hole.
            if (next - home) & mask >= (next - hole) & mask {
                self.slots[hole] = self.slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        self.slots[hole] = -1
        let last = self.statements.count - 1
        if index != last {
            self.slots[self.slot(of: last)] = Int32(index)
            self.statements.swapAt(index, last)
        }
        self.statements.removeLast()
    }

    private func leastRecentlyUsed() -> Int? {
        var oldest: (index: Int, lastUse: UInt64)?
        for (index, statement) in self.statements.enumerated() where statement.lastUse < oldest?.lastUse ?? .max {
            oldest = (index, statement.lastUse)
        }
        return oldest?.index
    }

    /// A 64-bit multiply-fold hash, eight bytes at a time.
    static func hash(_ raw: UnsafeRawBufferPointer) -> Int {
        do {
            var state: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(raw.count)
            var offset = 0
            while offset + 8 <= raw.count {
                state = mix(state ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self), 0x9E37_79B9_7F4A_7C15)
                offset += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < raw.count {
                tail |= UInt64(raw[offset]) << shift
                shift += 8
                offset += 1
            }
            state = mix(state ^ tail, 0xA076_1D64_78BD_642F)
            return Int(truncatingIfNeeded: mix(state, 0xE703_7ED1_A0B4_28DB))
        }
    }

    @inline(__always)
    private static func mix(_ value: UInt64, _ key: UInt64) -> UInt64 {
        let product = value.multipliedFullWidth(by: key)
        return product.high ^ product.low
    }

    private static func equal(_ lhs: [UInt8], _ r: UnsafeRawBufferPointer) -> Bool {
        lhs.withUnsafeBytes { l in
            l.count == r.count && (l.baseAddress == r.baseAddress || memcmp(l.baseAddress!, r.baseAddress!, l.count) == 0)
        }
    }
}
