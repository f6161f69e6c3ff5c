import Web

/// The composition root: every shared object is made here, once per process (the
/// configuration, one password-hashing gate, one template library, the JWT signer, the
/// repository factory), handed to every controller and middleware through ``AppServices``,
/// and the routes are registered.
public enum ParleyApplication {
    /// - Parameter extraRoutes: routes added before the app's own (a test server's).
    public static func build(
        configuration: AppConfiguration, extraRoutes: ((inout Router<AppContext>) -> Void)? = nil
    ) -> Application<AppContext> {
        let services = services(configuration: configuration, hasher: PasswordHasher(configuration: configuration.auth))
        var router = Router<AppContext>()
        extraRoutes?(&router)
        HealthController().register(on: &router)
        // The server-rendered pages (`/` included); their templates are checked here, at start-up.
        let templates: TemplateLibrary
        let pageRoutes: PageRoutes
        do {
            templates = try TemplateLibrary()
            pageRoutes = try PageRoutes(templates: templates, services: services)
        } catch {
            preconditionFailure("pages: \(error)")
        }
        pageRoutes.register(on: &router)
        if configuration.benchRoutes {
            // `parley serve --bench` only (make bench): the TechEmpower test types.
            do {
                try BenchController(templates: templates, services: services).register(on: &router)
            } catch {
                preconditionFailure("--bench: \(error)")
            }
        }
        MessagingRoutes.register(on: &router, services: services)
        AccountsRoutes.register(on: &router, services: services)
        BulkRoutes.register(on: &router, services: services)
        OpenAPIController(configuration: configuration).register(on: &router)
        LiveController(services: services).register(on: &router)
        return Application(
            router: router,
            middleware: [pageRoutes.pageMiddleware, DatabaseUnavailableMiddleware()] + pageRoutes.sessionMiddleware
                + [AuthenticationMiddleware(services: services)] + messagingMiddleware(configuration.messaging)
                + (configuration.replica == nil ? [] : [ReadRoutingMiddleware()]),
            errorPages: pageRoutes.errorPages,
            jsonErrorPathPrefixes: ["/api"]
        )
    }

    /// The services on PostgreSQL around `hasher`, the process's one hashing gate. The one
    /// place that chooses where data lives.
    static func services(configuration: AppConfiguration, hasher: PasswordHasher) -> AppServices {
        AppServices(configuration: configuration, repositories: repositories, hasher: hasher)
    }

    /// Where data lives, for the services and for the bulk commands, which work below them.
    static let repositories: any Repositories = PostgresRepositories()

    /// The services of a command (`parley createuser`, `parley seed`), whose gate is its own:
    /// a command hashes one password at a time, with no requests to share the cores with.
    static func commandServices(configuration: AppConfiguration) -> AppServices {
        let hasher = PasswordHasher(parameters: configuration.auth.passwordHashing, concurrency: 1, queueLimit: 0, waitTimeout: .seconds(60))
        return services(configuration: configuration, hasher: hasher)
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
