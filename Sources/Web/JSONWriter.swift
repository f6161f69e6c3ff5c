/// A streaming JSON encoder for `Encodable` values: what ``Response/json(_:status:)`` uses.
///
/// It writes bytes as the value's `encode(to:)` runs, instead of building a tree of boxed
/// values first as Foundation's `JSONEncoder` does, and it needs no per-request set-up. The
/// output is what a `JSONEncoder` with `.withoutEscapingSlashes` and ISO 8601 dates produces
/// (the tests compare the two), with one difference: an object's keys come in the order they
/// were encoded (Foundation's order varies from run to run), so the same value always gives
/// the same bytes.
///
/// Compact; `/` not escaped; dates ISO 8601 with milliseconds (``ISO8601``); `Data` base64;
/// `URL` its absolute string; `Decimal` a number; NaN and infinity throw
/// `EncodingError.invalidValue`, as Foundation's default does. A value whose `encode(to:)`
/// writes nothing is `{}`.
struct JSONWriter {
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        try withThreadOutput { output in
            try output.encodeValue(value, depth: 0)
            output.close(downTo: 0)
        }
    }

    static func encode<T: JSONObjectWritable>(writable value: T) -> [UInt8] {
        withThreadOutput { JSONObjectWriter.write(value, to: $0) }
    }

    static func encode<T: JSONObjectWritable>(writables values: [T]) -> [UInt8] {
        withThreadOutput { output in
            output.bytes.append(UInt8(ascii: "["))
            for index in values.indices {
                if index > 0 { output.bytes.append(UInt8(ascii: ",")) }
                JSONObjectWriter.write(values[index], to: output)
            }
            output.bytes.append(UInt8(ascii: "]"))
        }
    }

    /// Runs `body` on this thread's output and returns what it wrote. One output per thread,
    /// reset between uses (its buffer and stacks keep their capacity): a fresh one costs an
    /// allocation per buffer on every response. A nested encode (a value whose encode(to:)
    /// encodes JSON itself) gets a fresh one. An encode that throws leaves the output
    /// half-written; reset() clears it before reuse.
    @inline(__always)
    private static func withThreadOutput(_ body: (JSONOutput) throws -> Void) rethrows -> [UInt8] {
        let output = JSONOutput.forThisThread()
        defer { JSONOutput.returnToThisThread(output) }
        try body(output)
        return output.bytes.array
    }
}
