import Foundation
@testable import ParleyApp
import Testing

/// The byte-level encoders that replaced Foundation's on hot paths must give Foundation's answers.
@Suite("Base64URL, UUID text and ETag fingerprints")
struct TextEncodingTests {
    static func foundationBase64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    @Test("Base64URL encodes as Foundation does (URL alphabet, no padding) and decodes back, for every length 0…96")
    func base64URLRoundTrip() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...96 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Base64URL.encode(bytes)
            #expect(encoded == Self.foundationBase64URL(bytes), "length \(length)")
            #expect(Base64URL.decode(encoded) == bytes, "length \(length)")
        }
        #expect(Base64URL.encode(Array("\u{FB}\u{FF}".utf8)) == "w7vDvw")
    }

    @Test("Base64URL refuses what is not canonical base64url", arguments: ["a", "abcde", "ab=c", "ab+c", "ab/c", "ab c", "é", "AB", "AAB"])
    func base64URLRefuses(text: String) {
        // "AB" and "AAB" leave non-zero bits after the last byte: not what any encoder writes.
        #expect(Base64URL.decode(text) == nil)
    }

    @Test("UUID apiString is Foundation's uuidString in lowercase; UUID(apiString:) reads either case back")
    func uuidText() {
        for _ in 0..<500 {
            let id = UUID()
            #expect(id.apiString == id.uuidString.lowercased())
            #expect(UUID(apiString: id.apiString) == id)
            #expect(UUID(apiString: id.uuidString) == id)
        }
        #expect(UUID(apiString: "00000000-0000-0000-0000-000000000000") == UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
    }

    @Test("UUID(apiString:) refuses what UUID(uuidString:) refuses", arguments: [
        "", "1", "6ba7b810-9dad-11d1-80b4-00c04fd430c", "6ba7b810-9dad-11d1-80b4-00c04fd430c8a", "6ba7b8109dad11d180b400c04fd430c8",
        "6ba7b810-9dad-11d1-80b4_00c04fd430c8", "6ba7b810-9dad-11d1-80b4-00c04fd430cg", " 6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        "{6ba7b810-9dad-11d1-80b4-00c04fd430c8}", "6ba7b810-9dad-11d1-80b4-00c04fd430c８",
    ])
    func uuidRefuses(text: String) {
        #expect(UUID(apiString: text) == nil)
        #expect(UUID(uuidString: text) == nil)
    }

    @Test("ETag fingerprints are 16 bytes, the same for the same body and different for another")
    func fingerprints() {
        let body = Array(#"{"count":1,"results":[]}"#.utf8)
        #expect(Sodium.fingerprint(body).count == 16)
        #expect(Sodium.fingerprint(body) == Sodium.fingerprint(Array(body)))
        #expect(Sodium.fingerprint(body) != Sodium.fingerprint(body + [0x20]))
        // SipHash-2-4-128 under the zero key (libsodium's crypto_shorthash_siphashx24, from C).
        #expect(Sodium.hex(Sodium.fingerprint([])) == "5049d74780a3e07d4202ab47d4cef2f4")
        #expect(Sodium.hex(Sodium.fingerprint(Array("abc".utf8))) == "6c95dec302962fa8ca5e69c1d5d15478")
    }
}
