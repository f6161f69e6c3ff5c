/// Renders an HTML error page. The default is a small page that names no site; the application
/// can name itself and its stylesheet (``plain(siteName:stylesheet:)``), or supply its own
/// renderer (templates).
public struct ErrorPageRenderer: Sendable {
    public let render: @Sendable (HTTPStatus, String, Request) -> String

    public init(render: @escaping @Sendable (HTTPStatus, String, Request) -> String) {
        self.render = render
    }

    /// A page with the status and the message; with a site name, in the title and a header that
    /// links to `/`; with a stylesheet, linked from the head.
    public static func plain(siteName: String? = nil, stylesheet: String? = nil) -> ErrorPageRenderer {
        let titleSuffix = siteName.map { " · \($0.htmlEscaped)" } ?? ""
        let stylesheetLink = stylesheet.map { "<link rel=\"stylesheet\" href=\"\($0.htmlEscaped)\">\n" } ?? ""
        let header = siteName.map { "<header class=\"site-header\"><a class=\"brand\" href=\"/\">\($0.htmlEscaped)</a></header>\n" } ?? ""
        return ErrorPageRenderer { status, message, _ in
            """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(status.code) \(status.reasonPhrase.htmlEscaped)\(titleSuffix)</title>
            \(stylesheetLink)</head>
            <body>
            \(header)<main class="error-page">
            <h1>\(status.code) \(status.reasonPhrase.htmlEscaped)</h1>
            <p>\(message.htmlEscaped)</p>
            <p><a href="/">Back to the start page</a></p>
            </main>
            </body>
            </html>

            """
        }
    }
}
