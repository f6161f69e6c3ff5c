/// The JSON shapes of the API (`components.schemas`), field for field as the DTOs encode them:
/// `AccountDTOs.swift`, `TokenController.swift`, `MessagingJSON.swift`, `Pagination.swift`,
/// and the controllers' request types. Every key a response names is always present (absent
/// values are `null`), so every property of a response schema is required.
///
/// `Tests/APITests/OpenAPITests.swift` checks real responses against these schemas.
enum OpenAPISchemas {
    // MARK: - Building blocks

    static func ref(_ name: String) -> OpenAPIValue {
        ["$ref": .string("#/components/schemas/\(name)")]
    }

    /// The same schema, or `null` (OpenAPI 3.1: a type list, or `anyOf` around a reference).
    static func nullable(_ schema: OpenAPIValue) -> OpenAPIValue {
        var members = schema.members
        if case .string(let type)? = members["type"] {
            members["type"] = [.string(type), "null"]
            return .object(members)
        }
        return ["anyOf": [schema, ["type": "null"]]]
    }

    /// An object schema; every property is required unless named in `optional`.
    static func object(
        _ description: String? = nil, _ properties: [(String, OpenAPIValue)], optional: Set<String> = []
    ) -> OpenAPIValue {
        var members: [String: OpenAPIValue] = [
            "type": "object",
            "properties": .object(Dictionary(uniqueKeysWithValues: properties)),
        ]
        let required = properties.map(\.0).filter { !optional.contains($0) }
        if !required.isEmpty { members["required"] = .array(required.map { .string($0) }) }
        if let description { members["description"] = .string(description) }
        return .object(members)
    }

    static func object(_ properties: [(String, OpenAPIValue)]) -> OpenAPIValue {
        object(nil, properties)
    }

    static func string(
        _ description: String? = nil, minLength: Int? = nil, maxLength: Int? = nil, format: String? = nil, pattern: String? = nil
    ) -> OpenAPIValue {
        var members: [String: OpenAPIValue] = ["type": "string"]
        if let description { members["description"] = .string(description) }
        if let minLength { members["minLength"] = .int(minLength) }
        if let maxLength { members["maxLength"] = .int(maxLength) }
        if let format { members["format"] = .string(format) }
        if let pattern { members["pattern"] = .string(pattern) }
        return .object(members)
    }

    // MARK: - Patterns
    //
    // OpenAPI 3.1's `format` is an annotation (JSON Schema 2020-12 does not assert it), so a
    // rule the server enforces is also a `pattern`, which every validator and generator
    // applies. Patterns are ECMA-262, written with the subset that Python's and Rust's regex
    // engines read alike (explicit classes, no `\s`, `\w` or `\d`, whose meaning differs).

    /// The 36-character form, either case, as `UUID(apiString:)` reads it.
    static let uuidPattern = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
    /// Unicode's White_Space characters: what `Character.isWhitespace` treats as space (a
    /// message body that is only these is blank).
    static let whitespace = "\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
    /// What Foundation's `.whitespacesAndNewlines` trims from account fields: the same, and
    /// U+200B ZERO WIDTH SPACE too.
    static let trimmed = whitespace + "\\u200b"
    /// No NUL anywhere (DRF: `Null characters are not allowed.`).
    static let noNUL = "^[^\\u0000]*$"
    /// No NUL, and something other than white space (DRF: `This field may not be blank.`).
    static let notBlank = "^[^\\u0000]*[^\\u0000\(whitespace)][^\\u0000]*$"
    /// The same for the account fields, which are trimmed first.
    static let notBlankTrimmed = "^[^\\u0000]*[^\\u0000\(trimmed)][^\\u0000]*$"
    /// ``AccountValidation/phoneNumber(_:field:)``: blank (none), or an optional `+` and 4 to 20
    /// digits among spaces, `-`, `.`, `(` and `)`; surrounding white space is trimmed.
    static let phonePattern = "^[\(trimmed)]*(\\+?([ .()\\-]*[0-9]){4,20}[ .()\\-]*)?[\(trimmed)]*$"

    static func uuid(_ description: String) -> OpenAPIValue {
        string(description, format: "uuid", pattern: uuidPattern)
    }

