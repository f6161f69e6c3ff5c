import Foundation
import Testing
@testable import Web

/// Each thread reuses one writer between responses: nothing of one value may reach the next.
@Suite("JSONWriter reuse across encodes")
struct JSONWriterReuseTests {
    struct Pair: Encodable { let name: String; let values: [Double] }

    /// A value whose encoding encodes another value first (as a nested Response.json would).
    struct Nesting: Encodable {
        func encode(to encoder: any Encoder) throws {
            let inner = try JSON.encode(["inner": [1, 2]])
            var container = encoder.singleValueContainer()
            try container.encode(String(decoding: inner, as: UTF8.self))
        }
    }

    static func text(_ value: some Encodable) throws -> String { String(decoding: try JSON.encode(value), as: UTF8.self) }

    @Test("an encode that throws half-way leaves nothing behind for the next one")
    func afterThrow() throws {
        #expect(throws: EncodingError.self) { try JSON.encode(Pair(name: "bad", values: [1, .nan, 3])) }
        #expect(try Self.text(Pair(name: "ok", values: [1.5])) == #"{"name":"ok","values":[1.5]}"#)
        #expect(try Self.text([1, 2, 3]) == "[1,2,3]")
    }

    @Test("an encode nested in another gets its own writer")
    func nested() throws {
        #expect(try Self.text(["outer": Nesting()]) == #"{"outer":"{\"inner\":[1,2]}"}"#)
        #expect(try Self.text(["after": true]) == #"{"after":true}"#)
    }

    @Test("a large value, then a small one: the small one is whole and alone")
    func largeThenSmall() throws {
        let large = Array(repeating: String(repeating: "x", count: 1000), count: 100)
        #expect(try JSON.encode(large).count == 100 * 1002 + 101)
        #expect(try Self.text("small") == #""small""#)
    }

    @Test("threads encoding at once each get their own answers")
    func concurrent() async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for index in 0..<500 {
                        let value = Pair(name: "w\(worker)-\(index)", values: [Double(index) + 0.5])
                        guard try Self.text(value) == #"{"name":"w\#(worker)-\#(index)","values":[\#(index).5]}"# else { return false }
                    }
                    return true
                }
            }
            for try await ok in group { #expect(ok) }
        }
    }
}
