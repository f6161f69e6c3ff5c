import Web

/// `GET /healthz`: 200 when this worker reaches PostgreSQL, 503 when it does not.
/// Load balancers and `docker-compose` health checks poll it; it touches no table.
struct HealthController {
    struct Health: Encodable {
        let status: String
        let database: String
    }

    func register(on router: inout Router<AppContext>) {
        router.get("/healthz") { _, context in
            try check(context: context)
        }
    }

    func check(context: AppContext) throws -> Response {
        var response: Response
        if context.database.ping() {
            response = try .json(Health(status: "ok", database: "ok"))
        } else {
            response = try .json(Health(status: "unavailable", database: "unreachable"), status: .serviceUnavailable)
        }
        response.headers["Cache-Control"] = "no-store"
        return response
    }
}