    static func dateTime(_ description: String) -> OpenAPIValue {
        string(description + " ISO 8601 with fractional seconds and a time zone (`2026-05-01T09:30:00.123Z`).", format: "date-time")
    }

    static func integer(_ description: String, minimum: Int? = 0) -> OpenAPIValue {
        var members: [String: OpenAPIValue] = ["type": "integer", "description": .string(description)]
        if let minimum { members["minimum"] = .int(minimum) }
        return .object(members)
    }

    static func array(_ items: OpenAPIValue, _ description: String? = nil) -> OpenAPIValue {
        var members: [String: OpenAPIValue] = ["type": "array", "items": items]
        if let description { members["description"] = .string(description) }
        return .object(members)
    }

    static let roles: OpenAPIValue = .array(Role.allCases.map { .string($0.rawValue) })

    // MARK: - The schemas

    static func all(_ configuration: AppConfiguration) -> OpenAPIValue {
        let auth = configuration.auth
        let maxBody = configuration.messaging.maxBodyLength
        var schemas: [String: OpenAPIValue] = [
            // Errors, as the error middleware renders them under /api/.
            "Detail": object("DRF's error body: one human-readable message.", [
                ("detail", string("What went wrong, e.g. `Authentication credentials were not provided.`")),
            ]),
            "ValidationError": [
                "type": "object",
                "description": "DRF's validation error body: each key is a field name (a nested value's path is dotted: `participant_ids.0`), each value the list of that field's messages, e.g. `{\"email\": [\"Enter a valid email address.\"]}`.",
                "minProperties": 1,
                "additionalProperties": array(string()),
            ],

            // Accounts.
            "User": object("A user as its owner and admins see it (never the password hash).", [
                ("user_id", uuid("The user's id.")),
                ("username", string("Letters, digits and `@.+-_`, NFKC-normalised.", minLength: 1, maxLength: 150)),
                ("email", string("Domain lowercased.", maxLength: 254, format: "email")),
                ("first_name", string(maxLength: 150)),
                ("last_name", string("May be empty.", maxLength: 150)),
                ("phone_number", nullable(string("`null` when none was given.", maxLength: 32))),
                ("role", ["type": "string", "enum": roles, "description": "`guest` on registration; admins change it."]),
                ("created_at", dateTime("When the account was registered.")),
            ]),
            "PublicUser": object("What anyone signed in may see of another user, to pick conversation participants.", [
                ("user_id", uuid("The user's id.")),
                ("username", string()),
                ("first_name", string()),
                ("last_name", string()),
            ]),
            "RegisterRequest": object("A new account. Every field's problems are reported at once, DRF-style.", [
                ("username", string("Unique. Letters, digits and `@.+-_` (Django's username rule), at most 150 characters after NFKC normalisation; surrounding spaces are trimmed.", minLength: 1, maxLength: 150, pattern: notBlankTrimmed)),
                ("email", string("Unique. The domain is lowercased.", minLength: 1, maxLength: 254, format: "email", pattern: notBlankTrimmed)),
                ("password", string("At least \(auth.passwordMinimumLength) characters, at most \(auth.maxPasswordBytes) bytes of UTF-8; never trimmed; no NUL. Django's default validators apply, and every failing one is reported: not too similar to the username, names or email; not one of 20,000 common passwords; not entirely numeric.", minLength: auth.passwordMinimumLength, pattern: noNUL)),
                ("first_name", string("Not blank; trimmed.", minLength: 1, maxLength: 150, pattern: notBlankTrimmed)),
                ("last_name", string("May be blank; trimmed.", maxLength: 150, pattern: noNUL)),
                ("phone_number", nullable(string("Optional: an optional leading `+`, 4 to 20 digits, spaces, `-`, `.`, `(` and `)`; null, missing or blank means none.", maxLength: 32, pattern: phonePattern))),
            ], optional: ["phone_number"]),
            "ProfileUpdate": object("A partial update of the caller's profile: only the fields sent change. `role` is read-only here (ignored); sending `password` is a 400 (it is not changed here). Unknown fields are ignored.", [
                ("username", string("Rules as at registration.", minLength: 1, maxLength: 150, pattern: notBlankTrimmed)),
                ("email", string("Rules as at registration.", minLength: 1, maxLength: 254, format: "email", pattern: notBlankTrimmed)),
                ("first_name", string(minLength: 1, maxLength: 150, pattern: notBlankTrimmed)),
                ("last_name", string(maxLength: 150, pattern: noNUL)),
                ("phone_number", nullable(string("`null` or blank clears it; otherwise as at registration.", maxLength: 32, pattern: phonePattern))),
            ], optional: ["username", "email", "first_name", "last_name", "phone_number"]),
            "RoleUpdate": object("An admin sets another user's role (not their own).", [
                ("role", ["type": "string", "enum": roles]),
            ]),

            // Tokens (simplejwt's shapes).
            "LoginRequest": object("Log-in: `username` takes a username or an email; `email` takes only an email (used when `username` is absent). One of the two is required, and `password`.", [
                ("username", string("A username or an email.")),
                ("email", string("An email.")),
                ("password", string(minLength: 1)),
            ], optional: ["username", "email"]).merging([
                // `username` when present (not blank), else `email` (not blank): as the server reads them.
                "anyOf": [
                    ["required": ["username"], "properties": ["username": ["minLength": 1]]],
                    ["required": ["email"], "properties": ["email": ["minLength": 1]], "not": ["required": ["username"]]],
                ],
            ]),
            "RefreshRequest": object([
                ("refresh", string("A refresh token from `POST /api/token/` or `POST /api/token/refresh/`.", minLength: 1)),
            ]),
            "TokenPair": object("A JWT pair (HS256). Send the access token as `Authorization: Bearer <access>`; it lives \(minutes(auth.accessTokenLifetime)) minutes. The refresh token lives \(minutes(auth.refreshTokenLifetime) / 60) hours and is good for one rotation; using it twice revokes its whole family.", [
                ("access", string("The access token.")),
                ("refresh", string("The refresh token.")),
            ]),

            // Messaging.
            "UserReference": object("A user named in a message, an edit or a notification.", [
                ("user_id", uuid("The user's id.")),
                ("username", string()),
            ]),
            "Participant": object("A member of a conversation.", [
                ("user_id", uuid("The user's id.")),
                ("username", string()),
                ("first_name", string()),
                ("last_name", string()),
            ]),
            "Conversation": object("A conversation as the caller sees it.", [
                ("conversation_id", uuid("The conversation's id.")),
                ("title", string("Empty when none was given.", maxLength: ConversationService.maxTitleLength)),
                ("participants", array(ref("Participant"), "Everyone in it, the creator included.")),
                ("created_by", nullable(uuid("The creator's user id; `null` once that account is deleted."))),
                ("created_at", dateTime("When it was created.")),
                ("last_message", nullable(ref("Message"))),
                ("unread_count", integer("Messages from others the caller has not read.")),
            ]),
            "ConversationCreate": object("A new conversation between the caller and `participant_ids`.", [
                ("participant_ids", array(uuid("A user id."), "The other participants (the caller is always in it; duplicates are folded). Each must be an existing user.")),
                ("title", nullable(string("Optional; no NUL.", maxLength: ConversationService.maxTitleLength, pattern: noNUL))),
            ], optional: ["title"]),
            "ParticipantsAdd": object("People to add to a conversation.", [
                ("user_ids", array(uuid("A user id."), "1 to \(ConversationService.maxAddedAtOnce) user ids; repeats and people already in it are passed over. Each must be an existing user.").merging(["minItems": 1, "maxItems": .int(ConversationService.maxAddedAtOnce)])),
            ]),
            "ReadMark": object("The conversation is read up to `last_read_at`.", [
                ("conversation_id", uuid("The conversation's id.")),
                ("last_read_at", dateTime("The new read mark.")),
                ("unread_count", integer("Always 0 after marking.")),
            ]),
            "Message": message(),
            "MessageThread": message(replies: true),
            "MessageCreate": object("A new message, sent as the caller.", [
                ("message_body", string("Stored exactly as sent (never trimmed); not blank or whitespace only, no NUL, at most \(maxBody) characters.", minLength: 1, maxLength: maxBody, pattern: notBlank)),
                ("parent_message", nullable(uuid("The message this one replies to, in the same conversation; `null` or absent for a top-level message."))),
            ], optional: ["parent_message"]),
            "MessageUpdate": object("An edit of the caller's own message. Without `message_body` nothing changes; `null` is a 400 (`This field may not be null.`), as DRF answers for a field that cannot be null.", [
                ("message_body", string("The new body; rules as when posting.", minLength: 1, maxLength: maxBody, pattern: notBlank)),
            ], optional: ["message_body"]),
            "MessageEdit": object("An earlier version of a message.", [
                ("old_body", string("The body before this edit.")),
                ("edited_at", dateTime("When it was replaced.")),
                ("edited_by", ref("UserReference")),
            ]),

            // Notifications.
            "NotificationMessagePreview": object([
                ("message_id", uuid("The message's id.")),
                ("body_preview", string("The first \(MessageNotification.previewLength) characters of the body, then `…` when it is longer.")),
            ]),
            "Notification": object("A new message in one of the caller's conversations, from someone else, or the line that added the caller to one.", [
                ("notification_id", uuid("The notification's id.")),
                ("message", ref("NotificationMessagePreview")),
                ("conversation", uuid("The conversation's id.")),
                ("sender", ref("UserReference")),
                ("created_at", dateTime("When the message arrived.")),
                ("read", ["type": "boolean"]),
                ("read_at", nullable(dateTime("When it was marked read; `null` while unread."))),
            ]),
            "MarkedAllRead": object([
                ("marked_read", integer("How many were unread.")),
            ]),

            "OpenAPIDocument": [
                "type": "object",
                "description": "This document (OpenAPI 3.1).",
                "required": ["openapi", "info", "paths"],
            ],
        ]
        for (name, item) in [("User", "User"), ("PublicUser", "PublicUser"), ("Conversation", "Conversation"), ("Message", "Message"), ("Notification", "Notification")] {
            schemas["Paginated\(name)List"] = page(of: ref(item))
        }
        schemas["CursorMessageList"] = object(
            "A keyset page of messages (`?after=` or `?before=`), as DRF's CursorPagination: no count. `next` carries `after=` the last message's id, `previous` carries `before=` the first's.",
            [
                ("next", nullable(string("The URL of the following page.", format: "uri"))),
                ("previous", nullable(string("The URL of the preceding page.", format: "uri"))),
                ("results", array(ref("Message"))),
            ])
        return .object(schemas)
    }

