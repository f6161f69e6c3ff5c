import Foundation
import Web

/// Foundation's `JSONEncoder`, set to write what ``Web/JSON/encode(_:)`` writes (compact, `/`
/// unescaped, ISO 8601 dates with milliseconds), with keys sorted so its bytes are stable: the
/// oracle the writer's tests compare against, and a second encoder for request bodies in tests.
public enum FoundationJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601.string(from: date))
        }
        return encoder
    }
}
