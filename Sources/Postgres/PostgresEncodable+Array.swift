extension Array: PostgresEncodable where Element: PostgresArrayEncodable {
    public static var postgresType: PostgresDataType { Element.postgresArrayType }

    /// One-dimensional array, lower bound 1, in `array_send` format. Inlinable, so a bind of
    /// `[Int32]` is encoded by code specialized for `Int32` (not through witness tables per element).
    @inlinable
    public func encode(into buffer: inout [UInt8]) throws {
        // Room for the header and, for fixed-width elements, every element (one growth at most).
        buffer.reserveCapacity(buffer.count + 20 + self.count * (4 + Swift.min(MemoryLayout<Element>.size, 16)))
        buffer.appendBigEndian(Int32(self.isEmpty ? 0 : 1))  // dimensions
        buffer.appendBigEndian(Int32(0))  // flags: no NULL elements
        buffer.appendBigEndian(Element.postgresType.rawValue)
        guard !self.isEmpty else { return }
        buffer.appendBigEndian(Int32(self.count))
        buffer.appendBigEndian(Int32(1))  // lower bound
        // Integers (int2/int4/int8 arrays, e.g. a batch of ids): every element is a length and
        // the value, written in place (the checks fold away in specialized code).
        if Element.self == Int32.self { return self.appendIntegers(Int32.self, into: &buffer) }
        if Element.self == Int64.self { return self.appendIntegers(Int64.self, into: &buffer) }
        if Element.self == Int.self && MemoryLayout<Int>.size == 8 { return self.appendIntegers(Int64.self, into: &buffer) }
        if Element.self == Int16.self { return self.appendIntegers(Int16.self, into: &buffer) }
        for element in self {
            let lengthAt = buffer.count
            buffer.appendBigEndian(Int32(0))
            try element.encode(into: &buffer)
            let length = Int32(buffer.count - lengthAt - 4)
            buffer.withUnsafeMutableBytes { $0.storeBytes(of: length.bigEndian, toByteOffset: lengthAt, as: Int32.self) }
        }
    }

    /// Appends each element, whose memory holds an `I`, as a 4-byte length and its big-endian bytes.
    @inlinable
    func appendIntegers<I: FixedWidthInteger>(_: I.Type, into buffer: inout [UInt8]) {
        let size = MemoryLayout<I>.size
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: self.count * (4 + size)))
        self.withUnsafeBytes { source in
            buffer.withUnsafeMutableBytes { target in
                var offset = start
                for index in 0..<self.count {
                    target.storeBytes(of: Int32(size).bigEndian, toByteOffset: offset, as: Int32.self)
                    let value = source.loadUnaligned(fromByteOffset: index * size, as: I.self)
                    target.storeBytes(of: value.bigEndian, toByteOffset: offset + 4, as: I.self)
                    offset += 4 + size
                }
            }
        }
    }

    /// `{"a","b \"quoted\""}`: every element quoted, `"` and `\` escaped.
    public func encodeText(into buffer: inout [UInt8]) throws {
        buffer.append(UInt8(ascii: "{"))
        var element = [UInt8]()
        for (index, value) in self.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            element.removeAll(keepingCapacity: true)
            try value.encodeText(into: &element)
            buffer.append(UInt8(ascii: "\""))
            for byte in element {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { buffer.append(UInt8(ascii: "\\")) }
                buffer.append(byte)
            }
            buffer.append(UInt8(ascii: "\""))
        }
        buffer.append(UInt8(ascii: "}"))
    }
}
