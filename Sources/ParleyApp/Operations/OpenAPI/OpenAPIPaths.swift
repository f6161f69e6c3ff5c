/// `paths`: one entry per route the controllers register under `/api/` (the slashed form of
/// each `router.drf` route), with what each can answer.
enum OpenAPIPaths {
    typealias Value = OpenAPIValue

    // MARK: - Building blocks

    static func schema(_ name: String) -> Value { OpenAPISchemas.ref(name) }
    static func parameter(_ name: String) -> Value { OpenAPIDocument.ref(parameter: name) }
    static func response(_ name: String, _ description: String? = nil) -> Value { OpenAPIDocument.ref(response: name, description) }

    static func body(_ schemaName: String, required: Bool = true) -> Value {
        ["required": .bool(required), "content": OpenAPIDocument.json(schema(schemaName))]
    }

    /// A JSON answer; `etag` adds the conditional-GET headers.
    static func ok(_ description: String, _ schema: Value, etag: Bool = false, headers extra: [String: Value] = [:]) -> Value {
        var headers = extra
        if etag {
            headers["ETag"] = OpenAPIDocument.ref(header: "ETag")
            headers["Cache-Control"] = OpenAPIDocument.ref(header: "CacheControl")
            headers["Vary"] = OpenAPIDocument.ref(header: "Vary")
        }
        var members: [String: Value] = ["description": .string(description), "content": OpenAPIDocument.json(schema)]
        if !headers.isEmpty { members["headers"] = .object(headers) }
        return .object(members)
    }

    static func noContent(_ description: String) -> Value {
        ["description": .string(description)]
    }

    enum Access {
        /// No token needed; a header that is sent must still be valid.
        case anonymous
        case user
        case admin
    }

    static func operation(
        _ id: String, tag: String, _ access: Access, summary: String, description: String? = nil,
        parameters: [Value] = [], body: Value? = nil, responses: [String: Value]
    ) -> Value {
        var responses = responses
        switch access {
        case .anonymous:
            if responses["401"] == nil {
                responses["401"] = response("Unauthorized", "An `Authorization` header was sent and is not a valid access token (leave it out here).")
            }
        case .user:
            if responses["401"] == nil { responses["401"] = response("Unauthorized") }
        case .admin:
            if responses["401"] == nil { responses["401"] = response("Unauthorized") }
            if responses["403"] == nil { responses["403"] = response("Forbidden", "The caller is not an admin.") }
        }
        if body != nil, responses["413"] == nil { responses["413"] = response("ContentTooLarge") }
        var members: [String: Value] = [
            "operationId": .string(id),
            "tags": [.string(tag)],
            "summary": .string(summary),
            "responses": .object(responses),
        ]
        if let description { members["description"] = .string(description) }
        if access == .anonymous { members["security"] = [] }
        if !parameters.isEmpty { members["parameters"] = .array(parameters) }
        if let body { members["requestBody"] = body }
        return .object(members)
    }

    static let pages = [parameter("Page"), parameter("PageSize")]
    static let messageFilters = [
        parameter("Sender"), parameter("StartDate"), parameter("EndDate"), parameter("Ordering"),
        parameter("Page"), parameter("PageSize"), parameter("Keyset"),
    ]
    static let closed = " or the chat is closed (`PARLEY_CHAT_CLOSED_HOURS`)"

    // MARK: - The paths

    static func all(_ configuration: AppConfiguration) -> Value {
        var paths: [String: Value] = [:]
        for group in [accounts(), tokens(), admin(), conversations(), participants(), messages(), notifications(), live(), meta(), export()] {
            paths.merge(group) { _, _ in preconditionFailure("a path is documented twice") }
        }
        return .object(paths)
    }

