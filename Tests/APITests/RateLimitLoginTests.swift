import Foundation
import Dispatch
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Synchronization
import Testing
import Web

/// Failed log-ins are limited per account and per client address; hashing is bounded.
@Suite("Rate limits on log-in", .enabled(if: TestEnvironment.runsIntegration))
struct RateLimitLoginTests {
    @Test("after N failures an account answers 429 with Retry-After, even to the right password")
    func perAccount() throws {
        let harness = try APIHarness.withAuth { $0.loginFailuresPerAccount = 3 }
        let username = uniqueName("thr")
        #expect(try harness.register(username: username).status == 201)
        for _ in 0..<3 {
            #expect(try harness.request(.post, "/api/token/", json: ["username": username, "password": "wrong wrong"]).status == 401)
        }
        for password in ["wrong wrong", "correct horse battery"] {
            // Through the email too: the counter is the account's, not the spelling's.
            let throttled = try harness.request(.post, "/api/token/", json: ["username": "\(username)@example.com", "password": password])
            #expect(throttled.status == 429)
            let seconds = try #require(throttled.header("Retry-After").flatMap { Int($0) })
            #expect((1...1800).contains(seconds))
            #expect(throttled.detail == "Request was throttled. Expected available in \(seconds) seconds.")
        }
        // Another account from the same address is not affected.
        let other = uniqueName("free")
        #expect(try harness.register(username: other).status == 201)
        #expect(try harness.request(.post, "/api/token/", json: ["username": other, "password": "correct horse battery"]).status == 200)
    }

    @Test("a success before the limit clears the account's failures")
    func successResets() throws {
        let harness = try APIHarness.withAuth { $0.loginFailuresPerAccount = 3 }
        let username = uniqueName("reset")
        #expect(try harness.register(username: username).status == 201)
        for _ in 0..<2 { #expect(try harness.request(.post, "/api/token/", json: ["username": username, "password": "nope nope"]).status == 401) }
        _ = try harness.login(username)
        for _ in 0..<2 { #expect(try harness.request(.post, "/api/token/", json: ["username": username, "password": "nope nope"]).status == 401) }
        _ = try harness.login(username)
    }

    @Test("failures from one address (an IPv6 /64 counts as one) across accounts, unknown ones included, hit the address limit")
    func perAddress() throws {
        let harness = try APIHarness.withAuth { $0.loginFailuresPerAddress = 4 }
        let prefix = "2001:db8:\(Int.random(in: 1...0xfff)):\(Int.random(in: 1...0xfff))"
        for index in 0..<4 {
            let response = try harness.request(from: "\(prefix)::\(index + 1)", .post, "/api/token/", json: ["username": uniqueName("ghost"), "password": "whatever1"])
            #expect(response.status == 401)
        }
        let username = uniqueName("victim")
        #expect(try harness.register(username: username).status == 201)
        let blocked = try harness.request(from: "\(prefix)::99", .post, "/api/token/", json: ["username": username, "password": "correct horse battery"])
        #expect(blocked.status == 429)
        #expect(blocked.header("Retry-After") != nil)
        let elsewhere = try harness.request(from: "2001:db8:ffff::1", .post, "/api/token/", json: ["username": username, "password": "correct horse battery"])
        #expect(elsewhere.status == 200)
    }

    @Test("client addresses: IPv4 as is, IPv6 by /64, IPv4-mapped as IPv4", arguments: [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("[2001:db8:1:2::9]", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.1", "198.51.100.1"),
        ("not an address", "not an address"),
    ])
    func clientAddress(_ address: String, _ key: String) {
        #expect(ClientAddress.throttleKey(address) == key)
    }
}

/// The process-wide bound on concurrent password hashing.
@Suite("Password hashing concurrency")
struct PasswordHashingGateTests {
    @Test("at most `limit` run, at most `queueLimit` wait; the rest are refused at once, waiting past the timeout is refused")
    func gate() throws {
        let gate = ConcurrencyGate(limit: 1, queueLimit: 1, timeout: .milliseconds(200))
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            _ = try? gate.run {
                started.signal()
                release.wait()
            }
        }
        started.wait()
        // One waiter fits the queue but times out; while it waits, a third caller is refused.
        let waiterResult = Mutex<Bool?>(nil)
        DispatchQueue.global().async(group: group) {
            let ok = (try? gate.run { true }) != nil
            waiterResult.withLock { $0 = ok }
        }
        while gate.occupancy < 2 { usleep(1000) }
        #expect(throws: ConcurrencyGate.Busy.self) { try gate.run { () } }
        while waiterResult.withLock({ $0 }) == nil { usleep(1000) }
        release.signal()
        group.wait()
        #expect(waiterResult.withLock { $0 } == false)
        #expect(try gate.run { 42 } == 42)
        #expect(gate.occupancy == 0)
    }

    @Test("a saturated hasher is a 503 with Retry-After for the client")
    func busyIsServiceUnavailable() {
        let error = AccountError.busy(retryAfterSeconds: 1)
        #expect(error.status == .serviceUnavailable)
        #expect(error.headers["Retry-After"] == "1")
        let throttled = AccountError.throttled(retryAfterSeconds: 42)
        #expect(throttled.status == .tooManyRequests)
        #expect(throttled.publicMessage == "Request was throttled. Expected available in 42 seconds.")
        #expect(throttled.headers["Retry-After"] == "42")
    }
}

/// Sign-ups cost an argon2id hash each, so they are limited per client address too.
@Suite("Rate limits on registration", .enabled(if: TestEnvironment.runsIntegration))
struct RateLimitRegistrationTests {
    @Test("valid sign-ups beyond the per-address limit are 429; invalid ones do not count; other addresses are free")
    func perAddress() throws {
        let harness = try APIHarness.withAuth { $0.registrationsPerAddress = 2 }
        let address = "198.51.100.\(Int.random(in: 1...254))-\(UUID().uuidString.prefix(6))"
        func body(_ name: String) -> [String: String] {
            ["username": name, "email": "\(name)@example.com", "password": "long enough password", "first_name": "R", "last_name": "L"]
        }
        #expect(try harness.request(from: address, .post, "/api/register/", json: ["username": "x"]).status == 400)
        for _ in 0..<2 {
            #expect(try harness.request(from: address, .post, "/api/register/", json: body(uniqueName("reg"))).status == 201)
        }
        let refused = try harness.request(from: address, .post, "/api/register/", json: body(uniqueName("reg")))
        #expect(refused.status == 429)
        #expect(refused.header("Retry-After") != nil)
        #expect(try harness.request(from: "203.0.113.\(Int.random(in: 1...254))-\(UUID().uuidString.prefix(6))", .post, "/api/register/", json: body(uniqueName("reg"))).status == 201)
    }
}
