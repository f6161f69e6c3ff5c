import Foundation
import ParleyTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// nginx's limits in front of parley: /status and /ping only from this machine, the health
/// check and those two never rate- or connection-limited, and timeouts to parley set.
@Suite("nginx limits end to end", .serialized, .enabled(if: TestEnvironment.runsIntegration))
struct NginxLimitsEndToEndTests {
    @Test("/status and /ping: 403 from nginx for 127.0.0.2, passed to parley for 127.0.0.1")
    func localOnly() throws {
        let https = try TestEnvironment.httpsURL
        for path in ["/status", "/ping"] {
            let outside = try Curl.request(https + path, extraArguments: ["--interface", "127.0.0.2"])
            #expect(outside.status == 403, "\(path) from 127.0.0.2")
            #expect(outside.header("X-Request-Id") == nil, "the 403 is nginx's, not parley's")
            let local = try Curl.request(https + path, extraArguments: ["--interface", "127.0.0.1"])
            #expect(local.status == 200, "\(path) from 127.0.0.1")
            #expect(path == "/ping" ? local.bodyText == "pong\n" : local.bodyText.contains("accepted conn:"))
            #expect(local.header("X-Request-Id") != nil, "\(path) from 127.0.0.1 reached parley")
            #expect(local.header("Cache-Control") == "no-store")
        }
    }

    /// A second nginx from the test stack's rendered configuration, with the limits turned down
    /// to 1 request/s, burst 1, one request in flight: the app is throttled, /healthz,
    /// /status and /ping are not.
    @Test("with a limit of 1 r/s, a burst at /healthz, /status and /ping is never refused, while the app gets 429")
    func healthNotLimited() throws {
        let nginx = try LowLimitNginx()
        defer { nginx.stop() }
        var healthStatuses: [Int] = []
        for _ in 0..<12 {
            for path in ["/healthz", "/status", "/ping"] {
                healthStatuses.append(try Curl.request(nginx.url + path).status)
            }
        }
        #expect(!healthStatuses.contains(429) && !healthStatuses.contains(503), "\(healthStatuses)")
        #expect(healthStatuses.filter { $0 == 200 }.count == 36, "every /healthz, /status and /ping answered 200: \(healthStatuses)")

        var appStatuses: [Int] = []
        var refused: CurlResponse?
        for _ in 0..<12 {
            let response = try Curl.request(nginx.url + "/api/openapi.json")
            appStatuses.append(response.status)
            if response.status == 429 { refused = response }
        }
        #expect(appStatuses.contains(429), "the app is limited in this configuration: \(appStatuses)")
        let throttled = try #require(refused)
        #expect(throttled.header("Retry-After") == "1")
        SecurityHeadersEndToEndTests.expectPageHeaders(throttled, "429")
    }

    @Test("every configuration sets the FastCGI timeouts and a per-address connection limit, and never limits /healthz, /status, /ping",
          arguments: ["rendered", "deploy/nginx-site.conf", "deploy/nginx-docker.conf"])
    func configurations(_ which: String) throws {
        let path = which == "rendered"
            ? try TestEnvironment.require("PARLEY_TEST_NGINX_PREFIX") + "/conf/nginx.conf"
            : Self.repositoryRoot + "/" + which
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for directive in ["fastcgi_connect_timeout", "fastcgi_send_timeout", "fastcgi_read_timeout", "limit_conn_zone $binary_remote_addr", "limit_conn parley_conn"] {
            #expect(text.contains(directive), "\(which): \(directive)")
        }
        for location in ["location = /healthz", "location = /status", "location = /ping"] {
            let block = try #require(Self.block(location, in: text), "\(which): \(location)")
            #expect(!block.contains("limit_req") && !block.contains("limit_conn"), "\(which): \(location) is limited")
            #expect(block.contains("fastcgi_pass parley"), "\(which): \(location)")
            if location != "location = /healthz" {
                #expect(block.contains("allow 127.0.0.1;") && block.contains("deny all;"), "\(which): \(location)")
                #expect(block.contains("allow ::1;") == (which != "deploy/nginx-docker.conf"), "\(which): \(location)")
            }
        }
    }

    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// The text between `header {` and its closing brace.
    static func block(_ header: String, in text: String) -> String? {
        guard let start = text.range(of: header + " {") else { return nil }
        guard let end = text[start.upperBound...].firstIndex(of: "}") else { return nil }
        return String(text[start.upperBound..<end])
    }
}