    static func accounts() -> [String: Value] {
        [
            "/api/register/": [
                "post": operation(
                    "register", tag: "accounts", .anonymous, summary: "Register a new account (role `guest`)",
                    description: "Every field's problems are reported at once. Sign-ups are limited per client address (each costs a slow password hash).",
                    body: body("RegisterRequest"),
                    responses: [
                        "201": ok("The new user.", schema("User")),
                        "400": response("BadRequest", "Missing or invalid fields, or a username or email already taken (`A user with that username already exists.`)."),
                        "429": response("TooManyRequests", "Too many registrations from this client address."),
                        "503": response("ServiceUnavailable"),
                    ]),
            ],
            "/api/users/me/": [
                "get": operation(
                    "retrieveCurrentUser", tag: "accounts", .user, summary: "The caller's profile",
                    responses: ["200": ok("The caller.", schema("User"))]),
                "patch": operation(
                    "updateCurrentUser", tag: "accounts", .user, summary: "Change the caller's profile",
                    description: "Only the fields sent change; each is checked as at registration.",
                    body: body("ProfileUpdate"),
                    responses: [
                        "200": ok("The updated caller.", schema("User")),
                        "400": response("BadRequest", "Invalid fields, a username or email already taken, `null` for a field that cannot be null, or `password` sent."),
                    ]),
                "delete": operation(
                    "deleteCurrentUser", tag: "accounts", .user, summary: "Delete the caller's account",
                    description: "The account goes with its conversation memberships, messages, notifications and tokens; conversations it created stay (`created_by` becomes `null`). Its tokens stop working at once.",
                    responses: ["204": noContent("Deleted.")]),
            ],
            "/api/users/": [
                "get": operation(
                    "listUsers", tag: "accounts", .user, summary: "Find people to talk to",
                    description: "Public fields only, ordered by username.",
                    parameters: [parameter("Search")] + pages,
                    responses: [
                        "200": ok("A page of users.", schema("PaginatedPublicUserList")),
                        "400": response("BadRequest", "`search` too long or containing NUL; `page_size` not a positive whole number."),
                        "404": response("NotFound", "Invalid page."),
                    ]),
            ],
        ]
    }

    static func tokens() -> [String: Value] {
        [
            "/api/token/": [
                "post": operation(
                    "obtainTokenPair", tag: "tokens", .anonymous, summary: "Log in: a JWT access and refresh token",
                    description: "Failed log-ins are limited per account and per client address; a refused one costs no password check.",
                    body: body("LoginRequest"),
                    responses: [
                        "200": ok("A new token pair (a new refresh family).", schema("TokenPair")),
                        "400": response("BadRequest", "`username` (or `email`) or `password` missing or blank, or the password over the byte limit."),
                        "401": response("Unauthorized", "`No active account found with the given credentials` (wrong password or unknown user alike), or an invalid `Authorization` header was sent."),
                        "429": response("TooManyRequests", "Too many failed log-ins for this account or from this address."),
                        "503": response("ServiceUnavailable"),
                    ]),
            ],
            "/api/token/refresh/": [
                "post": operation(
                    "refreshTokenPair", tag: "tokens", .anonymous, summary: "Rotate a refresh token",
                    description: "The refresh token is used up and a new pair of the same family is issued. A refresh token used a second time revokes the whole family, access tokens included. A family ends PARLEY_REFRESH_FAMILY_DAYS (default 30) days after its log-in, however often it is rotated.",
                    body: body("RefreshRequest"),
                    responses: [
                        "200": ok("The new pair.", schema("TokenPair")),
                        "400": response("BadRequest", "`refresh` missing or blank."),
                        "401": response("Unauthorized", "`Token is invalid or expired`: forged, expired, not a refresh token, used up, or revoked; or `This log-in is more than N days old and cannot be refreshed. Log in again.` once the family is past its lifetime."),
                    ]),
            ],
            "/api/token/revoke/": [
                "post": operation(
                    "revokeRefreshToken", tag: "tokens", .anonymous, summary: "Log out: revoke the token's whole family",
                    description: "Accepts an authentic refresh token even once expired; revoking twice is not an error. The family's access tokens stop working too.",
                    body: body("RefreshRequest"),
                    responses: [
                        "204": noContent("Revoked."),
                        "400": response("BadRequest", "`refresh` missing or blank."),
                        "401": response("Unauthorized", "`Token is invalid or expired`: not an authentic refresh token."),
                    ]),
            ],
        ]
    }

