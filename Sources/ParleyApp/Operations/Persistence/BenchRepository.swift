import FoundationEssentials

/// The TechEmpower tables, `world` and `fortune`, which the bench harness creates and fills
/// (bench/sql/techempower.sql), not the migrations. Only `parley serve --bench` reads them.
protocol BenchRepository {
    /// One random `world` row by id (404 when missing).
    func world(id: Int32) throws -> World
    /// One row per id, each its own query, as the test type demands.
    func worlds(ids: [Int32]) throws -> [World]
    /// Reads the rows of `ids`, gives them `randomNumbers` (one per id, in order) and writes
    /// them back in one transaction; the rows as written.
    func updateWorlds(ids: [Int32], randomNumbers: [Int32]) throws -> [World]
    /// Every fortune, in the table's order.
    func fortunes() throws -> [Fortune]
}
