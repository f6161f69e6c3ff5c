import Foundation
import Testing

@testable import Postgres

/// The prepared statement cache alone (no database): lookups by SQL text and bind types, LRU
/// eviction, and its table staying consistent through evictions, against a plain model.
@Suite("Prepared statement cache")
struct PreparedStatementCacheTests {
    static func query(_ sql: String, types: [PostgresDataType]) -> PostgresQuery {
        var binds = PostgresBindings()
        for type in types { binds.appendNull(type) }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    static func name(_ name: ContiguousArray<CChar>?) -> String? {
        name.map { $0.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } }
    }

    @Test("a statement is found by its SQL text and bind types, and by nothing else")
    func lookup() {
        var cache = PreparedStatementCache(capacity: 4)
        let int8 = Self.query("SELECT $1", types: [.int8])
        #expect(cache.lookup(int8) == nil)
        let name = cache.nextName()
        #expect(cache.insert(sql: int8.sqlBytes, types: int8.binds.types, name: name) == nil)
        #expect(Self.name(cache.lookup(int8)) == "parley_1")
        #expect(Self.name(cache.lookup(Self.query("SELECT $1", types: [.int8]))) == "parley_1")
        #expect(cache.lookup(Self.query("SELECT $1", types: [.text])) == nil)
        #expect(cache.lookup(Self.query("SELECT $1", types: [])) == nil)
        #expect(cache.lookup(Self.query("SELECT $2", types: [.int8])) == nil)
        #expect(cache.lookup(Self.query("SELECT $1 ", types: [.int8])) == nil)
        #expect(cache.count == 1)
        cache.removeAll()
        #expect(cache.count == 0)
        #expect(cache.lookup(int8) == nil)
    }

    @Test("many statements through a small cache: the same hits and evictions as a plain LRU list")
    func modelCheck() {
        var generator = SystemRandomNumberGenerator()
        for capacity in [1, 2, 3, 7, 16] {
            var cache = PreparedStatementCache(capacity: capacity)
            // The model: (sql, types, name), most recently used last.
            var model: [(sql: String, types: [PostgresDataType], name: String)] = []
            for step in 0..<3_000 {
                let sql = "SELECT \(Int.random(in: 0..<(3 * capacity + 2), using: &generator)) + $1"
                let types: [PostgresDataType] = Bool.random(using: &generator) ? [.int8] : [.int4]
                let query = Self.query(sql, types: types)
                let expected = model.firstIndex { $0.sql == sql && $0.types == types }
                let found = Self.name(cache.lookup(query))
                #expect(found == expected.map { model[$0].name }, "step \(step), capacity \(capacity)")
                if let expected {
                    model.append(model.remove(at: expected))
                } else {
                    let name = cache.nextName()
                    let evicted = cache.insert(sql: query.sqlBytes, types: query.binds.types, name: name)
                    let modelEvicted = model.count >= capacity ? model.removeFirst().name : nil
                    #expect(evicted == modelEvicted, "step \(step), capacity \(capacity)")
                    model.append((sql, types, Self.name(name)!))
                }
                #expect(cache.count == model.count)
                if step % 997 == 996 {
                    cache.removeAll()
                    model.removeAll()
                }
            }
        }
    }
}
