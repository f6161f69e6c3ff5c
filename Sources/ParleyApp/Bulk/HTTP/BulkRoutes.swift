import Web

/// The export and statistics routes, registered from the composition root in one call.
enum BulkRoutes {
    static func register(on router: inout Router<AppContext>, services: AppServices) {
        ExportController(services: services).register(on: &router)
    }
}
