import Foundation
import Web

/// Every messaging route, and the services each request gets (built per request on the
/// worker's connection; they are small values).
struct MessagingRoutes {
    let configuration: MessagingConfiguration

    /// The prefixes the chat-hours gate closes, and that carry ETags (with notifications).
    static let chatPrefixes = ["/api/conversations", "/api/messages"]
    static let conditionalGETPrefixes = chatPrefixes + ["/api/notifications"]

    func register(on router: inout Router<AppContext>) {
        ConversationController(routes: self).register(on: &router)
        MessageController(routes: self).register(on: &router)
        NotificationController(routes: self).register(on: &router)
    }

    func store(_ context: AppContext) -> any MessagingStore {
        PostgresMessagingStore(database: context.database)
    }

    func conversations(_ context: AppContext) -> ConversationService {
        ConversationService(store: store(context))
    }

    func messages(_ context: AppContext) -> MessageService {
        MessageService(store: store(context), limiter: RateLimiter(database: context.database), configuration: configuration)
    }

    func notifications(_ context: AppContext) -> NotificationService {
        NotificationService(store: store(context))
    }
}
