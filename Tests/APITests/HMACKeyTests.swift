@testable import ParleyApp
import Testing

/// Tokens, CSRF tokens and flash cookies are signed with a key whose padded blocks are hashed
/// once; each MAC must still be RFC 4231's HMAC-SHA256, however often the key is used.
@Suite("HMAC-SHA256 keys")
struct HMACKeyTests {
    @Test("RFC 4231 test cases 2 and 6 (a key longer than a block), each key used three times")
    func rfc4231() {
        let cases: [(key: [UInt8], message: String, mac: String)] = [
            (Array("Jefe".utf8), "what do ya want for nothing?",
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
            ([UInt8](repeating: 0xaa, count: 131), "Test Using Larger Than Block-Size Key - Hash Key First",
             "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ]
        for test in cases {
            let key = HMACKey(test.key)
            for _ in 0..<3 {
                #expect(Sodium.hex(key.authenticate(test.message.utf8)) == test.mac)
                #expect(Sodium.hex(key.authenticate(Array(test.message.utf8)[...])) == test.mac)
            }
            #expect(Sodium.hex(Sodium.hmacSHA256(key: test.key, message: Array(test.message.utf8))) == test.mac)
        }
    }
}
