/// Keys for what the pages sign, derived from the configured JWT key (HMAC with a label per
/// purpose), so every instance behind one nginx agrees on them without another secret to
/// deploy, and a key of one purpose says nothing about another's.
struct PageSecrets: Sendable {
    let csrfKey: [UInt8]
    let flashKey: [UInt8]

    init(masterKey: [UInt8]) {
        csrfKey = Sodium.hmacSHA256(key: masterKey, message: Array("parley/pages/csrf/v1".utf8))
        flashKey = Sodium.hmacSHA256(key: masterKey, message: Array("parley/pages/flash/v1".utf8))
    }
}
