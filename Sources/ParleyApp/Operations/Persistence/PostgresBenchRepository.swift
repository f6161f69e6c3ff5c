import FoundationEssentials
import Postgres
import Web

/// The TechEmpower tables on PostgreSQL, one statement (or pipeline) per call as the test types
/// prescribe.
struct PostgresBenchRepository: BenchRepository {
    let database: PostgresDatabase

    func world(id: Int32) throws -> World {
        try database.read { try Self.world(id: id, on: $0) }
    }

    func worlds(ids: [Int32]) throws -> [World] {
        try database.read { try Self.worlds(ids: ids, on: $0) }
    }

    func updateWorlds(ids: [Int32], randomNumbers: [Int32]) throws -> [World] {
        try database.write { connection in
            var worlds = try Self.worlds(ids: ids, on: connection)
            for index in worlds.indices { worlds[index].randomNumber = randomNumbers[index] }
            try Self.update(worlds, on: connection)
            return worlds
        }
    }

    func fortunes() throws -> [Fortune] {
        try database.read { connection in
            try connection.query("SELECT id, message FROM fortune").map { row in
                let (id, message) = try row.decode((Int32, String).self)
                return Fortune(id: id, message: message)
            }
        }
    }

    private static func world(id: Int32, on connection: PostgresConnection) throws -> World {
        let rows = try connection.query("SELECT id, randomnumber FROM world WHERE id = \(id)")
        guard let row = rows.first else { throw HTTPError(.notFound) }
        let (id, randomNumber) = try row.decode((Int32, Int32).self)
        return World(id: id, randomNumber: randomNumber)
    }

    /// One SELECT per row, sent in one pipeline with a sync after each (allowed by the rules).
    private static func worlds(ids: [Int32], on connection: PostgresConnection) throws -> [World] {
        if ids.count == 1 { return [try world(id: ids[0], on: connection)] }
        let queries = ids.map { id -> PostgresQuery in "SELECT id, randomnumber FROM world WHERE id = \(id)" }
        return try connection.pipeline(queries, sync: .afterEach).map { outcome in
            guard let row = try outcome.get().first else { throw HTTPError(.notFound) }
            let (id, randomNumber) = try row.decode((Int32, Int32).self)
            return World(id: id, randomNumber: randomNumber)
        }
    }

    /// One UPDATE for the whole batch; ids sorted (and each once) so that concurrent batches
    /// lock rows in the same order and cannot deadlock.
    /// (Sorted by id then position, the last of equal ids kept: no dictionary, whose hashing
    /// and resizing cost more than this sort.)
    private static func update(_ worlds: [World], on connection: PostgresConnection) throws {
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
}
