import FoundationEssentials

/// A value that writes its JSON object straight into ``JSONWriter``'s output.
///
/// The API's hottest shapes (a page of messages) take this path: `Encodable` through keyed
/// containers costs a container box, a generic metadata lookup and a key's `stringValue` per
/// field (bench/README.md, "API requests"). The value stays `Encodable`, and `writeJSONObject`
/// must write the same JSON as its `encode(to:)` (its tests compare the two).
public protocol JSONObjectWritable: Encodable {
    func writeJSONObject(to object: inout JSONObjectWriter)
}

/// The members of one JSON object, written in order; keys are literals, already valid JSON text.
///
/// Public with package members, as ``ByteBuffer`` is: the generic members are `@inlinable` so
/// that they are specialised in the caller's module. Unspecialised, each call asked the runtime
/// for `Optional<T>` or `Array<T>` metadata (bench/README.md, "API requests").
public struct JSONObjectWriter {
    @usableFromInline let output: JSONOutput
    @usableFromInline var isFirst = true

    @usableFromInline
    init(output: JSONOutput) { self.output = output }

    /// Writes `value`'s object: `{`, its members, `}`.
    @inlinable
    static func write(_ value: some JSONObjectWritable, to output: JSONOutput) {
        output.bytes.append(UInt8(ascii: "{"))
        var object = JSONObjectWriter(output: output)
        value.writeJSONObject(to: &object)
        output.bytes.append(UInt8(ascii: "}"))
    }

    /// `,"name":` (no comma before the first member). `name` needs no escaping.
    @usableFromInline
    mutating func key(_ name: StaticString) {
        let length = name.utf8CodeUnitCount
        let comma = !isFirst
        isFirst = false
        output.bytes.write(maximum: length + 4) { start in
            var at = start
            if comma { at.pointee = UInt8(ascii: ","); at += 1 }
            at.pointee = UInt8(ascii: "\"")
            (at + 1).initialize(from: name.utf8Start, count: length)
            (at + 1 + length).pointee = UInt8(ascii: "\"")
            (at + 2 + length).pointee = UInt8(ascii: ":")
            return at + 3 + length - start
        }
    }

    package mutating func member(_ name: StaticString, _ value: String) {
        key(name)
        output.writeString(value)
    }

    /// A string; `null` when absent.
    package mutating func member(_ name: StaticString, _ value: String?) {
        key(name)
        if let value { output.writeString(value) } else { output.writeNull() }
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
        output.bytes.write(maximum: UUIDText.length + 2) { at in
            at.pointee = UInt8(ascii: "\"")
            UUIDText.write(value, to: at + 1)
            (at + 1 + UUIDText.length).pointee = UInt8(ascii: "\"")
            return UUIDText.length + 2
        }
    }

    /// JSON text written as it is: the caller vouches that it is one valid JSON value.
    package mutating func member(_ name: StaticString, rawJSON: String) {
        key(name)
        var text = rawJSON
        text.withUTF8 { output.bytes.append($0) }
    }

    /// A nested object; `null` when absent.
    @inlinable
    package mutating func member(_ name: StaticString, _ value: (some JSONObjectWritable)?) {
        key(name)
        if let value { Self.write(value, to: output) } else { output.writeNull() }
    }

    /// An array of objects.
    @inlinable
    package mutating func member(_ name: StaticString, _ values: [some JSONObjectWritable]) {
        key(name)
        output.bytes.append(UInt8(ascii: "["))
        // By index: `enumerated()` asked the runtime for its sequence's and iterator's metadata
        // on every array (each conversation's participants, every page's results).
        for index in values.indices {
            if index > 0 { output.bytes.append(UInt8(ascii: ",")) }
            Self.write(values[index], to: output)
        }
        output.bytes.append(UInt8(ascii: "]"))
    }
}

/// UUIDs as lowercase text, the form the API and Django write.
package enum UUIDText {
    package static let length = 36

    /// Writes the 36 bytes of `uuid`'s text at `output`; returns 36. Unrolled: a page of
    /// messages writes some eighty of them.
    @discardableResult
    package static func write(_ uuid: UUID, to output: UnsafeMutablePointer<UInt8>) -> Int {
        let digits = hexDigits.utf8Start
        let bytes = uuid.uuid
        @inline(__always) func put(_ byte: UInt8, at position: Int) {
            output[position] = digits[Int(byte >> 4)]
            output[position + 1] = digits[Int(byte & 0x0F)]
        }
        put(bytes.0, at: 0); put(bytes.1, at: 2); put(bytes.2, at: 4); put(bytes.3, at: 6)
        output[8] = UInt8(ascii: "-")
        put(bytes.4, at: 9); put(bytes.5, at: 11)
        output[13] = UInt8(ascii: "-")
        put(bytes.6, at: 14); put(bytes.7, at: 16)
        output[18] = UInt8(ascii: "-")
        put(bytes.8, at: 19); put(bytes.9, at: 21)
        output[23] = UInt8(ascii: "-")
        put(bytes.10, at: 24); put(bytes.11, at: 26); put(bytes.12, at: 28)
        put(bytes.13, at: 30); put(bytes.14, at: 32); put(bytes.15, at: 34)
        return length
    }

    private static let hexDigits: StaticString = "0123456789abcdef"
}
