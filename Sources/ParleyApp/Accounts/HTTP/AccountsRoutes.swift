import Web

/// Everything of accounts and tokens, registered on the router in one call from the
/// composition root. One ``PasswordHasher`` (and so one hashing concurrency limit) is shared
/// by registration, log-in and the CLI path.
enum AccountsRoutes {
    static func register(on router: inout Router<AppContext>, configuration: AuthConfiguration, signer: JWTSigner) {
        let hasher = PasswordHasher(configuration: configuration)
        AccountsController(hasher: hasher, configuration: configuration).register(on: &router)
        TokenController(hasher: hasher, signer: signer, configuration: configuration).register(on: &router)
        AdminUsersController(hasher: hasher, configuration: configuration).register(on: &router)
    }
}
