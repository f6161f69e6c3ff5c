// Benchmarks for the Postgres module (see bench/pq/run.sh):
//
//   PostgresBench setup  URL            creates and fills `world` (10,000 rows) if needed
//   PostgresBench select URL N          N one-row prepared selects through PostgresConnection
//   PostgresBench select-db URL N       the same through PostgresDatabase.read (liveness check included)
//   PostgresBench stream URL N          streams N rows with forEachRow, then prints peak RSS
//   PostgresBench buffered URL N        the same rows through query() (all in memory), for contrast
//
// Output lines are "<mode> N seconds ns_per_op checksum cpu_seconds" (stream: "stream N seconds
// peak_rss_kib rows bytes").
import Foundation
import Logging
import Postgres

@main
struct PostgresBench {
    static func main() throws {
        let arguments = CommandLine.arguments
        guard arguments.count >= 3 else {
            FileHandle.standardError.write(Data("usage: PostgresBench setup|select|select-db|stream URL [N]\n".utf8))
            exit(2)
        }
        let mode = arguments[1]
        var configuration = PostgresConfiguration(url: arguments[2])
        configuration.applicationName = "parley"
        configuration.slowQueryThreshold = .seconds(60)
        var logger = Logger(label: "parley.bench")
        logger.logLevel = .warning
        let count = arguments.count > 3 ? Int(arguments[3]) ?? 0 : 0

        switch mode {
        case "setup":
            try setup(PostgresConnection(configuration: configuration, logger: logger))
        case "select":
            let connection = try PostgresConnection(configuration: configuration, logger: logger)
            report("swift", count, try measure { try selectLoop(count) { try $0(connection) } })
        case "select-db":
            let database = PostgresDatabase(configuration: configuration, logger: logger)
            report("swift-db", count, try measure { try selectLoop(count) { try database.read($0) } })
        case "stream":
            try stream(PostgresConnection(configuration: configuration, logger: logger), count, buffered: false)
        case "buffered":
            try stream(PostgresConnection(configuration: configuration, logger: logger), count, buffered: true)
        default:
            FileHandle.standardError.write(Data("unknown mode \(mode)\n".utf8))
            exit(2)
        }
    }

    static func setup(_ connection: PostgresConnection) throws {
        try connection.executeScript("CREATE TABLE IF NOT EXISTS world (id int PRIMARY KEY, randomnumber int NOT NULL)")
        let rows = try connection.query("SELECT count(*) FROM world").first!.decode(Int.self)
        guard rows != 10_000 else { return }
        try connection.withTransaction { connection in
            try connection.execute("TRUNCATE world")
            try connection.copyFrom(table: "world", columns: ["id", "randomnumber"]) { writer in
                for id in 1...10_000 {
                    try writer.appendRow(Int32(id), Int32.random(in: 1...10_000))
                }
            }
        }
        try connection.executeScript("ANALYZE world")
    }

    /// The loop the C program runs: same LCG for ids, both columns read.
    static func selectLoop(
        _ iterations: Int, through run: ((PostgresConnection) throws -> Int) throws -> Int
    ) throws -> Int {
        var seed: UInt32 = 12345
        var checksum = 0
        for _ in 0..<iterations {
            seed = seed &* 1_103_515_245 &+ 12345
            let id = Int((seed >> 16) % 10_000 + 1)
            checksum += try run { connection in
                // `id` is int4: bind an Int32, as the C loop's text parameter is inferred to be
                // (an Int would make the server compare int4 with int8).
                let row = try connection.query("SELECT id, randomnumber FROM world WHERE id = \(Int32(id))").first!
                let (found, random) = try row.decode((Int, Int).self)
                return found + random
            }
        }
        return checksum
    }

    static func stream(_ connection: PostgresConnection, _ count: Int, buffered: Bool) throws {
        let start = ContinuousClock.now
        var bytes = 0
        let query: PostgresQuery =
            "SELECT g AS id, repeat(md5(g::text), 4) AS payload FROM generate_series(1, \(count)) AS g"
        let rows: Int
        if buffered {
            let result = try connection.query(query)
            for row in result { bytes += try row.decode(String.self, column: "payload").utf8.count }
            rows = result.count
        } else {
            rows = try connection.forEachRow(query) { row in
                bytes += try row.decode(String.self, column: "payload").utf8.count
            }
        }
        let seconds = start.duration(to: .now).seconds
        print("\(buffered ? "buffered" : "stream") \(count) \(String(format: "%.6f", seconds)) \(peakRSSKiB()) \(rows) \(bytes)")
    }

    static func measure(_ body: () throws -> Int) throws -> (Double, Int, Double) {
        let start = ContinuousClock.now
        let cpuStart = cpuSeconds()
        let checksum = try body()
        return (start.duration(to: .now).seconds, checksum, cpuSeconds() - cpuStart)
    }

    static func report(_ label: String, _ count: Int, _ result: (Double, Int, Double)) {
        let (seconds, checksum, cpu) = result
        let perQuery = String(format: "%.0f", seconds / Double(count) * 1e9)
        print("\(label) \(count) \(String(format: "%.6f", seconds)) \(perQuery) \(checksum) \(String(format: "%.6f", cpu))")
    }

    /// User + system CPU time of this process.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// VmHWM from /proc/self/status: the peak resident set size, in KiB.
    static func peakRSSKiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" })[1]) ?? -1
        }
        return -1
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
