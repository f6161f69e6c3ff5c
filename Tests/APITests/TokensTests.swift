import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Postgres
import Synchronization
import Testing
import Web

/// `POST /api/token/`, `/api/token/refresh/`, `/api/token/revoke/`: log-in, rotation, reuse
/// detection, log-out.
@Suite("Tokens: log-in, refresh rotation, reuse detection, revocation", .enabled(if: TestEnvironment.runsIntegration))
struct TokensTests {
    @Test("log in with the username (any case), with the email in `username`, or with `email`")
    func login() throws {
        let harness = try APIHarness()
        let username = uniqueName("Login")
        let id = try #require(try harness.register(username: username).userID)
        let bodies: [[String: String]] = [
            ["username": username, "password": "correct horse battery"],
            ["username": username.uppercased(), "password": "correct horse battery"],
            ["username": "\(username)@EXAMPLE.com", "password": "correct horse battery"],
            ["email": "\(username)@example.com", "password": "correct horse battery"],
        ]
        for body in bodies {
            let response = try harness.request(.post, "/api/token/", json: body)
            #expect(response.status == 200, "\(body.keys.sorted())")
            let access = try #require(response.object["access"] as? String)
            #expect(response.object["refresh"] is String)
            let me = try harness.request(.get, "/api/users/me/", token: access)
            #expect(me.userID == id)
        }
        #expect(try harness.request(.post, "/api/token", json: bodies[0]).status == 200)
    }