/// nginx started by a test from the stack's rendered configuration with other ports, pid, logs
/// and limits; stopped (SIGQUIT, then SIGKILL) by the test.
final class LowLimitNginx {
    let child: ChildProcess
    let url: String

    init() throws {
        let prefix = try TestEnvironment.require("PARLEY_TEST_NGINX_PREFIX")
        let stackHTTPS = try TestEnvironment.httpsURL
        let stackHTTP = try TestEnvironment.httpURL
        let directory = try TestEnvironment.scratchDirectory + "/low-limit-nginx-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/logs", withIntermediateDirectories: true)
        let (httpPort, httpsPort) = (try Self.freePort(), try Self.freePort())
        var conf = try String(contentsOfFile: prefix + "/conf/nginx.conf", encoding: .utf8)
        let oldHTTPS = stackHTTPS.split(separator: ":").last.map(String.init) ?? ""
        let oldHTTP = stackHTTP.split(separator: ":").last.map(String.init) ?? ""
        conf = conf.replacingOccurrences(of: "127.0.0.1:\(oldHTTPS) ", with: "127.0.0.1:\(httpsPort) ")
        conf = conf.replacingOccurrences(of: "127.0.0.1:\(oldHTTP);", with: "127.0.0.1:\(httpPort);")
        conf = conf.replacing(/\npid [^;]+;/, with: "\npid \(directory)/nginx.pid;")
        conf = conf.replacing(/\nerror_log [^;]+;/, with: "\nerror_log \(directory)/logs/error.log warn;")
        conf = conf.replacing(/access_log [^ ;]+ parley;/, with: "access_log \(directory)/logs/access.log parley;")
        conf = conf.replacing(/rate=[0-9]+r\/s;/, with: "rate=1r/s;")
        conf = conf.replacing(#/burst=[0-9]+ /#, with: "burst=1 ")
        conf = conf.replacing(/limit_conn parley_conn [0-9]+;/, with: "limit_conn parley_conn 1;")
        // The unix sockets the stack's nginx listens on (Nchan's publisher, the live auth hop)
        // are its own: this one gets its own, everywhere they are named.
        for match in conf.matches(of: /listen unix:([^;]+);/) {
            let path = String(match.output.1)
            conf = conf.replacingOccurrences(of: path, with: directory + "/" + (path.split(separator: "/").last.map(String.init) ?? "live.sock"))
        }
        guard conf.contains("rate=1r/s;"), conf.contains("127.0.0.1:\(httpsPort) ") else {
            throw NginxTestError("could not rewrite \(prefix)/conf/nginx.conf")
        }
        try conf.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "nginx"
        child = try ChildProcess(
            executable: binary,
            arguments: ["-p", directory + "/", "-c", directory + "/nginx.conf", "-e", directory + "/logs/error.log", "-g", "daemon off;"])
        url = "https://127.0.0.1:\(httpsPort)"
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if let response = try? Curl.request(url + "/healthz"), response.status == 200 { return }
            guard child.waitForExit(timeout: 0.1) == nil else { break }
        }
        stop()
        throw NginxTestError("the low-limit nginx did not answer: \(child.standardError)")
    }

    func stop() {
        child.signal(SIGQUIT)
        if child.waitForExit(timeout: 10) == nil { child.signal(SIGTERM) }
        _ = child.waitForExit(timeout: 5)
        child.terminate()
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw NginxTestError("socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw NginxTestError("bind failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct NginxTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
