/// The statements prepared on one connection, keyed by SQL text and parameter types, bounded
/// and evicting the least recently used.
struct PreparedStatementCache {
    struct Key: Hashable {
        var sql: String
        var types: [UInt32]
    }

    private struct Entry {
        var name: String
        var lastUse: UInt64
    }

    let capacity: Int
    private var entries: [Key: Entry] = [:]
    private var clock: UInt64 = 0
    private var nameCounter = 0

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    var isEnabled: Bool { self.capacity > 0 }
    var count: Int { self.entries.count }

    /// The statement's name if it is prepared, marking it as just used.
    mutating func lookup(_ key: Key) -> String? {
        self.clock &+= 1
        let now = self.clock
        guard let name = self.entries[key]?.name else { return nil }
        self.entries[key]!.lastUse = now
        return name
    }

    /// A fresh statement name, never reused on this connection.
    mutating func nextName() -> String {
        self.nameCounter += 1
        return "parley_\(self.nameCounter)"
    }

    /// Records a statement the server has prepared; returns the name evicted to make room.
    mutating func insert(_ key: Key, name: String) -> String? {
        guard self.capacity > 0 else { return nil }
        self.clock &+= 1
        var evicted: String?
        if self.entries.count >= self.capacity, let oldest = self.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            evicted = oldest.value.name
            self.entries.removeValue(forKey: oldest.key)
        }
        self.entries[key] = Entry(name: name, lastUse: self.clock)
        return evicted
    }

    mutating func remove(_ key: Key) {
        self.entries.removeValue(forKey: key)
    }

    mutating func removeAll() {
        self.entries.removeAll()
    }
}
