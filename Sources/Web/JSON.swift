import FoundationEssentials

/// JSON in and out. Dates are ISO 8601 with fractional seconds and a time zone.
public enum JSON {
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = ISO8601.date(from: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "Expected an ISO 8601 date with a time zone.")
            }
            return date
        }
        return decoder
    }
}

extension JSON {
    /// `value` as compact JSON bytes, with an object's keys in the order they were encoded (see
    /// ``JSONWriter``): the one JSON writer.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        try JSONWriter.encode(value)
    }

    /// A value that writes its own members: the same bytes as through `Encodable`, without the
    /// dynamic cast that finds ``JSONObjectWritable`` at run time.
    public static func encode<T: JSONObjectWritable>(_ value: T) -> [UInt8] {
        JSONWriter.encode(writable: value)
    }

    /// An array of them (the `/queries` rows): no unkeyed container, and no dynamic cast per
    /// element (bench/README.md, "TechEmpower routes").
    public static func encode<T: JSONObjectWritable>(_ values: [T]) -> [UInt8] {
        JSONWriter.encode(writables: values)
    }
}