    static func admin() -> [String: Value] {
        [
            "/api/admin/users/": [
                "get": operation(
                    "listUsersAsAdmin", tag: "admin", .admin, summary: "Every user, with private fields",
                    parameters: [parameter("Search")] + pages,
                    responses: [
                        "200": ok("A page of users.", schema("PaginatedUserList")),
                        "400": response("BadRequest", "`search` too long or containing NUL; `page_size` not a positive whole number."),
                        "404": response("NotFound", "Invalid page."),
                    ]),
            ],
            "/api/admin/users/{id}/": [
                "parameters": [parameter("UserID")],
                "get": operation(
                    "retrieveUserAsAdmin", tag: "admin", .admin, summary: "One user",
                    responses: [
                        "200": ok("The user.", schema("User")),
                        "404": response("NotFound"),
                    ]),
                "patch": operation(
                    "updateUserRole", tag: "admin", .admin, summary: "Change a user's role",
                    body: body("RoleUpdate"),
                    responses: [
                        "200": ok("The updated user.", schema("User")),
                        "400": response("BadRequest", "`role` missing, null or not a valid choice, or the admin's own role."),
                        "404": response("NotFound"),
                    ]),
            ],
        ]
    }

    static func conversations() -> [String: Value] {
        [
            "/api/conversations/": [
                "get": operation(
                    "listConversations", tag: "conversations", .user, summary: "The caller's conversations",
                    description: "Most recent activity first.",
                    parameters: pages + [parameter("IfNoneMatch")],
                    responses: [
                        "200": ok("A page of conversations.", schema("PaginatedConversationList"), etag: true),
                        "304": response("NotModified"),
                        "400": response("BadRequest", "`page_size` is not a positive whole number."),
                        "403": response("Forbidden", "The chat is closed (`PARLEY_CHAT_CLOSED_HOURS`)."),
                        "404": response("NotFound", "Invalid page."),
                    ]),
                "post": operation(
                    "createConversation", tag: "conversations", .user, summary: "Start a conversation",
                    body: body("ConversationCreate"),
                    responses: [
                        "201": ok("The new conversation.", schema("Conversation")),
                        "400": response("BadRequest", "`participant_ids` missing, not UUIDs, or naming no user; `title` too long."),
                        "403": response("Forbidden", "The chat is closed (`PARLEY_CHAT_CLOSED_HOURS`)."),
                    ]),
            ],
            "/api/conversations/{id}/": [
                "parameters": [parameter("ConversationID")],
                "get": operation(
                    "retrieveConversation", tag: "conversations", .user, summary: "One conversation",
                    parameters: [parameter("IfNoneMatch")],
                    responses: [
                        "200": ok("The conversation.", schema("Conversation"), etag: true),
                        "304": response("NotModified"),
                        "403": response("Forbidden", "The caller is not a participant (admins included)\(closed)."),
                        "404": response("NotFound"),
                    ]),
                "delete": operation(
                    "deleteConversation", tag: "conversations", .user, summary: "Delete a conversation",
                    description: "With its messages and notifications. Its creator or an admin only.",
                    responses: [
                        "204": noContent("Deleted."),
                        "403": response("Forbidden", "The caller is neither its creator nor an admin\(closed)."),
                        "404": response("NotFound"),
                    ]),
            ],
            "/api/conversations/{id}/read/": [
                "parameters": [parameter("ConversationID")],
                "post": operation(
                    "markConversationRead", tag: "conversations", .user, summary: "Mark everything in it read",
                    description: "The unread count drops to 0 and the conversation's notifications are marked read too. No body.",
                    responses: [
                        "200": ok("The new read mark.", schema("ReadMark")),
                        "403": response("Forbidden", "The caller is not a participant\(closed)."),
                        "404": response("NotFound"),
                    ]),
            ],
            "/api/conversations/{id}/messages/": [
                "parameters": [parameter("ConversationID")],
                "get": operation(
                    "listConversationMessages", tag: "messages", .user, summary: "A conversation's messages",
                    parameters: messageFilters + [parameter("IfNoneMatch")],
                    responses: [
                        "200": ok("A page of messages: page-number pages, or cursor pages with `after`/`before`.", messageListing, etag: true),
                        "304": response("NotModified"),
                        "400": response("BadRequest", "A malformed `sender`, `start_date`, `end_date`, `ordering` or `page_size`, or both `after` and `before`."),
                        "403": response("Forbidden", "The caller is not a participant\(closed)."),
                        "404": response("NotFound", "No such conversation, `Invalid page.` or `Invalid cursor.`"),
                    ]),
                "post": operation(
                    "createMessage", tag: "messages", .user, summary: "Post a message",
                    description: "Sent as the caller; every other participant gets a notification. Checks in order: the conversation (404/403), a replayed `Idempotency-Key`, the body (400), the rate limit (429), the parent (400).",
                    parameters: [parameter("IdempotencyKey")],
                    body: body("MessageCreate"),
                    responses: [
                        "201": ok("The new message (or, with `Idempotent-Replayed: true`, the first answer to this key).", schema("Message"),
                                  headers: ["Idempotent-Replayed": OpenAPIDocument.ref(header: "IdempotentReplayed")]),
                        "400": response("BadRequest", "`message_body` missing, blank, too long or containing NUL; `parent_message` not a UUID, unknown or of another conversation; a bad `Idempotency-Key`."),
                        "403": response("Forbidden", "The caller is not a participant\(closed)."),
                        "404": response("NotFound"),
                        "422": ["description": "This `Idempotency-Key` was already used for a different request.", "content": OpenAPIDocument.json(schema("Detail"))],
                        "429": response("TooManyRequests", "Too many messages from this user."),
                    ]),
            ],
        ]
    }

