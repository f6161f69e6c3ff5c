/// The OpenAPI 3.1 document of the JSON API, served at `GET /api/openapi.json`.
///
/// Written by hand from the controllers and DTOs (there is no reflection to derive it from);
/// `Tests/APITests/OpenAPITests.swift` keeps it honest: every registered `/api/` route must be
/// documented and nothing else, the document must pass `openapi-spec-validator`, and real
/// responses must match their schemas. A new route or field is added here too.
///
/// Limits that come from the configuration (password length, message length, rate limits,
/// token lifetimes) are read from it, so the document describes the running server.
enum OpenAPIDocument {
    static let version = "3.1.0"

    static func build(configuration: AppConfiguration) -> OpenAPIValue {
        [
            "openapi": .string(version),
            "info": info(configuration),
            "servers": [["url": "/", "description": "This server (through nginx: https://127.0.0.1:8443 for `make run`)."]],
            "tags": tags,
            "security": [["bearerAuth": []]],
            "paths": OpenAPIPaths.all(configuration),
            "components": [
                "securitySchemes": [
                    "bearerAuth": [
                        "type": "http",
                        "scheme": "bearer",
                        "bearerFormat": "JWT",
                        "description": "The `access` token of `POST /api/token/` (or `/api/token/refresh/`): `Authorization: Bearer <access>`. A request without the header is anonymous; one with a header that is malformed, expired, of the wrong type, of a deleted user or of a revoked family is a 401 with `WWW-Authenticate: Bearer realm=\"api\"`, on every `/api/` route.",
                    ],
                ],
                "schemas": OpenAPISchemas.all(configuration),
                "parameters": parameters,
                "headers": headers,
                "responses": responses,
            ],
        ]
    }

    static func info(_ configuration: AppConfiguration) -> OpenAPIValue {
        let messaging = configuration.messaging
        let auth = configuration.auth
        return [
            "title": "Parley API",
            "version": "1.0.0",
            "description": .string("""
                Parley's JSON API, shaped like Django REST framework's.

                - **Authentication**: `POST /api/register/`, then `POST /api/token/` for a JWT pair; send `Authorization: Bearer <access>`. Rotate with `POST /api/token/refresh/`, log out with `POST /api/token/revoke/`.
                - **Trailing slashes**: every path below that ends in a slash also answers without it: `GET` (and `HEAD`) with `301 Moved Permanently` to the slashed URL, the query kept; `POST`, `PATCH` and `DELETE` run the same operation (no redirect, the body would be lost). Only the slashed form is listed.
                - **Errors** are JSON: `{"detail": "…"}`, or DRF's `{"field": ["…"]}` for invalid input (400). A path that exists but not for the method is a 405 with `Allow`; a body over the server's limit is a 413; a request target that cannot be decoded is a 400.
                - **Ids** are lowercase UUIDs; a malformed id in a path names nothing: 404. **Dates** are ISO 8601 with fractional seconds and a time zone. Absent values are `null`, never missing keys.
                - **Pagination**: `?page=` (1-based) and `?page_size=` (default \(Pagination.defaultPageSize), at most \(Pagination.maxPageSize)), answered as `{"count", "next", "previous", "results"}`. A page past the end is `404 {"detail": "Invalid page."}`. Message lists also take a keyset cursor (`?after=` / `?before=` a message id), answered as `{"next", "previous", "results"}`.
                - **Conditional GET**: `200` answers under `/api/conversations`, `/api/messages` and `/api/notifications` carry a strong `ETag` (SHA-256 of the body); send it back in `If-None-Match` for a `304 Not Modified` with no body.
                - **Idempotency**: `POST /api/conversations/{id}/messages/` takes an `Idempotency-Key` header; a repeat with the same key and body within 24 hours gets the first answer again (`Idempotent-Replayed: true`) and posts nothing.
                - **Rate limits** answer `429` with `Retry-After` (seconds): \(messaging.messageRateLimit) messages per user per \(messaging.messageRateWindow.components.seconds) s; \(auth.loginFailuresPerAccount) failed log-ins per account and \(auth.loginFailuresPerAddress) per client address per \(auth.loginFailureWindow.components.seconds) s; \(auth.registrationsPerAddress) registrations per client address per \(auth.registrationWindow.components.seconds) s.
                - **Chat hours**: when the server sets `PARLEY_CHAT_CLOSED_HOURS`, everything under `/api/conversations` and `/api/messages` answers `403 {"detail": "The chat is closed between …"}` during those hours.
                - Every response carries `X-Request-Id` (the one sent, or a new one), also in the server's log.
                """),
        ]
    }

