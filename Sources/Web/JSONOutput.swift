import FoundationEssentials
import Glibc

@usableFromInline
final class JSONOutput {
    struct Frame {
        var isObject: Bool
        var count: Int
    }

    /// One step of `codingPath`: no existential per key, since the path is rarely read.
    enum PathComponent {
        case key(String)
        case index(Int)
    }

    struct State {
        var bytes = ByteBuffer(capacity: 1024)
        /// Open containers, innermost last.
        var frames: [Frame] = []
        /// The keys leading to the value being written; `path[i]` is the key in `frames[i]`.
        var path: [PathComponent] = []
        /// After `superEncoder()`: the position where a value must appear before anything else.
        var pendingValue: Int?
    }

    // The state lives behind a pointer: stored properties of a class pay a dynamic exclusivity
    // check on every access, and this object is accessed a dozen times per key.
    private let state: UnsafeMutablePointer<State>

    @usableFromInline
    var bytes: ByteBuffer {
        _read { yield state.pointee.bytes }
        _modify { yield &state.pointee.bytes }
    }

    var frames: [Frame] {
        _read { yield state.pointee.frames }
        _modify { yield &state.pointee.frames }
    }

    var path: [PathComponent] {
        _read { yield state.pointee.path }
        _modify { yield &state.pointee.path }
    }

    var pendingValue: Int? {
        get { state.pointee.pendingValue }
        set { state.pointee.pendingValue = newValue }
    }

    init() {
        state = .allocate(capacity: 1)
        state.initialize(to: State())
        state.pointee.frames.reserveCapacity(8)
        state.pointee.path.reserveCapacity(8)
    }

    /// Ready for the next value: no bytes, no open containers, buffers kept (up to 64 KiB).
    func reset() {
        if state.pointee.bytes.capacityInBytes > 64 * 1024 {
            state.pointee.bytes.deallocate()
            state.pointee.bytes = ByteBuffer(capacity: 1024)
        } else {
            state.pointee.bytes.removeAll()
        }
        state.pointee.frames.removeAll(keepingCapacity: true)
        state.pointee.path.removeAll(keepingCapacity: true)
        state.pointee.pendingValue = nil
    }

    private static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<JSONOutput>.fromOpaque(pointer).release() }
        }
        precondition(status == 0, "pthread_key_create failed")
        return key
    }()

    /// This thread's output, taken out of its slot; a new one when the slot is empty (the
    /// thread's first encode, or one nested in another).
    static func forThisThread() -> JSONOutput {
        guard let pointer = pthread_getspecific(threadKey) else { return JSONOutput() }
        pthread_setspecific(threadKey, nil)
        return Unmanaged<JSONOutput>.fromOpaque(pointer).takeRetainedValue()
    }

    /// Puts `output` in the slot for the next encode, unless the slot was filled meanwhile.
    static func returnToThisThread(_ output: JSONOutput) {
        guard pthread_getspecific(threadKey) == nil else { return }
        output.reset()
        pthread_setspecific(threadKey, Unmanaged.passRetained(output).toOpaque())
    }

    deinit {
        state.pointee.bytes.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    // MARK: - Structure

    /// Closes the containers opened at `depth` and deeper.
    @inline(__always)
    func close(downTo depth: Int) {
        fillPendingValue()
        while frames.count > depth {
            let frame = frames.removeLast()
            bytes.append(frame.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        }
    }

    @inline(__always)
    private func fillPendingValue() {
        if let pending = pendingValue {
            if bytes.count == pending { bytes.appendUTF8("{}") }
            pendingValue = nil
        }
    }

    func open(object: Bool) {
        bytes.append(object ? UInt8(ascii: "{") : UInt8(ascii: "["))
        frames.append(Frame(isObject: object, count: 0))
    }

    /// Before a member of the object at `frames[depth - 1]`: closes what is open inside it, then
    /// writes the comma and the key.
    func beginKey(_ key: some CodingKey, depth: Int) {
        close(downTo: depth)
        if frames[depth - 1].count > 0 { bytes.append(UInt8(ascii: ",")) }
        frames[depth - 1].count += 1
        let name = key.stringValue
        setPath(.key(name), depth: depth)
        writeString(name)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Before an element of the array at `frames[depth - 1]`.
    func beginElement(depth: Int) {
        close(downTo: depth)
        let index = frames[depth - 1].count
        if index > 0 { bytes.append(UInt8(ascii: ",")) }
        frames[depth - 1].count += 1
        setPath(.index(index), depth: depth)
    }

    /// `path` is never shortened: `codingPath(depth:)` reads only its first `depth` entries.
    @inline(__always)
    private func setPath(_ component: PathComponent, depth: Int) {
        if path.count >= depth {
            path[depth - 1] = component
        } else {
            while path.count < depth - 1 { path.append(.index(0)) }
            path.append(component)
        }
    }

    func codingPath(depth: Int) -> [any CodingKey] {
        path.prefix(depth).map { component -> any CodingKey in
            switch component {
            case .key(let name): JSONStringKey(stringValue: name)
            case .index(let index): JSONIndexKey(intValue: index)
            }
        }
    }

    // MARK: - Values

    func encodeValue<T: Encodable>(_ value: T, depth: Int) throws {
        // Exact-type checks (metatype comparisons, no dynamic casts) for the types Foundation
        // treats specially and the scalars that come through the generic entry points.
        if T.self == String.self {
            writeString(unsafeBitCast(value, to: String.self))
        } else if T.self == Int.self {
            writeInteger(unsafeBitCast(value, to: Int.self))
        } else if T.self == Bool.self {
            writeBool(unsafeBitCast(value, to: Bool.self))
        } else if T.self == Date.self {
            writeDate(unsafeBitCast(value, to: Date.self))
        } else if T.self == Double.self {
            try writeFloat(unsafeBitCast(value, to: Double.self), depth: depth)
        } else if T.self == Data.self {
            writeString((value as! Data).base64EncodedString())
        } else if T.self == URL.self {
            writeString((value as! URL).absoluteString)
        } else if T.self == Decimal.self {
            bytes.appendUTF8((value as! Decimal).description)
        } else if let writable = value as? any JSONObjectWritable {
            pendingValue = nil
            JSONObjectWriter.write(writable, to: self)
        } else {
            let start = bytes.count
            try value.encode(to: JSONValueEncoder(output: self, depth: depth))
            close(downTo: depth)
            if bytes.count == start { bytes.appendUTF8("{}") }
        }
    }

    @usableFromInline
    func writeNull() { bytes.appendUTF8("null") }

    func writeBool(_ value: Bool) { bytes.appendUTF8(value ? "true" : "false") }

    func writeInteger<I: FixedWidthInteger>(_ value: I) {
        if value == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var magnitude = value.magnitude
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { digits in
            var start = digits.count
            while magnitude > 0 {
                start -= 1
                let (quotient, remainder) = magnitude.quotientAndRemainder(dividingBy: 10)
                digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: remainder)
                magnitude = quotient
            }
            bytes.append(UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// As Foundation writes them: Swift's shortest representation, without a trailing `.0`.
    func writeFloat<F: BinaryFloatingPoint & CustomStringConvertible>(_ value: F, depth: Int) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, EncodingError.Context(
                codingPath: codingPath(depth: depth),
                debugDescription: "Unable to encode \(F.self).\(value) directly in JSON."))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.appendUTF8(text)
    }

    func writeDate(_ date: Date) {
        bytes.append(UInt8(ascii: "\""))
        ISO8601.append(date, to: &state.pointee.bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    func writeString(_ string: String) {
        JSONString.append(string, to: &state.pointee.bytes)
    }
}
