import Web

/// Every messaging route, registered on the router in one call from the composition root.
enum MessagingRoutes {
    /// The prefixes the chat-hours gate closes, and that carry ETags (with notifications).
    static let chatPrefixes = ["/api/conversations", "/api/messages"]
    static let conditionalGETPrefixes = chatPrefixes + ["/api/notifications"]

    static func register(on router: inout Router<AppContext>, services: AppServices) {
        ConversationController(services: services).register(on: &router)
        ParticipantController(services: services).register(on: &router)
        MessageController(services: services).register(on: &router)
        NotificationController(services: services).register(on: &router)
    }
}
