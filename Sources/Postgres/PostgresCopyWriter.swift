import CLibPQ

/// Writes rows for `PostgresConnection.copyFrom`: each value in PostgreSQL's text format,
/// escaped for COPY (backslash, tab, newline, carriage return…), NULL as `\N`. Rows are sent
/// in chunks of about 64 KiB.
public struct PostgresCopyWriter {
    let connection: PostgresConnection
    let columnCount: Int
    private var buffer: [UInt8] = []
    private var scratch: [UInt8] = []
    /// Rows appended so far.
    public private(set) var rowCount = 0

    static let flushThreshold = 64 * 1024

    init(connection: PostgresConnection, columnCount: Int) {
        self.connection = connection
        self.columnCount = columnCount
        self.buffer.reserveCapacity(Self.flushThreshold + 4096)
    }

    /// Appends one row; the values are the columns, in the order given to `copyFrom`.
    public mutating func appendRow<each Value: PostgresEncodable>(_ values: repeat each Value) throws {
        var count = 0
        for _ in repeat (each Value).self { count += 1 }
        try self.checkCount(count)
        let rowStart = self.buffer.count
        var column = 0
        do {
            for value in repeat each values {
                try self.appendField(value, column: column)
                column += 1
            }
        } catch {
            self.buffer.removeSubrange(rowStart...)
            throw error
        }
        try self.endRow()
    }

    /// Appends one row from values whose types are only known at run time.
    public mutating func appendRow(_ values: [any PostgresEncodable]) throws {
        try self.checkCount(values.count)
        let rowStart = self.buffer.count
        do {
            for (column, value) in values.enumerated() {
                try self.appendField(value, column: column)
            }
        } catch {
            self.buffer.removeSubrange(rowStart...)
            throw error
        }
        try self.endRow()
    }

    private func checkCount(_ count: Int) throws {
        guard count == self.columnCount else {
            throw PostgresError.encoding("COPY row \(self.rowCount + 1) has \(count) values for \(self.columnCount) columns")
        }
    }

    private mutating func appendField(_ value: some PostgresEncodable, column: Int) throws {
        if column > 0 { self.buffer.append(UInt8(ascii: "\t")) }
        if value.isNull {
            self.buffer.append(UInt8(ascii: "\\"))
            self.buffer.append(UInt8(ascii: "N"))
            return
        }
        self.scratch.removeAll(keepingCapacity: true)
        do {
            try value.encodeText(into: &self.scratch)
            try Self.escape(self.scratch, into: &self.buffer)
        } catch {
            let reason = (error as? PostgresError)?.message ?? "\(error)"
            throw PostgresError.encoding("COPY row \(self.rowCount + 1), column \(column + 1): \(reason)")
        }
    }

    private mutating func endRow() throws {
        self.buffer.append(UInt8(ascii: "\n"))
        self.rowCount += 1
        if self.buffer.count >= Self.flushThreshold { try self.flush() }
    }

    /// Escapes a value's text form for COPY's text format.
    static func escape(_ text: [UInt8], into buffer: inout [UInt8]) throws {
        for byte in text {
            switch byte {
            case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "\n"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "t"))
            case 0x08: buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "b"))
            case 0x0B: buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "v"))
            case 0x0C: buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "f"))
            case 0: throw PostgresError.encoding("text contains a NUL character (U+0000), which PostgreSQL text cannot store")
            default: buffer.append(byte)
            }
        }
    }

    mutating func flush() throws {
        guard !self.buffer.isEmpty else { return }
        let status = self.buffer.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) {
                PQputCopyData(self.connection.handle, $0.baseAddress, Int32($0.count))
            }
        }
        guard status == 1 else {
            throw PostgresError.from(result: nil, connection: self.connection.handle, sql: nil, binds: nil)
        }
        self.buffer.removeAll(keepingCapacity: true)
    }
}