    static let messageListing: Value = ["anyOf": [schema("PaginatedMessageList"), schema("CursorMessageList")]]

    static func messages() -> [String: Value] {
        [
            "/api/messages/": [
                "get": operation(
                    "listMessages", tag: "messages", .user, summary: "Messages of every conversation the caller is in",
                    parameters: [parameter("ConversationFilter")] + messageFilters + [parameter("IfNoneMatch")],
                    responses: [
                        "200": ok("A page of messages: page-number pages, or cursor pages with `after`/`before`.", messageListing, etag: true),
                        "304": response("NotModified"),
                        "400": response("BadRequest", "A malformed `conversation`, `sender`, `start_date`, `end_date`, `ordering` or `page_size`, or both `after` and `before`."),
                        "403": response("Forbidden", "The chat is closed (`PARLEY_CHAT_CLOSED_HOURS`)."),
                        "404": response("NotFound", "`Invalid page.` or `Invalid cursor.`"),
                    ]),
            ],
            "/api/messages/{id}/": [
                "parameters": [parameter("MessageID")],
                "get": operation(
                    "retrieveMessage", tag: "messages", .user, summary: "One message",
                    parameters: [parameter("IfNoneMatch")],
                    responses: [
                        "200": ok("The message.", schema("Message"), etag: true),
                        "304": response("NotModified"),
                        "403": response("Forbidden", "The caller is not in its conversation\(closed)."),
                        "404": response("NotFound"),
                    ]),
                "patch": operation(
                    "updateMessage", tag: "messages", .user, summary: "Edit a message (its sender only)",
                    description: "The earlier body is kept in the history. The same body again changes nothing.",
                    body: body("MessageUpdate"),
                    responses: [
                        "200": ok("The message.", schema("Message")),
                        "400": response("BadRequest", "`message_body` blank, too long or containing NUL."),
                        "403": response("Forbidden", "The caller is not its sender\(closed)."),
                        "404": response("NotFound"),
                    ]),
                "delete": operation(
                    "deleteMessage", tag: "messages", .user, summary: "Delete a message (its sender only)",
                    description: "With its history and notifications; replies to it stay, as top-level messages.",
                    responses: [
                        "204": noContent("Deleted."),
                        "403": response("Forbidden", "The caller is not its sender\(closed)."),
                        "404": response("NotFound"),
                    ]),
            ],
            "/api/messages/{id}/history/": [
                "parameters": [parameter("MessageID")],
                "get": operation(
                    "listMessageHistory", tag: "messages", .user, summary: "A message's earlier versions, oldest first",
                    parameters: [parameter("IfNoneMatch")],
                    responses: [
                        "200": ok("Every earlier version (not paginated).", OpenAPISchemas.array(schema("MessageEdit")), etag: true),
                        "304": response("NotModified"),
                        "403": response("Forbidden", "The caller is not in its conversation\(closed)."),
                        "404": response("NotFound"),
                    ]),
            ],
            "/api/messages/{id}/thread/": [
                "parameters": [parameter("MessageID")],
                "get": operation(
                    "retrieveMessageThread", tag: "messages", .user, summary: "A message and every reply below it",
                    description: "A tree, at most \(MessageThread.maxDepth) levels deep.",
                    parameters: [parameter("IfNoneMatch")],
                    responses: [
                        "200": ok("The thread.", schema("MessageThread"), etag: true),
                        "304": response("NotModified"),
                        "403": response("Forbidden", "The caller is not in its conversation\(closed)."),
                        "404": response("NotFound"),
                    ]),
            ],
        ]
    }

