// `parley` with routes that exist only in tests, for the deadline and crash-isolation tests.
// Never built into the product: this target lives under Tests/ and only the tests start it.
#if canImport(Glibc)
import Glibc
#endif
import ParleyApp
import ParleyCommands
import Postgres
import Web

Serve.extraRoutes = { router in
    // A statement that runs for `seconds` (the request deadline cancels it).
    router.get("/__test/sleep") { request, context in
        let seconds = Double(request.query["seconds"] ?? "") ?? 1
        _ = try context.database.read { try $0.query("SELECT pg_sleep(\(seconds))") }
        return .text("slept\n")
    }
    // A thread busy outside the database for `seconds` (only replacing the worker ends it).
    router.get("/__test/spin") { request, _ in
        let seconds = Double(request.query["seconds"] ?? "") ?? 1
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        var spins = 0
        while ContinuousClock.now < deadline { spins &+= 1 }
        return .text("spun \(spins)\n")
    }
    // A request that traps, as an unchecked overflow on client input would.
    router.get("/__test/trap") { request, _ in
        let value = Int(request.query["n"] ?? "") ?? Int.max
        return .text("\(value + 1)\n")
    }
}
Parley.main()
