import Web

/// The composition root of the HTTP application: middleware and every controller's routes.
public enum ParleyApplication {
    public static func build(configuration: AppConfiguration) -> Application<AppContext> {
        let signer = JWTSigner(key: configuration.auth.jwtKey)
        var router = Router<AppContext>()
        HealthController().register(on: &router)
        HomeController().register(on: &router)
        return Application(
            router: router,
            middleware: [AuthenticationMiddleware(signer: signer)]
        )
    }
}