    @Test("a wrong password and an unknown user get the same 401; missing fields are 400")
    func badCredentials() throws {
        let harness = try APIHarness()
        let username = uniqueName("bad")
        #expect(try harness.register(username: username).status == 201)
        for body in [["username": username, "password": "wrong password"], ["username": uniqueName("ghost"), "password": "correct horse battery"],
                     ["email": username, "password": "correct horse battery"]] {
            let response = try harness.request(.post, "/api/token/", json: body)
            #expect(response.status == 401)
            #expect(response.detail == "No active account found with the given credentials")
            #expect(response.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        }
        let missing = try harness.request(.post, "/api/token/", json: [String: String]())
        #expect(missing.status == 400)
        #expect(missing.errors("username") == ["This field is required."])
        #expect(missing.errors("password") == ["This field is required."])
        let hostile = try harness.request(.post, "/api/token/", json: ["username": "' OR '1'='1", "password": "' OR '1'='1"])
        #expect(hostile.status == 401)
    }

    @Test("a refresh token is not an access token, and an access token does not refresh")
    func tokenTypes() throws {
        let harness = try APIHarness()
        let username = uniqueName("types")
        #expect(try harness.register(username: username).status == 201)
        let (access, refresh) = try harness.login(username)
        let asAccess = try harness.request(.get, "/api/users/me/", token: refresh)
        #expect(asAccess.status == 401)
        let asRefresh = try harness.request(.post, "/api/token/refresh/", json: ["refresh": access])
        #expect(asRefresh.status == 401)
        #expect(asRefresh.detail == "Token is invalid or expired")
        #expect(try harness.request(.post, "/api/token/revoke/", json: ["refresh": access]).status == 401)
        #expect(try harness.request(.post, "/api/token/refresh/", json: [String: String]()).errors("refresh") == ["This field is required."])
    }

    @Test("refresh rotates: a new pair each time, and only a hash of the jti is stored")
    func rotation() throws {
        let harness = try APIHarness()
        let username = uniqueName("rot")
        let id = try #require(try harness.register(username: username).userID)
        var (access, refresh) = try harness.login(username)
        for _ in 0..<3 {
            let response = try harness.request(.post, "/api/token/refresh", json: ["refresh": refresh])
            #expect(response.status == 200)
            let newRefresh = try #require(response.object["refresh"] as? String)
            let newAccess = try #require(response.object["access"] as? String)
            #expect(newRefresh != refresh)
            #expect(newAccess != access)
            (access, refresh) = (newAccess, newRefresh)
            #expect(try harness.request(.get, "/api/users/me/", token: access).userID == id)
        }
        #expect(try harness.count("SELECT count(*) FROM refresh_tokens WHERE user_id = \(id)") == 4)
        #expect(try harness.count("SELECT count(*) FROM refresh_tokens WHERE user_id = \(id) AND used_at IS NULL") == 1)
        #expect(try harness.count("SELECT count(DISTINCT family_id)::int8 FROM refresh_tokens WHERE user_id = \(id)") == 1)
        let claims = try JWTSigner(key: harness.configuration.auth.jwtKey).verify(refresh)
        #expect(try harness.count("SELECT count(*) FROM refresh_tokens WHERE token_hash = \(Sodium.sha256Hex(claims.jti))") == 1)
        let texts = try harness.database.read { connection in
            try connection.query("SELECT token_hash || family_id::text FROM refresh_tokens WHERE user_id = \(id)").decode(String.self)
        }
        #expect(!texts.contains { $0.contains(claims.jti) || refresh.contains($0) })
    }

    @Test("a refresh token used twice revokes its family: the rotated-to token and its access token stop working")
    func reuseRevokesFamily() throws {
        let harness = try APIHarness()
        let username = uniqueName("reuse")
        #expect(try harness.register(username: username).status == 201)
        let (_, stolen) = try harness.login(username)
        let (otherAccess, otherRefresh) = try harness.login(username)  // another device: another family
        let rotated = try harness.request(.post, "/api/token/refresh/", json: ["refresh": stolen])
        #expect(rotated.status == 200)
        let newRefresh = try #require(rotated.object["refresh"] as? String)
        let newAccess = try #require(rotated.object["access"] as? String)

        let replay = try harness.request(.post, "/api/token/refresh/", json: ["refresh": stolen])
        #expect(replay.status == 401)
        #expect(try harness.request(.post, "/api/token/refresh/", json: ["refresh": newRefresh]).status == 401)
        #expect(try harness.request(.get, "/api/users/me/", token: newAccess).status == 401)
        // The other log-in is untouched.
        #expect(try harness.request(.get, "/api/users/me/", token: otherAccess).status == 200)
        #expect(try harness.request(.post, "/api/token/refresh/", json: ["refresh": otherRefresh]).status == 200)
    }

    @Test("two simultaneous refreshes with one token: at most one succeeds")
    func concurrentRefresh() throws {
        let username = uniqueName("race")
        let setup = try APIHarness()
        #expect(try setup.register(username: username).status == 201)
        let (_, refresh) = try setup.login(username)
        let configuration = setup.configuration
        let statuses = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let response = try? APIHarness(configuration: configuration).request(.post, "/api/token/refresh/", json: ["refresh": refresh])
            statuses.withLock { $0.append(response?.status ?? 0) }
        }
        let sorted = statuses.withLock { $0.sorted() }
        #expect(sorted.filter { $0 == 200 }.count <= 1)
        #expect(sorted.allSatisfy { $0 == 200 || $0 == 401 })
    }

    @Test("revoke logs out: 204, the family's refresh and access tokens stop working; revoking again is fine")
    func revoke() throws {
        let harness = try APIHarness()
        let username = uniqueName("out")
        #expect(try harness.register(username: username).status == 201)
        let (access, refresh) = try harness.login(username)
        let (otherAccess, _) = try harness.login(username)
        let response = try harness.request(.post, "/api/token/revoke/", json: ["refresh": refresh])
        #expect(response.status == 204)
        #expect(try harness.request(.post, "/api/token/refresh/", json: ["refresh": refresh]).status == 401)
        #expect(try harness.request(.get, "/api/users/me/", token: access).status == 401)
        #expect(try harness.request(.get, "/api/users/me/", token: otherAccess).status == 200)
        #expect(try harness.request(.post, "/api/token/revoke", json: ["refresh": refresh]).status == 204)
        #expect(try harness.request(.post, "/api/token/revoke/", json: ["refresh": "garbage"]).status == 401)
    }

