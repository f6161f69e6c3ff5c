import Foundation
import ParleyTesting
import Testing
@testable import Web

/// `JSON.encode` (the streaming writer behind `Response.json`) must say what `FoundationJSON.encoder()`
/// (Foundation) says: the same values, the same string escapes and number and date texts.
@Suite("JSONWriter matches Foundation's JSONEncoder")
struct JSONWriterTests {
    struct Sample: Codable, Equatable {
        var id: Int
        var name: String
        var score: Double
        var ratio: Float
        var flag: Bool
        var missing: String?
        var present: Int?
        var when: Date
        var tags: [String]
        var nested: [Inner]
        var map: [String: Int]
        var small: Int8
        var big: UInt64
        var negative: Int64
        var id32: Int32
        var data: Data
        var url: URL
        var empty: [Int]
        var emptyMap: [String: String]
    }

    struct Inner: Codable, Equatable {
        var a: Int
        var b: String?
    }

    /// Custom encode(to:) with explicit nulls, nested containers and a super encoder.
    struct Custom: Encodable {
        enum Keys: String, CodingKey { case one, two, nested, list, parent, none }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(1, forKey: .one)
            try container.encodeNil(forKey: .none)
            var nested = container.nestedContainer(keyedBy: Keys.self, forKey: .nested)
            try nested.encode("x", forKey: .one)
            var list = nested.nestedUnkeyedContainer(forKey: .list)
            try list.encode(1)
            try list.encodeNil()
            var inner = list.nestedContainer(keyedBy: Keys.self)
            try inner.encode(true, forKey: .two)
            try list.encode([1, 2])
            try container.encode("after nested", forKey: .two)
            try Inner(a: 5, b: nil).encode(to: container.superEncoder(forKey: .parent))
            let again = encoder.container(keyedBy: Keys.self)
            _ = again
        }
    }

    struct Nothing: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }

    struct Single: Encodable {
        var value: String
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(value)
        }
    }

    static func foundation<T: Encodable>(_ value: T) throws -> Data {
        try FoundationJSON.encoder().encode(value)
    }

    static func parsed(_ data: Data) throws -> NSObject {
        try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as! NSObject
    }

    static func same<T: Encodable>(_ value: T) throws -> Bool {
        let ours = Data(try JSON.encode(value))
        let theirs = try foundation(value)
        return try parsed(ours) == parsed(theirs)
    }

    @Test("a struct with every kind of field")
    func sample() throws {
        let sample = Sample(
            id: 42, name: "Zoë \"quoted\" \\ / <tag> \u{1} \n\t\r\u{8}\u{c} \u{7f} 日本", score: 0.1 + 0.2, ratio: 1.5, flag: true,
            missing: nil, present: 7, when: Date(timeIntervalSince1970: 1_795_681_045.769),
            tags: ["a", "", "c"], nested: [Inner(a: 1, b: "x"), Inner(a: 2, b: nil)],
            map: ["k": 1, "other key": 2], small: -8, big: .max, negative: .min, id32: -32,
            data: Data([0, 1, 2, 250]), url: URL(string: "https://example.org/a?b=c")!, empty: [], emptyMap: [:])
        #expect(try Self.same(sample))
        #expect(try Self.same([sample, sample]))
        // Keys in declaration order, always.
        let text = String(decoding: try JSON.encode(Inner(a: 1, b: "x")), as: UTF8.self)
        #expect(text == #"{"a":1,"b":"x"}"#)
    }

    @Test("custom encode(to:) with nested containers, nulls and a super encoder")
    func custom() throws {
        #expect(try Self.same(Custom()))
        #expect(try Self.same([Custom(), Custom()]))
    }

    @Test("fragments and edge values", arguments: [
        "", "plain", "quote\"", "back\\slash", "slash/", "ctl\u{0}\u{1f}", "ctl\u{8}\u{c}\u{7f}", "emoji 🎉", "\u{2028}",
    ])
    func strings(value: String) throws {
        #expect(try JSON.encode(value) == Array(try Self.foundation(value)))
        #expect(Array(JSONString.quoted(value).utf8) == Array(try Self.foundation(value)))
        #expect(try JSON.encode(Single(value: value)) == Array(try Self.foundation(Single(value: value))))
    }

    /// The escaper skips eight bytes at a time: every ASCII byte, at every position of a word
    /// and across the boundary of two, must still be escaped as Foundation escapes it.
    @Test("every ASCII byte at every position of a word")
    func wordAtATimeEscaping() throws {
        for byte in UInt8(0)..<128 {
            for position in 0..<19 {
                var bytes = Array(repeating: UInt8(ascii: "a"), count: 19)
                bytes[position] = byte
                if position.isMultiple(of: 2), position < 18 { bytes[position + 1] = byte }  // and pairs across words
                let value = String(decoding: bytes, as: UTF8.self)
                #expect(Array(JSONString.quoted(value).utf8) == Array(try Self.foundation(value)), "byte \(byte) at \(position)")
            }
        }
        let mixed = "ünïcödé 🎉 with \"quotes\" and \\ and \u{1} in the middle of a longer body of text"
        #expect(Array(JSONString.quoted(mixed).utf8) == Array(try Self.foundation(mixed)))
    }

    @Test("numbers as Foundation writes them", arguments: [
        0.0, 1.0, -1.0, 0.1, 1e-7, 1e21, 123456789.125, -0.0, 2.5e-300, 1.7976931348623157e308,
    ])
    func doubles(value: Double) throws {
        #expect(try JSON.encode(value) == Array(try Self.foundation(value)))
        #expect(try JSON.encode([value]) == Array(try Self.foundation([value])))
    }

    @Test("integers at the edges")
    func integers() throws {
        #expect(try JSON.encode([Int.min, -1, 0, 1, Int.max]) == Array(try Self.foundation([Int.min, -1, 0, 1, Int.max])))
        #expect(try JSON.encode([UInt64.max]) == Array(try Self.foundation([UInt64.max])))
    }

    @Test("NaN and infinity are refused, as by Foundation")
    func nonFinite() {
        #expect(throws: EncodingError.self) { try JSON.encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try JSON.encode(["x": Double.infinity]) }
    }

    @Test("a value that encodes nothing is an empty object")
    func nothing() throws {
        #expect(try JSON.encode(Nothing()) == Array("{}".utf8))
        #expect(try Self.same(["a": Nothing()]))
    }

    @Test("dates: the same text as ISO8601DateFormatter, to the millisecond")
    func dates() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var generator = SystemRandomNumberGenerator()
        var dates = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -0.0005), Date(timeIntervalSince1970: -1),
            Date(timeIntervalSince1970: 951_782_400), Date(timeIntervalSince1970: 1_795_681_045.769),
            Date(timeIntervalSince1970: 1_795_681_045.9999), Date(timeIntervalSince1970: 4_102_444_799.999),
            Date(timeIntervalSinceReferenceDate: 0), Date(timeIntervalSince1970: -62_135_596_800),
            Date(timeIntervalSince1970: 253_402_300_799.999),
        ]
        for _ in 0..<20_000 {
            dates.append(Date(timeIntervalSince1970: Double.random(in: -3e9...5e9, using: &generator)))
            dates.append(Date(timeIntervalSince1970: Double(Int.random(in: 0...4_000_000_000, using: &generator)) + Double(Int.random(in: 0...999, using: &generator)) / 1000))
        }
        for date in dates {
            #expect(ISO8601.string(from: date) == formatter.string(from: date), "\(date.timeIntervalSince1970)")
        }
        #expect(try JSON.encode(dates[4]) == Array(try Self.foundation(dates[4])))
    }
}
