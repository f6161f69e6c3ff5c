import Foundation
import Testing

@testable import Postgres

@Suite("Text encodings")
struct EncodingTests {
    @Test(
        "COPY text escaping",
        arguments: [
            ("plain", "plain"),
            ("tab\there", "tab\\there"),
            ("line\nbreak", "line\\nbreak"),
            ("cr\rhere", "cr\\rhere"),
            ("back\\slash", "back\\\\slash"),
            ("\\N", "\\\\N"),
            ("emoji 👩‍💻", "emoji 👩‍💻"),
        ])
    func copyEscaping(input: String, expected: String) throws {
        var buffer: [UInt8] = []
        try PostgresCopyWriter.escape(Array(input.utf8), into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == expected)
    }

    @Test("COPY escaping refuses NUL")
    func copyEscapingNul() {
        var buffer: [UInt8] = []
        #expect(throws: PostgresError.self) { try PostgresCopyWriter.escape([0x61, 0, 0x62], into: &buffer) }
    }

    @Test(
        "timestamps render as timestamptz input text",
        arguments: [
            (0.0, "1970-01-01 00:00:00.000000+00"),
            (-14_182_939.5, "1969-07-20 20:17:40.500000+00"),
            (946_684_800.000001, "2000-01-01 00:00:00.000001+00"),
            (253_402_300_799, "9999-12-31 23:59:59.000000+00"),
            (-62_135_596_800, "0001-01-01 00:00:00.000000+00"),
            (-62_135_596_801, "0001-12-31 23:59:59.000000+00 BC"),
        ])
    func timestampText(seconds: Double, expected: String) throws {
        let micros = try PostgresTimestamp.microseconds(from: Date(timeIntervalSince1970: seconds))
        #expect(PostgresTimestamp.text(microseconds: micros) == expected)
    }

    @Test("array text form quotes and escapes every element")
    func arrayText() throws {
        var buffer: [UInt8] = []
        try ["a", "b,c", "d\"e", "f\\g", ""].encodeText(into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == #"{"a","b,c","d\"e","f\\g",""}"#)
    }

    @Test("Double text form keeps special values")
    func doubleText() throws {
        for (value, text) in [(Double.nan, "NaN"), (.infinity, "Infinity"), (-.infinity, "-Infinity"), (0.1, "0.1")] {
            var buffer: [UInt8] = []
            try value.encodeText(into: &buffer)
            #expect(String(decoding: buffer, as: UTF8.self) == text)
        }
    }
}

@Suite("SHA-256")
struct SHA256Tests {
    @Test(
        "known vectors (FIPS 180-4 examples)",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
            ("The quick brown fox jumps over the lazy dog",
             "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"),
        ])
    func vectors(input: String, expected: String) {
        #expect(SHA256.hex(Array(input.utf8)) == expected)
    }

    @Test("lengths around the block boundary")
    func blockBoundaries() {
        // 55, 56 and 64 bytes exercise the padding edge cases.
        #expect(SHA256.hex(Array(repeating: UInt8(ascii: "a"), count: 55)) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(SHA256.hex(Array(repeating: UInt8(ascii: "a"), count: 56)) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        #expect(SHA256.hex(Array(repeating: UInt8(ascii: "a"), count: 64)) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }
}
