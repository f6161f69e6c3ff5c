#if canImport(Glibc)
import Glibc
#endif
import FastCGI
import Web

/// The status page (PHP-FPM's `pm.status_path`) rendered from the scoreboard: plain text with
/// PHP-FPM's field names, `?json`, `?full` (one entry per worker thread), and `?openmetrics`
/// (Prometheus' text exposition). Figures cover every worker process.
///
/// PHP-FPM counts processes, each serving one request at a time; here a worker thread is that
/// unit, so "idle/active/total processes" count threads, and "worker processes" the processes.
public struct StatusReport: Sendable {
    public enum Format: Sendable { case text, json, openMetrics }

    let board: Scoreboard
    /// Route templates by route index (`Router.registeredRoutes`).
    let routes: [String]
    let pool: String
    /// Starts every OpenMetrics family name (`<prefix>_requests`): the application's name.
    let metricPrefix: String

    /// - Parameters:
    ///   - pool: the pool's name on the status page, as PHP-FPM's (whose default is `www`).
    ///   - metricPrefix: the namespace of the OpenMetrics families.
    public init(board: Scoreboard, routes: [String], pool: String = "www", metricPrefix: String = "fastcgi") {
        self.board = board
        self.routes = routes
        self.pool = pool
        self.metricPrefix = metricPrefix
    }

    /// Reads `?json`, `?full`, `?openmetrics` (and `?html`-less combinations) from a query string.
    public static func options(query: String) -> (format: Format, full: Bool) {
        let names = query.split(separator: "&").map { $0.split(separator: "=", maxSplits: 1).first.map(String.init) ?? "" }
        let format: Format = names.contains("openmetrics") ? .openMetrics : names.contains("json") ? .json : .text
        return (format, names.contains("full"))
    }