    static let tags: OpenAPIValue = [
        ["name": "accounts", "description": "Registration, the caller's profile, finding people."],
        ["name": "tokens", "description": "JWT log-in, rotation and log-out (simplejwt's endpoints)."],
        ["name": "admin", "description": "Users and roles, for admins only (401 anonymous, 403 for guests and hosts)."],
        ["name": "conversations", "description": "The caller's conversations."],
        ["name": "messages", "description": "Messages, edits, history and threads."],
        ["name": "notifications", "description": "New messages from others, read or unread."],
        ["name": "live", "description": "Live events (server-sent events held by nginx) and their subscription check."],
        ["name": "meta", "description": "This document."],
    ]

    // MARK: - Parameters

    static func ref(parameter name: String) -> OpenAPIValue {
        ["$ref": .string("#/components/parameters/\(name)")]
    }

    static func query(_ name: String, _ description: String, _ schema: OpenAPIValue) -> OpenAPIValue {
        ["name": .string(name), "in": "query", "required": false, "description": .string(description), "schema": schema]
    }

    static func pathID(_ description: String) -> OpenAPIValue {
        ["name": "id", "in": "path", "required": true, "description": .string(description + " A malformed id is a 404."), "schema": uuidSchema]
    }

    static let uuidSchema: OpenAPIValue = ["type": "string", "format": "uuid", "pattern": .string(OpenAPISchemas.uuidPattern)]

    /// A query filter by id: a UUID, or empty (as django-filter reads `?sender=`: no filter).
    static let optionalUUID: OpenAPIValue = ["anyOf": [uuidSchema, ["type": "string", "maxLength": 0]]]

    /// Empty is no filter, as django-filter reads `?start_date=`.
    static let dateOrDateTime: OpenAPIValue = [
        "type": "string",
        "anyOf": [["format": "date-time"], ["format": "date"], ["maxLength": 0]],
    ]

    static let parameters: OpenAPIValue = [
        "Page": query("page", "The page number, from 1. Not a positive whole number, or past the last page (page 1 always exists): 404 `Invalid page.`", ["type": "integer", "minimum": 1, "default": 1]),
        "PageSize": query("page_size", "Items per page: a positive whole number (anything else is a 400). Larger values are capped at \(Pagination.maxPageSize), as DRF's `max_page_size` does.", ["type": "integer", "minimum": 1, "default": .int(Pagination.defaultPageSize)]),
        "Search": query("search", "Users whose username, first or last name contains every term (split on spaces and commas; case-insensitive; the three longest terms are used). Empty: everyone. At most 200 characters, no NUL.", ["type": "string", "maxLength": 200, "pattern": .string(OpenAPISchemas.noNUL)]),
        "Sender": query("sender", "Only messages sent by this user (a malformed UUID is a 400; empty: no filter).", optionalUUID),
        "StartDate": query("start_date", "Only messages sent at or after this time: an ISO 8601 date-time with a time zone, or a date (midnight UTC), in the years 1 to 9999 (else a 400). Encode `+` in an offset as `%2B` (a bare `+` is read as one too).", dateOrDateTime),
        "EndDate": query("end_date", "Only messages sent at or before this time; a date includes that whole day (UTC).", dateOrDateTime),
        "Ordering": query("ordering", "`sent_at` (oldest first, the default) or `-sent_at` (newest first).", ["type": "string", "enum": ["sent_at", "-sent_at"], "default": "sent_at"]),
        // `after` and `before` exclude each other. OpenAPI has no constraint between two
        // parameters, so they are the two properties of one exploded form object (sent as
        // `?after=…` or `?before=…`, no `keyset=` prefix) that may not have both.
        "Keyset": [
            "name": "keyset", "in": "query", "required": false, "style": "form", "explode": true,
            "description": "Keyset paging, as the query parameter `after` or `before` (not both: a 400), each a message id: the `page_size` messages that come after (or before) it in the list's order; `page` is ignored. The answer is a cursor page (no `count`). An id that is not in the list: 404 `Invalid cursor.`",
            "schema": [
                "type": "object",
                "properties": [
                    "after": OpenAPISchemas.uuid("The messages after this one."),
                    "before": OpenAPISchemas.uuid("The messages before this one."),
                ],
                "not": ["required": ["after", "before"]],
            ],
        ],
        "ConversationFilter": query("conversation", "Only messages of this conversation (a malformed UUID is a 400; empty: no filter).", optionalUUID),
        "Unread": query("unread", "`true`: unread notifications only; `false`: read ones only; absent: all. Also `1`/`0`, `yes`/`no`, `on`/`off`; anything else is a 400.", ["type": "boolean"]),
        "IdempotencyKey": [
            "name": "Idempotency-Key", "in": "header", "required": false,
            "description": "Makes the post safe to retry: within 24 hours, the same user, key and request (conversation, parent and body) get the first answer again, with `Idempotent-Replayed: true`, and nothing new is posted or counted against the rate limit; the same key with a different request is a 422. 1 to 255 characters (else 400).",
            "schema": ["type": "string", "minLength": 1, "maxLength": 255],
        ],
        "IfNoneMatch": [
            "name": "If-None-Match", "in": "header", "required": false,
            "description": "An `ETag` from an earlier answer (a list of them, or `*`; `W/` prefixes ignored): 304 with no body when the answer would be the same.",
            "schema": ["type": "string"],
        ],
        "ConversationID": pathID("The conversation's id."),
        "MessageID": pathID("The message's id."),
        "NotificationID": pathID("The notification's id."),
        "UserID": pathID("The user's id."),
    ]

