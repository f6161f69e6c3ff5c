import Web

/// `GET /api/openapi.json`: the API's OpenAPI document, built and encoded once when the
/// application is built and served as the same bytes to everyone (no token needed), with a
/// strong `ETag` so a client can revalidate it (`If-None-Match` → 304).
struct OpenAPIController {
    static let path = "/api/openapi.json"

    let body: [UInt8]
    let etag: String

    init(configuration: AppConfiguration) {
        do {
            body = try OpenAPIDocument.build(configuration: configuration).encoded()
        } catch {
            preconditionFailure("the OpenAPI document does not encode: \(error)")
        }
        etag = ConditionalGET.etag(for: body)
    }

    func register(on router: inout Router<AppContext>) {
        let body = body
        let etag = etag
        router.get(Self.path) { request, _ in
            var headers: HTTPHeaders = ["ETag": etag, "Cache-Control": "no-cache"]
            if let wanted = request.headers["If-None-Match"], ConditionalGET.matches(wanted, etag) {
                return Response(status: .notModified, headers: headers)
            }
            headers["Content-Type"] = "application/json"
            return Response(status: .ok, headers: headers, body: body)
        }
    }
}
