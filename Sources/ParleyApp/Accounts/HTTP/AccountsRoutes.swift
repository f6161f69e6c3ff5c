import Web

/// Everything of accounts and tokens, registered on the router in one call from the
/// composition root.
enum AccountsRoutes {
    static func register(on router: inout Router<AppContext>, services: AppServices) {
        AccountsController(services: services).register(on: &router)
        TokenController(services: services).register(on: &router)
        AdminUsersController(services: services).register(on: &router)
    }
}
