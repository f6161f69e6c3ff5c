extension OpenAPIPaths {
    /// Live updates (decision 0008): the event streams nginx serves (Nchan; marked
    /// `x-served-by: nginx`, they are no parley route) and parley's subscription check.
    static func live() -> [String: Value] {
        [
            "/api/conversations/{id}/events/": [
                "parameters": [parameter("ConversationID")],
                "get": stream(
                    "conversationEvents", summary: "A conversation's live events",
                    description: "Server-sent events (or a WebSocket, whose text frames hold the same JSON), held open by nginx. Events: `message.created`, `message.edited` (the `message` as `GET /api/messages/{id}/` returns it now), `message.deleted` (`message_id` only) and `resync` (the server lost its buffer: fetch the list again). Delivery is at least once: drop repeats by `event_id`. Reconnect with `Last-Event-ID` (or `?last_event_id=`) to get what was missed, up to the last 50 events of the last hour. Only participants may subscribe.",
                    forbidden: "The caller is not a participant of the conversation (or it does not exist)."),
            ],
            "/api/users/{id}/events/": [
                "parameters": [streamUserID],
                "get": stream(
                    "userEvents", summary: "The caller's live notifications and unread counts",
                    description: "Server-sent events as for a conversation: `notification.created` (the `message`, its conversation's `unread_count` and the caller's `unread_notifications`), `unread.changed` (the two counts after something was read) and `resync`. Only the user themself may subscribe.",
                    forbidden: "The id is not the caller's."),
            ],
            LiveController.authorizePath: [
                "get": operation(
                    "authorizeLiveSubscription", tag: "live", .user, summary: "Check a live subscription (nginx's subrequest)",
                    description: "What nginx asks before it lets a subscriber in (`nchan_authorize_request`): the subscriber's own `Authorization` header (or page session cookie) and the channel nginx computed from its URL, in `X-Channel-Id` (`conv-<id>` or `user-<id>`). Clients subscribe to the `events/` routes instead.",
                    parameters: [channelHeader],
                    responses: [
                        "200": noContent("The subscriber may listen (no body)."),
                        "403": response("Forbidden", "Not a participant of the conversation, or not the owner of the user channel."),
                        "404": response("NotFound", "`X-Channel-Id` missing or not a channel."),
                    ]),
            ],
        ]
    }

    private static func stream(_ id: String, summary: String, description: String, forbidden: String) -> Value {
        var value = operation(
            id, tag: "live", .user, summary: summary, description: description,
            parameters: [lastEventID],
            responses: [
                "200": [
                    "description": "An endless `text/event-stream`: `id: <nginx's event id>`, `event: <type>`, `data: <JSON>` per event, and a comment every 30 s.",
                    "content": ["text/event-stream": ["schema": ["type": "string"]]],
                ],
                "403": response("Forbidden", forbidden),
            ])
        if case .object(var members) = value {
            members["x-served-by"] = "nginx"
            value = .object(members)
        }
        return value
    }

    static let streamUserID: Value = [
        "name": "id", "in": "path", "required": true,
        "description": "The caller's own user id.",
        "schema": ["type": "string", "format": "uuid"],
    ]

    static let lastEventID: Value = [
        "name": "Last-Event-ID", "in": "header", "required": false,
        "description": "The `id:` of the last event received: the stream resumes after it.",
        "schema": ["type": "string"],
    ]

    static let channelHeader: Value = [
        "name": "X-Channel-Id", "in": "header", "required": true,
        "description": "Set by nginx: `conv-<conversation id>` or `user-<user id>`.",
        "schema": ["type": "string"],
    ]
}
