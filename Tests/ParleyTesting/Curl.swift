import Foundation

/// An HTTP exchange through curl, as a client outside the server sees it (real TLS, HTTP/2).
public struct CurlResponse {
    public var status: Int
    public var httpVersion: String
    public var headers: [(String, String)]
    public var body: [UInt8]

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    public func header(_ name: String) -> String? {
        headers.last { $0.0.lowercased() == name.lowercased() }?.1
    }
}

public enum Curl {
    /// Runs curl against `url` (self-signed certificates accepted), returning the final response.
    public static func request(_ url: String, method: String = "GET", headers: [String: String] = [:], body: [UInt8]? = nil, extraArguments: [String] = []) throws -> CurlResponse {
        let headerFile = NSTemporaryDirectory() + "curl-headers-\(UUID().uuidString)"
        let bodyFile = NSTemporaryDirectory() + "curl-body-\(UUID().uuidString)"
        let inputFile = NSTemporaryDirectory() + "curl-input-\(UUID().uuidString)"
        defer {
            for file in [headerFile, bodyFile, inputFile] { try? FileManager.default.removeItem(atPath: file) }
        }
        var arguments = ["-s", "-k", "-X", method, "-D", headerFile, "-o", bodyFile, "--max-time", "30"]
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        if let body {
            _ = FileManager.default.createFile(atPath: inputFile, contents: Data(body))
            arguments += ["--data-binary", "@\(inputFile)"]
        }
        arguments += extraArguments + [url]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestEnvironmentError(message: "curl \(url) failed with exit status \(process.terminationStatus)")
        }
        let headText = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
        let body = (try? Data(contentsOf: URL(fileURLWithPath: bodyFile))).map { [UInt8]($0) } ?? []
        // With redirects followed there are several header blocks; the last one is the answer.
        let blocks = headText.components(separatedBy: "\r\n\r\n").filter { !$0.isEmpty }
        let lines = (blocks.last ?? "").components(separatedBy: "\r\n")
        let statusParts = (lines.first ?? "").split(separator: " ")
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return CurlResponse(
            status: statusParts.count > 1 ? Int(statusParts[1]) ?? 0 : 0,
            httpVersion: statusParts.first.map(String.init) ?? "",
            headers: headers,
            body: body
        )
    }
}
