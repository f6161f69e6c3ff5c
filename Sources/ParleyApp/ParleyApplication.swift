import Web

/// The composition root of the HTTP application: middleware and every controller's routes.
public enum ParleyApplication {
    /// - Parameter extraRoutes: routes added before the app's own (a test server's).
    public static func build(
        configuration: AppConfiguration, extraRoutes: ((inout Router<AppContext>) -> Void)? = nil
    ) -> Application<AppContext> {
        let signer = JWTSigner(key: configuration.auth.jwtKey)
        var router = Router<AppContext>()
        extraRoutes?(&router)
        HealthController().register(on: &router)
        // The server-rendered pages (`/` included); their templates are checked here, at start-up.
        let pageRoutes: PageRoutes
        do {
            pageRoutes = try PageRoutes(configuration: configuration)
        } catch {
            preconditionFailure("pages: \(error)")
        }
        pageRoutes.register(on: &router)
        if configuration.benchRoutes {
            // `parley serve --bench` only (make bench): the TechEmpower test types.
            do {
                try BenchController.make().register(on: &router)
            } catch {
                preconditionFailure("--bench: \(error)")
            }
        }
        MessagingRoutes(configuration: configuration.messaging).register(on: &router)
        AccountsRoutes.register(on: &router, configuration: configuration.auth, signer: signer)
        OpenAPIController(configuration: configuration).register(on: &router)
        return Application(
            router: router,
            middleware: pageRoutes.middleware + [AuthenticationMiddleware(signer: signer)] + messagingMiddleware(configuration.messaging),
            errorPages: pageRoutes.errorPages,
            jsonErrorPathPrefixes: ["/api"]
        )
    }

    /// After authentication: the chat-hours gate (when configured), then ETags on GETs.
    static func messagingMiddleware(_ configuration: MessagingConfiguration) -> [any Middleware<AppContext>] {
        var middleware: [any Middleware<AppContext>] = []
        if let hours = configuration.closedHours {
            middleware.append(ClosedHoursMiddleware<AppContext>(hours: hours, pathPrefixes: MessagingRoutes.chatPrefixes + PageRoutes.chatPrefixes))
        }
        middleware.append(ConditionalGETMiddleware<AppContext>(pathPrefixes: MessagingRoutes.conditionalGETPrefixes))
        return middleware
    }
}