    // MARK: - Headers

    static let headers: OpenAPIValue = [
        "ETag": ["description": "A strong validator: the SHA-256 of the body, in quotes. Send it in `If-None-Match`.", "schema": ["type": "string"]],
        "CacheControl": ["description": "`private, no-cache`: revalidate, and no shared caches.", "schema": ["type": "string"]],
        "Vary": ["description": "`Authorization`: each user's answer is their own.", "schema": ["type": "string"]],
        "RetryAfter": ["description": "Seconds to wait before trying again (at least 1).", "schema": ["type": "integer", "minimum": 1]],
        "WWWAuthenticate": ["description": "`Bearer realm=\"api\"`.", "schema": ["type": "string"]],
        "IdempotentReplayed": ["description": "`true` when this is the stored answer to an earlier request with the same `Idempotency-Key` (nothing new was posted).", "schema": ["type": "string", "enum": ["true"]]],
    ]

    static func ref(header name: String) -> OpenAPIValue {
        ["$ref": .string("#/components/headers/\(name)")]
    }

    // MARK: - Responses

    static func ref(response name: String, _ description: String? = nil) -> OpenAPIValue {
        var members: [String: OpenAPIValue] = ["$ref": .string("#/components/responses/\(name)")]
        if let description { members["description"] = .string(description) }
        return .object(members)
    }

    static func json(_ schema: OpenAPIValue) -> OpenAPIValue {
        ["application/json": ["schema": schema]]
    }

    static let responses: OpenAPIValue = [
        "BadRequest": [
            "description": "Invalid input: DRF's field errors, or `{\"detail\": …}` when the body is not JSON at all (`JSON parse error - …`) or a check is not about one field.",
            "content": json(["oneOf": [OpenAPISchemas.ref("ValidationError"), OpenAPISchemas.ref("Detail")]]),
        ],
        "Unauthorized": [
            "description": "No valid access token: `Authentication credentials were not provided.` without an `Authorization` header, or a header that is malformed, expired, of the wrong token type, of a deleted user or of a revoked family.",
            "headers": ["WWW-Authenticate": ref(header: "WWWAuthenticate")],
            "content": json(OpenAPISchemas.ref("Detail")),
        ],
        "Forbidden": [
            "description": "Not allowed for the caller.",
            "content": json(OpenAPISchemas.ref("Detail")),
        ],
        "NotFound": [
            "description": "No such object (or a malformed id).",
            "content": json(OpenAPISchemas.ref("Detail")),
        ],
        "ContentTooLarge": [
            "description": "The request body is over the server's limit (`PARLEY_MAX_BODY_SIZE`); it was not read.",
            "content": json(OpenAPISchemas.ref("Detail")),
        ],
        "TooManyRequests": [
            "description": "Throttled: `Request was throttled. Expected available in N seconds.`",
            "headers": ["Retry-After": ref(header: "RetryAfter")],
            "content": json(OpenAPISchemas.ref("Detail")),
        ],
        "ServiceUnavailable": [
            "description": "Password hashing is saturated: `The server is busy; try again shortly.`",
            "headers": ["Retry-After": ref(header: "RetryAfter")],
            "content": json(OpenAPISchemas.ref("Detail")),
        ],
        "NotModified": [
            "description": "The `If-None-Match` tag is current: no body.",
            "headers": [
                "ETag": ref(header: "ETag"),
                "Cache-Control": ref(header: "CacheControl"),
                "Vary": ref(header: "Vary"),
            ],
        ],
    ]
}
