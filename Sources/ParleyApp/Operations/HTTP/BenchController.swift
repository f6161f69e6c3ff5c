import FoundationEssentials
import Glibc
import Mustache
import Postgres
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
    let services: AppServices

    static let templateName = "bench/fortunes"

    /// Checks that the template is there (a missing or malformed one stops the start).
    init(templates: TemplateLibrary, services: AppServices) throws {
        try templates.require([Self.templateName])
        self.templates = templates
        self.services = services
    }

    func register(on router: inout Router<AppContext>) {
        router.get("/plaintext") { _, _ in
            Response(status: .ok, headers: ["Content-Type": "text/plain"], body: Array("Hello, World!".utf8))
        }
        router.get("/json") { _, _ in
            .json(HelloMessage(message: "Hello, World!"))
        }
        router.get("/db") { _, context in
            var random = BenchRandom()
            return try .json(services.bench(context).world(id: random.worldID()))
        }
        router.get("/queries") { request, context in
            let count = BenchController.queryCount(request)
            var random = BenchRandom()
            let ids = (0..<count).map { _ in random.worldID() }
            return try .json(services.bench(context).worlds(ids: ids))
        }
        router.get("/updates") { request, context in
            let count = BenchController.queryCount(request)
            var random = BenchRandom()
            let ids = (0..<count).map { _ in random.worldID() }
            let numbers = (0..<count).map { _ in random.worldID() }
            return try .json(services.bench(context).updateWorlds(ids: ids, randomNumbers: numbers))
        }
        router.get("/fortunes") { _, context in
            var fortunes = try services.bench(context).fortunes()
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
}
