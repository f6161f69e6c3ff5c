import Foundation

/// A value that writes its JSON object straight into ``JSONWriter``'s output.
///
/// The API's hottest shapes (a page of messages) take this path: `Encodable` through keyed
/// containers costs a container box, a generic metadata lookup and a key's `stringValue` per
/// field (bench/README.md, "API requests"). The value stays `Encodable`, and its bytes through
/// `writeJSONObject` must equal those of its `encode(to:)` (its tests compare the two).
package protocol JSONObjectWritable: Encodable {
    func writeJSONObject(to object: inout JSONObjectWriter)
}

/// The members of one JSON object, written in order; keys are literals, already valid JSON text.
package struct JSONObjectWriter {
    private let output: JSONOutput
    private var isFirst = true

    init(output: JSONOutput) { self.output = output }

    /// Writes `value`'s object: `{`, its members, `}`.
    static func write(_ value: some JSONObjectWritable, to output: JSONOutput) {
        output.bytes.append(UInt8(ascii: "{"))
        var object = JSONObjectWriter(output: output)
        value.writeJSONObject(to: &object)
        output.bytes.append(UInt8(ascii: "}"))
    }

    /// `,"name":` (no comma before the first member). `name` needs no escaping.
    private mutating func key(_ name: StaticString) {
        if isFirst { isFirst = false } else { output.bytes.append(UInt8(ascii: ",")) }
        output.bytes.append(UInt8(ascii: "\""))
        output.bytes.appendLiteral(name)
        output.bytes.appendLiteral("\":")
    }

    package mutating func member(_ name: StaticString, _ value: String) {
        key(name)
        output.writeString(value)
    }

    package mutating func member(_ name: StaticString, _ value: Bool) {
        key(name)
        output.writeBool(value)
    }

    package mutating func member(_ name: StaticString, _ value: Int) {
        key(name)
        output.writeInteger(value)
    }

    package mutating func member(_ name: StaticString, _ value: Date?) {
        key(name)
        if let value { output.writeDate(value) } else { output.writeNull() }
    }

    /// A UUID as the API writes it: lowercase, in quotes; `null` when absent.
    package mutating func member(_ name: StaticString, _ value: UUID?) {
        key(name)
        guard let value else { return output.writeNull() }
        output.bytes.append(UInt8(ascii: "\""))
        output.bytes.write(maximum: UUIDText.length) { UUIDText.write(value, to: $0) }
        output.bytes.append(UInt8(ascii: "\""))
    }

    /// A nested object; `null` when absent.
    package mutating func member(_ name: StaticString, _ value: (some JSONObjectWritable)?) {
        key(name)
        if let value { Self.write(value, to: output) } else { output.writeNull() }
    }

    /// An array of objects.
    package mutating func member(_ name: StaticString, _ values: [some JSONObjectWritable]) {
        key(name)
        output.bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { output.bytes.append(UInt8(ascii: ",")) }
            Self.write(value, to: output)
        }
        output.bytes.append(UInt8(ascii: "]"))
    }
}

/// UUIDs as lowercase text, the form the API and Django write.
package enum UUIDText {
    package static let length = 36

    /// Writes the 36 bytes of `uuid`'s text at `output`; returns 36.
    @discardableResult
    package static func write(_ uuid: UUID, to output: UnsafeMutablePointer<UInt8>) -> Int {
        withUnsafeBytes(of: uuid.uuid) { raw in
            var out = 0
            for index in 0..<16 {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    output[out] = UInt8(ascii: "-")
                    out += 1
                }
                let byte = raw[index]
                output[out] = hexDigit(byte >> 4)
                output[out + 1] = hexDigit(byte & 0x0F)
                out += 2
            }
        }
        return length
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") &+ value : UInt8(ascii: "a") &+ value &- 10
    }
}