    static func notifications() -> [String: Value] {
        [
            "/api/notifications/": [
                "get": operation(
                    "listNotifications", tag: "notifications", .user, summary: "The caller's notifications, newest first",
                    parameters: [parameter("Unread")] + pages + [parameter("IfNoneMatch")],
                    responses: [
                        "200": ok("A page of notifications.", schema("PaginatedNotificationList"), etag: true),
                        "304": response("NotModified"),
                        "400": response("BadRequest", "`unread` is not a boolean, or `page_size` not a positive whole number."),
                        "404": response("NotFound", "Invalid page."),
                    ]),
            ],
            "/api/notifications/read-all/": [
                "post": operation(
                    "markAllNotificationsRead", tag: "notifications", .user, summary: "Mark every notification read",
                    description: "No body.",
                    responses: ["200": ok("How many were unread.", schema("MarkedAllRead"))]),
            ],
            "/api/notifications/{id}/read/": [
                "parameters": [parameter("NotificationID")],
                "post": operation(
                    "markNotificationRead", tag: "notifications", .user, summary: "Mark one notification read",
                    description: "No body. Marking it again keeps the first `read_at`.",
                    responses: [
                        "200": ok("The notification.", schema("Notification")),
                        "404": response("NotFound", "No such notification for the caller (someone else's is not found either)."),
                    ]),
            ],
        ]
    }

    static func meta() -> [String: Value] {
        [
            OpenAPIController.path: [
                "get": operation(
                    "retrieveOpenAPIDocument", tag: "meta", .anonymous, summary: "This document",
                    parameters: [parameter("IfNoneMatch")],
                    responses: [
                        "200": ok("The OpenAPI document.", schema("OpenAPIDocument"), headers: ["ETag": OpenAPIDocument.ref(header: "ETag")]),
                        "304": ["description": "The `If-None-Match` tag is current: no body.", "headers": ["ETag": OpenAPIDocument.ref(header: "ETag")]],
                    ]),
            ],
        ]
    }
}