    @Test("expired, forged and unknown refresh tokens are 401")
    func invalidRefreshTokens() throws {
        let harness = try APIHarness()
        let user = try harness.makeUser()
        let signer = JWTSigner(key: harness.configuration.auth.jwtKey)
        let family = UUID().uuidString.lowercased()
        let expired = signer.sign(JWTClaims(tokenType: .refresh, userID: user.id, issuedAt: Date().addingTimeInterval(-7200), lifetime: .seconds(60), family: family))
        let forged = JWTSigner(key: Sodium.randomBytes(32)).sign(JWTClaims(tokenType: .refresh, userID: user.id, issuedAt: Date(), lifetime: .seconds(600), family: family))
        let unknown = signer.sign(JWTClaims(tokenType: .refresh, userID: user.id, issuedAt: Date(), lifetime: .seconds(600), family: family))
        let noFamily = signer.sign(JWTClaims(tokenType: .refresh, userID: user.id, issuedAt: Date(), lifetime: .seconds(600)))
        for token in [expired, forged, unknown, noFamily, "", "a.b.c"] {
            let response = try harness.request(.post, "/api/token/refresh/", json: ["refresh": token])
            #expect(response.status == (token.isEmpty ? 400 : 401))
        }
    }
}

/// argon2id through the API: lengths, unicode, rehashing, the production parameters.
@Suite("Accounts: passwords", .enabled(if: TestEnvironment.runsIntegration))
struct AccountsPasswordTests {
    @Test("a 1,024-byte password, a 4,096-byte one, unicode in either normal form, and spaces kept as typed")
    func passwords() throws {
        let harness = try APIHarness()
        let cases: [(register: String, login: String)] = [
            (String(repeating: "x", count: 1023) + "!", String(repeating: "x", count: 1023) + "!"),
            (String(repeating: "ab", count: 2048), String(repeating: "ab", count: 2048)),
            ("pässwörd ünïcødé 🔐", "pässwörd ünïcødé 🔐".decomposedStringWithCanonicalMapping),
            ("  leading and trailing  ", "  leading and trailing  "),
        ]
        for (index, passwords) in cases.enumerated() {
            let username = uniqueName("pw\(index)")
            #expect(try harness.register(username: username, password: passwords.register).status == 201)
            let ok = try harness.request(.post, "/api/token/", json: ["username": username, "password": passwords.login])
            #expect(ok.status == 200, "case \(index)")
            let truncated = String(passwords.register.dropLast())
            #expect(try harness.request(.post, "/api/token/", json: ["username": username, "password": truncated]).status == 401)
        }
        let trimmed = uniqueName("trim")
        #expect(try harness.register(username: trimmed, password: "  spaced password  ").status == 201)
        #expect(try harness.request(.post, "/api/token/", json: ["username": trimmed, "password": "spaced password"]).status == 401)
        let tooLong = try harness.request(.post, "/api/token/", json: ["username": trimmed, "password": String(repeating: "y", count: 4097)])
        #expect(tooLong.status == 400)
    }

    @Test("a hash made with weaker parameters is replaced at the next log-in")
    func rehashOnLogin() throws {
        let stronger = PasswordHashingParameters(iterations: 2, memoryBytes: 16 * 1024)
        let harness = try APIHarness.withAuth { $0.passwordHashing = stronger }
        let user = try harness.makeUser()
        let weak = try PasswordHasher(parameters: .minimum, concurrency: 1, queueLimit: 0, waitTimeout: .seconds(1)).hash("correct horse battery")
        #expect(weak.hasPrefix("$argon2id$v=19$m=8,t=1,p=1$"))
        try harness.database.write { try $0.execute("UPDATE users SET password_hash = \(weak) WHERE user_id = \(user.id)") }

        #expect(try harness.request(.post, "/api/token/", json: ["username": user.username, "password": "correct horse battery"]).status == 200)
        let rehashed = try harness.storedHash(user.id)
        #expect(rehashed != weak)
        #expect(rehashed.hasPrefix("$argon2id$v=19$m=16,t=2,p=1$"))
        #expect(try harness.request(.post, "/api/token/", json: ["username": user.username, "password": "correct horse battery"]).status == 200)
        #expect(try harness.storedHash(user.id) == rehashed, "no rehash when the parameters already match")
    }

