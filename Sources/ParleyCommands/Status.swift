import ArgumentParser
import FastCGI

/// `parley status`: the status page, read over FastCGI from the socket itself, so an operator
/// can see it without nginx (as `cgi-fcgi` would fetch PHP-FPM's).
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the running server's status page, read from its FastCGI socket.",
        discussion: """
            Example:
              parley status --listen .data/run/parley.sock --full
            """)

    @Option(help: "The socket of the running `parley serve`. [env: PARLEY_LISTEN] (default: /run/parley/parley.sock)")
    var listen: String?

    @Flag(help: "As JSON.") var json = false
    @Flag(help: "One entry per worker thread as well.") var full = false
    @Flag(help: "Prometheus/OpenMetrics text exposition.") var openmetrics = false
    @Flag(help: "Only ask /ping (answers pong).") var ping = false

    func run() throws {
        let text = Environment.string(listen, "PARLEY_LISTEN") ?? "/run/parley/parley.sock"
        let client: FastCGIClient
        switch ListenAddress(parsing: text) {
        case .unix(let path)?:
            client = try FastCGIClient(unixPath: path)
        case .tcp(let host, let port)?:
            client = try FastCGIClient(host: host == "localhost" ? "127.0.0.1" : host, port: port)
        default:
            throw ValidationError("Cannot reach \"\(text)\": give the socket path or HOST:PORT of `parley serve`.")
        }
        let query = [json ? "json" : nil, full ? "full" : nil, openmetrics ? "openmetrics" : nil].compactMap { $0 }.joined(separator: "&")
        let uri = ping ? "/ping" : "/status" + (query.isEmpty ? "" : "?" + query)
        let response = try client.send(method: "GET", uri: uri)
        guard response.status == 200 else {
            throw ValidationError("\(uri) answered \(response.status): \(response.bodyText)")
        }
        print(response.bodyText, terminator: "")
    }
}
