import Foundation
import Mustache
import Postgres
import Synchronization
import Web

/// The TechEmpower Framework Benchmarks test types, for `make bench` only: registered when
/// `parley serve` runs with `--bench` (`PARLEY_BENCH=1`), never otherwise.
///
/// Each route follows the TechEmpower rules (see bench/README.md): a new object per request
/// through the JSON encoder, one random `world` row per query, no caching, `queries` clamped
/// to 1…500, fortunes rendered through the same Mustache `TemplateLibrary` as the pages with
/// the extra fortune added at request time. The `world` and `fortune` tables are created and
/// filled by the bench harness (bench/sql/techempower.sql), not by migrations.
struct BenchController {
    let templates: TemplateLibrary

    static let templateName = "bench/fortunes"

    /// Checks that the template is there (a missing or malformed one stops the start).
    init(templates: TemplateLibrary) throws {
        try templates.require([Self.templateName])
        self.templates = templates
    }

    func register(on router: inout Router<AppContext>) {
        router.get("/plaintext") { _, _ in
            Response(status: .ok, headers: ["Content-Type": "text/plain"], body: Array("Hello, World!".utf8))
        }
        router.get("/json") { _, _ in
            try .json(HelloMessage(message: "Hello, World!"))
        }
        router.get("/db") { _, context in
            var random = BenchRandom()
            let world = try context.database.read { connection in
                try BenchController.world(id: random.worldID(), on: connection)
            }
            return try .json(world)
        }
        router.get("/queries") { request, context in
            let count = BenchController.queryCount(request)
            var random = BenchRandom()
            let ids = (0..<count).map { _ in random.worldID() }
            let worlds = try context.database.read { try BenchController.worlds(ids: ids, on: $0) }
            return try .json(worlds)
        }
        router.get("/updates") { request, context in
            let count = BenchController.queryCount(request)
            var random = BenchRandom()
            let ids = (0..<count).map { _ in random.worldID() }
            let worlds = try context.database.write { connection -> [World] in
                var worlds = try BenchController.worlds(ids: ids, on: connection)
                for index in worlds.indices { worlds[index].randomNumber = random.worldID() }
                try BenchController.update(worlds, on: connection)
                return worlds
            }
            return try .json(worlds)
        }
        router.get("/fortunes") { _, context in
            var fortunes = try context.database.read { connection in
                try connection.query("SELECT id, message FROM fortune").map { row in
                    let (id, message) = try row.decode((Int32, String).self)
                    return Fortune(id: id, message: message)
                }
            }
            fortunes.append(Fortune(id: 0, message: "Additional fortune added at request time."))
            fortunes.sort { Self.utf8Precedes($0.message, $1.message) }
            let page: [String: MustacheValue] = ["fortunes": .list(fortunes.map { .object($0) })]
            return Response(status: .ok, headers: ["Content-Type": "text/html; charset=utf-8"], body: templates.render(.object(page), template: Self.templateName))
        }
    }

    /// Byte order, as the C reference's strcmp: the same order as String's `<` for these NFC
    /// strings, without its Unicode comparison, where much of the sort's time went.
    static func utf8Precedes(_ left: String, _ right: String) -> Bool {
        let order = left.utf8.withContiguousStorageIfAvailable { l in
            right.utf8.withContiguousStorageIfAvailable { r -> Bool in
                let common = min(l.count, r.count)
                if common > 0 {
                    let compared = memcmp(l.baseAddress!, r.baseAddress!, common)
                    if compared != 0 { return compared < 0 }
                }
                return l.count < r.count
            }
        }
        return (order ?? nil) ?? left.utf8.lexicographicallyPrecedes(right.utf8)
    }

    /// `?queries=`: missing, not a number or below 1 is 1; above 500 is 500.
    static func queryCount(_ request: Request) -> Int {
        guard let text = request.query["queries"], let value = Int(text) else { return 1 }
        return min(max(value, 1), 500)
    }

    static func world(id: Int32, on connection: PostgresConnection) throws -> World {
        let rows = try connection.query("SELECT id, randomnumber FROM world WHERE id = \(id)")
        guard let row = rows.first else { throw HTTPError(.notFound) }
        let (id, randomNumber) = try row.decode((Int32, Int32).self)
        return World(id: id, randomNumber: randomNumber)
    }

    /// One SELECT per row, sent in one pipeline with a sync after each (allowed by the rules).
    static func worlds(ids: [Int32], on connection: PostgresConnection) throws -> [World] {
        if ids.count == 1 { return [try world(id: ids[0], on: connection)] }
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
    /// and resizing showed in the /updates profile.)
    static func update(_ worlds: [World], on connection: PostgresConnection) throws {
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

struct HelloMessage: Encodable {
    let message: String
}

struct World: Encodable {
    var id: Int32
    var randomNumber: Int32
}

/// A fortune; the template reads its fields through ``MustacheObject`` (no reflection).
struct Fortune: MustacheObject {
    var id: Int32
    var message: String

    func mustacheValue(for key: String) -> MustacheValue? {
        switch key {
        case "id": .int(Int(id))
        case "message": .string(message)
        default: nil
        }
    }
}

/// wyrand, seeded per request from a process-wide counter and the clock (no system call: the
/// C reference draws with no system call either). For benchmark data only, never for secrets.
struct BenchRandom {
    private static let counter = Atomic<UInt64>(0)
    private var state: UInt64

    init() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let count = Self.counter.add(1, ordering: .relaxed).newValue
        state = count &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: now.tv_nsec) ^ UInt64(truncatingIfNeeded: now.tv_sec) << 32
    }

    mutating func next() -> UInt64 {
        state &+= 0xA076_1D64_78BD_642F
        let product = state.multipliedFullWidth(by: state ^ 0xE703_7ED1_A0B4_28DB)
        return product.high ^ product.low
    }

    /// 1…10,000.
    mutating func worldID() -> Int32 {
        Int32(truncatingIfNeeded: next() % 10_000) + 1
    }
}
