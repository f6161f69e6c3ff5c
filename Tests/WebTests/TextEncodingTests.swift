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

    @Test("ETag fingerprints are the same for the same body and differ for another, trailing zero bytes included")
    func fingerprints() {
        let body = Array(#"{"count":1,"results":[]}"#.utf8)
        #expect(BodyFingerprint.hex(body).count == 32)
        #expect(BodyFingerprint.hex(body) == BodyFingerprint.hex(Array(body)))
        #expect(BodyFingerprint.hex(body) != BodyFingerprint.hex(body + [0x20]))
        // The last block is padded with zeros: the length keeps such bodies apart.
        let zeros = (0...33).map { BodyFingerprint.hex([UInt8](repeating: 0, count: $0)) }
        #expect(Set(zeros).count == zeros.count)
        // From an independent Python implementation of the same steps (wyhash's constants and
        // multiply-and-fold, two lanes): a change to the function changes every client's ETag.
        #expect(BodyFingerprint.hex([]) == "916fe8c833a76f349ece87491b363ebd")
        #expect(BodyFingerprint.hex(Array("abc".utf8)) == "f7d98cf4bbbb38bd21c67b55ec4b9510")
        #expect(BodyFingerprint.hex(body) == "c3f63b4f01f8a2fe76d6bb00d1f2505f")
        #expect(BodyFingerprint.hex((0..<40).map { UInt8($0) }) == "269f809d454f2fdea31875635048b743")
    }
}