    /// DRF's page-number envelope around `item`.
    static func page(of item: OpenAPIValue) -> OpenAPIValue {
        object("One page of a list: DRF's page-number pagination. `next` and `previous` are absolute URLs with every other query parameter kept.", [
            ("count", integer("The length of the whole list.")),
            ("next", nullable(string("The URL of the next page; `null` on the last.", format: "uri"))),
            ("previous", nullable(string("The URL of the previous page; `null` on the first.", format: "uri"))),
            ("results", array(item)),
        ])
    }

    /// A message; with `replies`, a node of a thread (the same shape, recursively).
    static func message(replies: Bool = false) -> OpenAPIValue {
        var properties: [(String, OpenAPIValue)] = [
            ("message_id", uuid("The message's id.")),
            ("conversation", uuid("The conversation's id.")),
            ("sender", ref("UserReference")),
            ("message_body", string("Exactly as sent.")),
            ("parent_message", nullable(uuid("The message this one replies to; `null` for a top-level message (or once the parent is deleted)."))),
            ("sent_at", dateTime("When it was posted.")),
            ("edited", ["type": "boolean", "description": "True once the body was changed."]),
            ("edited_at", nullable(dateTime("The last edit; `null` if never edited."))),
            ("kind", ["type": "string", "enum": .array(MessageKind.allCases.map { .string($0.rawValue) }), "description": "`message`, or a system line about membership: `member_added` (the sender added `member`), `member_removed` (the sender removed `member`), `member_left` (`member`, the sender, left). A system line's `message_body` is its text as written then (`alice added carol`); it counts like a message in lists and unread counts, and cannot be edited, deleted or replied to (403, 400)."]),
            ("member", ["anyOf": [ref("UserReference"), ["type": "null"]], "description": "Who joined or went, for a system line; `null` for a message."]),
        ]
        if replies {
            properties.append(("replies", array(ref("MessageThread"), "Direct replies, oldest first, each with its own replies (empty on leaves).")))
            return object("A message and every reply below it, as a tree.", properties)
        }
        return object("A message.", properties)
    }

    static func minutes(_ duration: Duration) -> Int64 {
        duration.components.seconds / 60
    }
}
