@testable import ParleyAppTesting
import Foundation
@testable import ParleyApp
import Web

/// One hostile value, with a short name for reports (the 10 kB one would drown them).
struct ExtremeValue: CustomStringConvertible, Sendable {
    let label: String
    let text: String

    init(_ label: String, _ text: String) {
        self.label = label
        self.text = text
    }

    init(_ text: String) {
        self.init(text, text)
    }

    var description: String { label == text ? "\"\(text)\"" : "\(label) (\(text.utf8.count) bytes)" }

    static let tenKilobytesOfDigits = String(repeating: "9", count: 10_240)

    /// Numbers at and past the ends of Int64, the ones that are no number at all, and nothing.
    static let numbers: [ExtremeValue] = [
        ExtremeValue("9223372036854775807"),
        ExtremeValue("-9223372036854775808"),
        ExtremeValue("9223372036854775808"),
        ExtremeValue("-9223372036854775809"),
        ExtremeValue("18446744073709551616"),
        ExtremeValue("-1"),
        ExtremeValue("0"),
        ExtremeValue("-0"),
        ExtremeValue("1e400"),
        ExtremeValue("NaN"),
        ExtremeValue("10 kB of digits", tenKilobytesOfDigits),
        ExtremeValue(""),
    ]

    /// Dates past what Python's datetime reads (years 1…9999) and past PostgreSQL's timestamptz.
    static let dates: [ExtremeValue] = [
        ExtremeValue("99999-01-01"),
        ExtremeValue("-0005-01-01"),
        ExtremeValue("0000-01-01"),
        ExtremeValue("99999-01-01T00:00:00Z"),
        ExtremeValue("+99999-01-01T00:00:00Z"),
        ExtremeValue("-0005-01-01T00:00:00Z"),
        ExtremeValue("-5000-01-01T00:00:00Z"),
        ExtremeValue("300000-01-01T00:00:00Z"),
        ExtremeValue("0001-01-01T00:00:00+14:00"),
        ExtremeValue("9999-12-31T23:59:59-14:00"),
        ExtremeValue("9999-12-31"),
    ]

    /// What query strings, paths, headers and form fields get: the numbers, then the dates.
    static let text = numbers + dates

