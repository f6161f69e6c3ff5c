import Foundation
import ParleyTesting
import Testing

/// The request from the application-server issue, through the real nginx to the stack's real
/// master and workers: it used to trap on overflow and leave nginx answering 502.
@Suite("trapping input end to end", .enabled(if: TestEnvironment.runsIntegration))
struct TrappingInputEndToEndTests {
    @Test("?page=Int64.max is DRF's 404, the service keeps answering, and no worker was restarted")
    func pageOverflow() throws {
        let https = try TestEnvironment.httpsURL
        let access = try EndToEndAccount.register("overflow").token
        let restartsBefore = try Self.restarts(https)

        for value in ["9223372036854775807", "9223372036854775808", "-9223372036854775808", "1e400"] {
            let response = try Curl.request(https + "/api/conversations/?page=\(value)", headers: ["Authorization": "Bearer \(access)"])
            #expect(response.status == 404, "page=\(value)")
            #expect(response.bodyText.contains("Invalid page."))
        }
        #expect(try Curl.request(https + "/healthz").status == 200)
        #expect(try Self.restarts(https) == restartsBefore, "no worker died")
    }

    static func restarts(_ https: String) throws -> String {
        let status = try Curl.request(https + "/status", extraArguments: ["--interface", "127.0.0.1"]).bodyText
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("worker restarts:") })
        return String(line.dropFirst("worker restarts:".count)).trimmingCharacters(in: .whitespaces)
    }
}