    @Test("an unknown user costs a verification, as a wrong password does (no timing oracle)")
    func unknownUserTiming() throws {
        let parameters = PasswordHashingParameters(iterations: 2, memoryBytes: 16 * 1024 * 1024)
        let harness = try APIHarness.withAuth { $0.passwordHashing = parameters }
        let username = uniqueName("timing")
        #expect(try harness.register(username: username).status == 201)
        func seconds(_ work: () throws -> Void) rethrows -> Double {
            let start = ContinuousClock.now
            try work()
            let (whole, atto) = (ContinuousClock.now - start).components
            return Double(whole) + Double(atto) / 1e18
        }
        func logIn(_ name: String) throws -> Double {
            var status = 0
            let elapsed = try seconds { () throws in status = try harness.request(.post, "/api/token/", json: ["username": name, "password": "wrong password"]).status }
            #expect(status == 401)
            return elapsed
        }
        // The reference: one verification with the same parameters, outside the application.
        // Minimums throughout, since load on a shared machine only ever adds time.
        let hasher = PasswordHasher(parameters: parameters, concurrency: 1, queueLimit: 0, waitTimeout: .seconds(5))
        let hash = try hasher.hash("correct horse battery")
        _ = try logIn(uniqueName("warm"))  // makes the dummy hash
        // Interleaved, so that load from other processes meets all three series alike.
        var verifications: [Double] = [], known: [Double] = [], unknown: [Double] = []
        for _ in 0..<5 {
            verifications.append(try seconds { _ = try hasher.verify("wrong password", against: hash) })
            known.append(try logIn(username))
            unknown.append(try logIn(uniqueName("nobody")))
        }
        let verification = verifications.min()!
        #expect(known.min()! > verification * 0.5, "wrong password \(known.min()!) s vs one verification \(verification) s")
        #expect(unknown.min()! > verification * 0.5, "unknown user \(unknown.min()!) s vs one verification \(verification) s")
    }

    @Test("production defaults: argon2id m = 64 MiB, t = 2, p = 1 (≥ OWASP), in the stored string")
    func productionParameters() throws {
        let configuration = try AuthConfiguration.fromEnvironment(["PARLEY_JWT_SECRET": Sodium.randomToken(bytes: 48)])
        #expect(configuration.passwordHashing == .interactive)
        #expect(configuration.passwordHashing.meetsOWASPMinimum)
        let hasher = PasswordHasher(configuration: configuration)
        let hash = try hasher.hash("correct horse battery")
        #expect(hash.hasPrefix("$argon2id$v=19$m=65536,t=2,p=1$"))
        #expect(try hasher.verify("correct horse battery", against: hash))
        #expect(try !hasher.verify("correct horse batterY", against: hash))
        #expect(!hasher.needsRehash(hash))
        #expect(try !hasher.verify("correct horse battery", against: "not-a-usable-hash"))
        #expect(hasher.needsRehash("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA"))

        #expect(throws: ConfigurationError.self) {
            try AuthConfiguration.fromEnvironment(["PARLEY_PASSWORD_HASH_MEMORY_KIB": "8192", "PARLEY_PASSWORD_HASH_ITERATIONS": "1"])
        }
        let custom = try AuthConfiguration.fromEnvironment([
            "PARLEY_PASSWORD_HASH_MEMORY_KIB": "19456", "PARLEY_PASSWORD_HASH_ITERATIONS": "2",
            "PARLEY_PASSWORD_HASH_CONCURRENCY": "3", "PARLEY_LOGIN_FAILURES_PER_ACCOUNT": "7",
            "PARLEY_LOGIN_FAILURES_PER_ADDRESS": "70", "PARLEY_LOGIN_FAILURE_WINDOW_SECONDS": "60",
        ])
        #expect(custom.passwordHashing == PasswordHashingParameters(iterations: 2, memoryBytes: 19456 * 1024))
        #expect(custom.passwordHashConcurrency == 3)
        #expect(custom.passwordHashQueueLimit == 6)
        #expect(custom.loginFailuresPerAccount == 7)
        #expect(custom.loginFailuresPerAddress == 70)
        #expect(custom.loginFailureWindow == .seconds(60))
    }
}
