import Foundation
import Postgres
import Web

/// The TechEmpower tables, `world` and `fortune`, on the request's connection. They are created
/// and filled by the bench harness (bench/sql/techempower.sql), not by migrations.
///
/// A concrete type with no protocol in front: ``BenchController`` is measured against the C
/// reference, and this code is what it measures, so nothing stands between the route and the
/// statements (no existential, no copy).
struct BenchRepository {
    let connection: PostgresConnection

    func world(id: Int32) throws -> World {
        let rows = try connection.query("SELECT id, randomnumber FROM world WHERE id = \(id)")
        guard let row = rows.first else { throw HTTPError(.notFound) }
        let (id, randomNumber) = try row.decode((Int32, Int32).self)
        return World(id: id, randomNumber: randomNumber)
    }

    /// One SELECT per row, sent in one pipeline with a sync after each (allowed by the rules).
    func worlds(ids: [Int32]) throws -> [World] {
        if ids.count == 1 { return [try world(id: ids[0])] }
        let queries = ids.map { id -> PostgresQuery in "SELECT id, randomnumber FROM world WHERE id = \(id)" }
        return try connection.pipeline(queries).map { outcome in
            guard let row = try outcome.get().first else { throw HTTPError(.notFound) }
            let (id, randomNumber) = try row.decode((Int32, Int32).self)
            return World(id: id, randomNumber: randomNumber)
        }
    }

    /// One UPDATE for the whole batch; ids sorted (and each once) so that concurrent batches
    /// lock rows in the same order and cannot deadlock.
    /// (Sorted by id then position, the last of equal ids kept: no dictionary, whose hashing
    /// and resizing cost more than this sort.)
    func update(_ worlds: [World]) throws {
        let order = worlds.indices.sorted { (worlds[$0].id, $0) < (worlds[$1].id, $1) }
        var ids: [Int32] = []
        var numbers: [Int32] = []
        ids.reserveCapacity(order.count)
        numbers.reserveCapacity(order.count)
        for position in order.indices {
            let world = worlds[order[position]]
            if position + 1 < order.count && worlds[order[position + 1]].id == world.id { continue }  // a later one wins
            ids.append(world.id)
            numbers.append(world.randomNumber)
        }
        try connection.execute("""
            UPDATE world SET randomnumber = v.r
            FROM unnest(\(ids)::int4[], \(numbers)::int4[]) AS v(id, r)
            WHERE world.id = v.id
            """)
    }

    /// Every fortune, in the table's order.
    func fortunes() throws -> [Fortune] {
        try connection.query("SELECT id, message FROM fortune").map { row in
            let (id, message) = try row.decode((Int32, String).self)
            return Fortune(id: id, message: message)
        }
    }
}