    public static func contentType(_ format: Format) -> String {
        switch format {
        case .text: "text/plain; charset=utf-8"
        case .json: "application/json"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    public func render(_ format: Format, full: Bool) -> String {
        switch format {
        case .text: text(full: full)
        case .json: json(full: full)
        case .openMetrics: openMetrics()
        }
    }

    // MARK: - Figures

    struct ThreadView {
        var pid: Int32
        var thread: Int
        /// The CPU its process is bound to; nil when unbound (`--cpu-affinity`).
        var cpu: Int32?
        var phase: WorkerSlot.Phase
        var startTime: UInt64
        var requests: UInt64
        var method: String
        var path: String
        var durationMicroseconds: UInt64
    }

    var live: [ProcessEntry] { board.processEntries.filter { $0.state != .free && $0.pid > 0 } }

    func summary() -> [(String, Value)] {
        let now = UInt64(time(nil))
        let start = board.load(.startTime)
        let processes = live
        var active: UInt64 = 0
        var total: UInt64 = 0
        var rss = board.load(.masterRSS)
        var pss = board.load(.masterPSS)
        for process in processes where process.state != .draining {
            total += UInt64(board.layout.threads)
        }
        for process in processes {
            active += UInt64(process.active)
            rss += process.rssBytes
            pss += process.pssBytes
        }
        let idle = total > active ? total - active : 0
        return [
            ("pool", .text(pool)),
            ("process manager", .text("static")),
            ("start time", .number(start)),
            ("start since", .number(now > start ? now - start : 0)),
            ("accepted conn", .number(board.load(.acceptedConnections))),
            ("listen queue", .number(board.load(.listenQueue))),
            ("max listen queue", .number(board.load(.maxListenQueue))),
            ("listen queue len", .number(board.load(.listenBacklog))),
            ("idle processes", .number(idle)),
            ("active processes", .number(active)),
            ("total processes", .number(total)),
            ("max active processes", .number(board.load(.maxActive))),
            ("max children reached", .number(board.load(.maxChildrenReached))),
            ("slow requests", .number(board.load(.slowRequests))),
            ("request timeouts", .number(board.load(.timeouts))),
            ("worker processes", .number(UInt64(processes.count))),
            ("generation", .number(board.load(.generation))),
            ("reloading", .number(board.load(.reloading))),
            ("worker restarts", .number(restarts().reduce(0) { $0 + $1.1 })),
            ("master pid", .number(board.load(.masterPID))),
            ("memory rss", .number(rss)),
            ("memory pss", .number(pss)),
        ]
    }

    enum Value {
        case text(String)
        case number(UInt64)
    }

    func restarts() -> [(String, UInt64)] {
        [
            ("signal", board.load(.restartsSignal)), ("exit", board.load(.restartsExit)),
            ("timeout", board.load(.restartsTimeout)), ("recycle", board.load(.restartsRecycle)),
        ]
    }

    func threads() -> [ThreadView] {
        let now = monotonicNanoseconds()
        var views: [ThreadView] = []
        for process in live {
            for slot in process.threads {
                let phase = slot.phase
                views.append(ThreadView(
                    pid: process.pid, thread: slot.index, cpu: process.cpu, phase: phase, startTime: process.startTime,
                    requests: slot.requestsServed, method: phase == .idle ? "-" : slot.method,
                    path: phase == .idle ? "-" : slot.path,
                    durationMicroseconds: slot.runningNanoseconds(at: now) / 1000))
            }
        }
        return views
    }

    // MARK: - Text and JSON

    func text(full: Bool) -> String {
        var out = ""
        for (name, value) in summary() {
            out += pad(name) + (name == "start time" ? Self.date(board.load(.startTime)) : render(value)) + "\n"
        }
        guard full else { return out }
        for thread in threads() {
            out += "\n************************\n"
            out += pad("pid") + "\(thread.pid)\n"
            out += pad("thread") + "\(thread.thread)\n"
            out += pad("cpu") + (thread.cpu.map { "\($0)" } ?? "any") + "\n"
            out += pad("state") + (thread.phase == .idle ? "Idle" : "Running (\(thread.phase.name))") + "\n"
            out += pad("start time") + Self.date(thread.startTime) + "\n"
            out += pad("requests") + "\(thread.requests)\n"
            out += pad("request method") + thread.method + "\n"
            out += pad("request URI") + thread.path + "\n"
            out += pad("request duration") + "\(thread.durationMicroseconds)\n"
        }
        return out
    }

    /// A Unix time as PHP-FPM's text status writes it: `06/Dec/2026:02:25:19 +0000`.
    static func date(_ seconds: UInt64) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%d/%b/%Y:%H:%M:%S +0000", &parts)
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func pad(_ name: String) -> String {
        let label = name + ":"
        return label + String(repeating: " ", count: max(1, 22 - label.count))
    }

    private func render(_ value: Value) -> String {
        switch value {
        case .text(let text): text
        case .number(let number): "\(number)"
        }
    }

    func json(full: Bool) -> String {
        var fields = summary().map { "\(JSONString.quoted($0.0)):\(jsonValue($0.1))" }
        if full {
            let threads = threads().map { thread in
                "{\"pid\":\(thread.pid),\"thread\":\(thread.thread),\"cpu\":\(thread.cpu.map { "\($0)" } ?? "null"),\"state\":\(JSONString.quoted(thread.phase == .idle ? "Idle" : "Running")),"
                    + "\"phase\":\(JSONString.quoted(thread.phase.name)),\"start time\":\(thread.startTime),\"requests\":\(thread.requests),"
                    + "\"request method\":\(JSONString.quoted(thread.method)),\"request uri\":\(JSONString.quoted(thread.path)),"
                    + "\"request duration\":\(thread.durationMicroseconds)}"
            }
            fields.append("\"processes\":[" + threads.joined(separator: ",") + "]")
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    private func jsonValue(_ value: Value) -> String {
        switch value {
        case .text(let text): JSONString.quoted(text)
        case .number(let number): "\(number)"
        }
    }

    // MARK: - OpenMetrics

    func openMetrics() -> String {
        var out = ""
        let prefix = metricPrefix
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# TYPE \(prefix)_\(name) \(type)\n# HELP \(prefix)_\(name) \(help)\n"
        }
        let labels = routeLabels()

        family("requests", "counter", "Requests served, by route template, method and status class.")
        for (label, rows) in labels {
            for method in Scoreboard.methods.indices {
                for statusClass in Scoreboard.statusClasses.indices {
                    let count = rows.reduce(0) { $0 + board.requestCount(route: $1, method: method, statusClass: statusClass) }
                    guard count > 0 else { continue }
                    out += "\(prefix)_requests_total{route=\"\(escape(label))\",method=\"\(Scoreboard.methods[method])\",status=\"\(Scoreboard.statusClasses[statusClass])\"} \(count)\n"
                }
            }
        }

        family("request_duration_seconds", "histogram", "Request duration by route template.")
        for (label, rows) in labels {
            var buckets = [UInt64](repeating: 0, count: Scoreboard.bucketBounds.count + 1)
            var sum: UInt64 = 0
            var count: UInt64 = 0
            for row in rows {
                let histogram = board.histogram(route: row)
                for index in buckets.indices { buckets[index] += histogram.buckets[index] }
                sum += histogram.sumMicroseconds
                count += histogram.count
            }
            guard count > 0 else { continue }
            var cumulative: UInt64 = 0
            for (index, bound) in Scoreboard.bucketBounds.enumerated() {
                cumulative += buckets[index]
                out += "\(prefix)_request_duration_seconds_bucket{route=\"\(escape(label))\",le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "\(prefix)_request_duration_seconds_bucket{route=\"\(escape(label))\",le=\"+Inf\"} \(count)\n"
            out += "\(prefix)_request_duration_seconds_sum{route=\"\(escape(label))\"} \(Double(sum) / 1e6)\n"
            out += "\(prefix)_request_duration_seconds_count{route=\"\(escape(label))\"} \(count)\n"
        }

        let processes = live
        let inFlight = processes.reduce(0) { $0 + $1.active }
        family("requests_in_flight", "gauge", "Requests being served now.")
        out += "\(prefix)_requests_in_flight \(inFlight)\n"
        family("worker_processes", "gauge", "Worker processes running (all generations).")
        out += "\(prefix)_worker_processes \(processes.count)\n"
        family("worker_threads", "gauge", "Worker threads taking requests.")
        out += "\(prefix)_worker_threads \(processes.filter { $0.state != .draining }.count * board.layout.threads)\n"
        family("worker_restarts", "counter", "Worker processes replaced, by cause.")
        for (cause, count) in restarts() { out += "\(prefix)_worker_restarts_total{cause=\"\(cause)\"} \(count)\n" }
        for (name, counter, help) in Self.plainCounters {
            family(name, "counter", help)
            out += "\(prefix)_\(name)_total \(board.load(counter))\n"
        }
        family("process_resident_memory_bytes", "gauge", "Resident memory (RSS) of the master and each worker process.")
        out += "\(prefix)_process_resident_memory_bytes{role=\"master\",pid=\"\(board.load(.masterPID))\"} \(board.load(.masterRSS))\n"
        for process in processes {
            out += "\(prefix)_process_resident_memory_bytes{role=\"worker\",pid=\"\(process.pid)\"} \(process.rssBytes)\n"
        }
        family("process_proportional_memory_bytes", "gauge", "Proportional share of memory (PSS) of the master and each worker process; their sum is what the pool takes.")
        out += "\(prefix)_process_proportional_memory_bytes{role=\"master\",pid=\"\(board.load(.masterPID))\"} \(board.load(.masterPSS))\n"
        for process in processes {
            out += "\(prefix)_process_proportional_memory_bytes{role=\"worker\",pid=\"\(process.pid)\"} \(process.pssBytes)\n"
        }
        out += "# EOF\n"
        return out
    }

    /// The counters exposed as they are: name (after the prefix), scoreboard word, help.
    static let plainCounters: [(String, Scoreboard.Counter, String)] = [
        ("reloads", .reloads, "Reloads (SIGHUP) started."),
        ("accepted_connections", .acceptedConnections, "Connections accepted from the web server."),
        ("slow_requests", .slowRequests, "Requests that ran past the slow-request threshold."),
        ("request_timeouts", .timeouts, "Requests that ran past the request timeout."),
        ("database_reconnects", .databaseReconnects, "PostgreSQL connections opened again after the first."),
        ("database_statement_errors", .databaseStatementErrors, "Statements that PostgreSQL or the connection failed."),
        ("database_statements", .databaseStatements, "Statements sent to PostgreSQL, each of a pipeline and BEGIN and COMMIT included."),
        ("database_round_trips", .databaseRoundTrips, "Round trips to PostgreSQL: a statement, a pipeline of several, or a PREPARE of its own."),
        ("replica_reads", .replicaReads, "Lag-tolerant reads served by the read replica."),
        ("replica_fallbacks", .replicaFallbacks, "Lag-tolerant reads the primary served: replica down, lagging, or behind the client's last write."),
        ("replica_waits", .replicaWaits, "Reads that waited for the replica to replay their client's last write."),
    ]

    /// Route rows grouped by template (one template may be registered for several methods);
    /// the unmatched row last, as "(none)".
    private func routeLabels() -> [(String, [Int?])] {
        var order: [String] = []
        var rows: [String: [Int?]] = [:]
        for (index, pattern) in routes.enumerated() where index < board.layout.routes {
            if rows[pattern] == nil { order.append(pattern) }
            rows[pattern, default: []].append(index)
        }
        return order.map { ($0, rows[$0]!) } + [("(none)", [nil])]
    }

    private func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