    /// JSON tokens for a body field (raw JSON text, so also what JSON itself cannot say).
    static let json: [ExtremeValue] = [
        ExtremeValue("9223372036854775807"),
        ExtremeValue("-9223372036854775808"),
        ExtremeValue("9223372036854775808"),
        ExtremeValue("18446744073709551616"),
        ExtremeValue("-1"),
        ExtremeValue("0"),
        ExtremeValue("-0"),
        ExtremeValue("0.5"),
        ExtremeValue("1e400"),
        ExtremeValue("-1e400"),
        ExtremeValue("1e-400"),
        ExtremeValue("NaN"),
        ExtremeValue("Infinity"),
        ExtremeValue("10 kB of digits", tenKilobytesOfDigits),
        ExtremeValue(#""""#),
        ExtremeValue(#""9223372036854775808""#),
        ExtremeValue("null"),
    ]
}

/// Sends requests and keeps every answer that is not a 2xx, 3xx or 4xx, with what was sent
/// where: `GET /api/conversations/?page=… [query page = "9223372036854775807"] → 500 …`.
final class ExtremeInputProbe {
    struct Finding: CustomStringConvertible {
        let request: String
        let place: String
        let value: ExtremeValue
        let status: Int
        let body: String

        var description: String { "\(request) [\(place) = \(value)] → \(status) \(body)" }
    }

    typealias Send = (_ method: HTTPMethod, _ uri: String, _ body: [UInt8]?, _ headers: [String: String]) throws -> TestResponse

    let send: Send
    private(set) var findings: [Finding] = []
    private(set) var requests = 0
    /// How many answers had each status: a walk whose answers are all 401 or 403 judged
    /// the log-in check, not the input.
    private(set) var statuses: [Int: Int] = [:]

    init(send: @escaping Send) {
        self.send = send
    }

    /// Sends one request; a 5xx (or anything below 200) is recorded, not thrown.
    @discardableResult
    func probe(_ method: HTTPMethod, _ uri: String, body: [UInt8]? = nil, headers: [String: String] = [:], place: String, value: ExtremeValue) throws -> TestResponse {
        let response = try send(method, uri, body, headers)
        requests += 1
        statuses[response.status, default: 0] += 1
        if response.status >= 500 || response.status < 200 {
            let shownURI = uri.count > 160 ? String(uri.prefix(160)) + "…" : uri
            findings.append(Finding(request: "\(method.rawValue) \(shownURI)", place: place, value: value, status: response.status, body: String(response.text.prefix(200))))
        }
        return response
    }

    /// A report of the findings, one per line.
    var report: String {
        findings.map(\.description).joined(separator: "\n")
    }

    /// `value` as one query-string or path component.
    static func escaped(_ value: String) -> String {
        URLEncodedForm(pairs: [(name: "x", value: value)]).encoded.dropFirst(2).description
    }
}

/// The operations of an OpenAPI document, with what a client can put in each: query, header
/// and path parameters and the properties of a JSON body.
struct DocumentedOperation: CustomStringConvertible {
    let method: HTTPMethod
    /// `/api/messages/{id}/`.
    let path: String
    var queryParameters: [String] = []
    var headerParameters: [String] = []
    var pathParameters: [String] = []
    /// The JSON body's properties and their schemas; nil when the operation takes no body.
    var bodyProperties: [String: [String: Any]]?

    var description: String { "\(method.rawValue) \(path)" }

    /// `path` with each `{name}` replaced.
    func uri(_ value: (String) -> String) -> String {
        var result = path
        for name in pathParameters { result = result.replacingOccurrences(of: "{\(name)}", with: value(name)) }
        return result
    }

    static func all(in document: [String: Any]) -> [DocumentedOperation] {
        let paths = document["paths"] as? [String: Any] ?? [:]
        var operations: [DocumentedOperation] = []
        for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
            let item = item as? [String: Any] ?? [:]
            let shared = item["parameters"] as? [Any] ?? []
            for (key, value) in item.sorted(by: { $0.key < $1.key }) where OpenAPIFixture.operationKeys.contains(key) {
                let operation = value as? [String: Any] ?? [:]
                var documented = DocumentedOperation(method: HTTPMethod(rawValue: key), path: path)
                for parameter in shared + (operation["parameters"] as? [Any] ?? []) {
                    let resolved = OpenAPIFixture.resolve(parameter, in: document)
                    guard let name = resolved["name"] as? String else { continue }
                    switch resolved["in"] as? String {
                    case "query": documented.queryParameters.append(name)
                    case "header": documented.headerParameters.append(name)
                    case "path": documented.pathParameters.append(name)
                    default: break
                    }
                }
                if let requestBody = operation["requestBody"] {
                    let content = OpenAPIFixture.resolve(requestBody, in: document)["content"] as? [String: Any]
                    let schema = OpenAPIFixture.resolve((content?["application/json"] as? [String: Any])?["schema"], in: document)
                    var properties: [String: [String: Any]] = [:]
                    for (name, property) in schema["properties"] as? [String: Any] ?? [:] {
                        properties[name] = OpenAPIFixture.resolve(property, in: document)
                    }
                    documented.bodyProperties = properties
                }
                operations.append(documented)
            }
        }
        return operations
    }
}

/// JSON bodies built from a schema: a plausible value for every property, one of them replaced
/// by a raw JSON token.
enum ExtremeJSONBody {
    /// `{"a": <sample>, "b": <raw>, …}` as bytes (keys sorted).
    static func bytes(_ properties: [String: [String: Any]], replacing target: String?, with raw: String, sample: (String, [String: Any]) -> Any) -> [UInt8] {
        let members = properties.keys.sorted().map { name -> String in
            let value = name == target ? raw : text(sample(name, properties[name]!))
            return "\(text(name)): \(value)"
        }
        return Array("{\(members.joined(separator: ", "))}".utf8)
    }

    /// A value as JSON text.
    static func text(_ value: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The schema's (first) type: 3.1 allows `["string", "null"]`.
    static func type(of schema: [String: Any]) -> String? {
        if let type = schema["type"] as? String { return type }
        return (schema["type"] as? [String])?.first { $0 != "null" }
    }
}
