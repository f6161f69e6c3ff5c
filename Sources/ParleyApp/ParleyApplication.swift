import Web

/// The composition root of the HTTP application: every controller registers its routes here.
public enum ParleyApplication {
    public static func build() -> Application<AppContext> {
        var router = Router<AppContext>()
        HealthController().register(on: &router)
        HomeController().register(on: &router)
        return Application(router: router)
    }
}
