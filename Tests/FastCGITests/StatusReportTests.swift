import FastCGI
import Testing
import WebFastCGI

/// The status page names the application only as it is told to.
@Suite("Status report names")
struct StatusReportTests {
    @Test("every OpenMetrics family starts with the given prefix; the defaults name no application")
    func metricPrefix() throws {
        let board = try Scoreboard.create(layout: Scoreboard.Layout(processes: 1, threads: 1, routes: 2))
        let named = StatusReport(board: board, routes: ["/a"], pool: "parley", metricPrefix: "parley")
        let metrics = named.render(.openMetrics, full: false).split(separator: "\n")
        #expect(metrics.contains("# TYPE parley_requests counter"))
        #expect(metrics.contains("parley_reloads_total 0"))
        for line in metrics where line != "# EOF" {
            let name = line.hasPrefix("# ") ? line.split(separator: " ")[2] : line
            #expect(name.hasPrefix("parley_"), "\(line)")
        }
        #expect(named.render(.text, full: false).hasPrefix("pool:                 parley\n"))

        let neutral = StatusReport(board: board, routes: ["/a"])
        #expect(neutral.render(.openMetrics, full: false).contains("# TYPE fastcgi_requests counter"))
        #expect(!neutral.render(.openMetrics, full: false).contains("parley"))
        #expect(neutral.render(.json, full: false).hasPrefix(#"{"pool":"www","#))
    }

    @Test("each request method is counted in its own column; an unknown one, or a prefix of a known one, as other")
    func methodColumns() {
        for (index, name) in Scoreboard.methods.enumerated() where name != "other" {
            #expect(Array(name.utf8).withUnsafeBufferPointer { Scoreboard.methodIndex($0) } == index, "\(name)")
        }
        let other = Scoreboard.methods.count - 1
        for name in ["get", "GE", "GETS", "PROPFIND", "", "other"] {
            #expect(Array(name.utf8).withUnsafeBufferPointer { Scoreboard.methodIndex($0) } == other, "\(name)")
        }
    }
}
