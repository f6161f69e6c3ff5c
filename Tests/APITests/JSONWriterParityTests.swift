import Foundation
@testable import ParleyApp
import Testing
import Web

/// JWT payloads and the OpenAPI document are written by the one JSON writer now; their bytes
/// must be what Foundation's `.sortedKeys` encoder wrote before (a token's signature covers them,
/// and the document's ETag is its hash).
@Suite("JSONWriter writes the bytes Foundation wrote")
struct JSONWriterParityTests {
    static func foundation<T: Encodable>(_ value: T, _ formatting: JSONEncoder.OutputFormatting) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        return Array(try encoder.encode(value))
    }

    @Test("JWT claims, with and without a family", arguments: [nil, "fam-Ily_0123456789abcdefghij"])
    func jwtClaims(family: String?) throws {
        let claims = JWTClaims(
            tokenType: .refresh, userID: UUID(uuidString: "00000000-0000-4000-A000-00000000002A")!,
            issuedAt: Date(timeIntervalSince1970: 1_795_681_045), lifetime: .seconds(300), jti: "jti-_Zz09", family: family)
        #expect(try JSON.encode(claims) == Self.foundation(claims, .sortedKeys))
        let payload = try #require(JWTSigner(key: Array(repeating: 7, count: 32)).sign(claims).split(separator: ".").dropFirst().first)
        #expect(Base64URL.decode(payload) == (try Self.foundation(claims, .sortedKeys)))
    }

    @Test("a token signed with Foundation's bytes still verifies")
    func oldTokenVerifies() throws {
        let key = Array(repeating: UInt8(9), count: 32)
        let claims = JWTClaims(tokenType: .access, userID: UUID(), issuedAt: Date(), lifetime: .seconds(300))
        let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let input = header + "." + Base64URL.encode(try Self.foundation(claims, .sortedKeys))
        let token = input + "." + Base64URL.encode(Sodium.hmacSHA256(key: key, message: Array(input.utf8)))
        #expect(try JWTSigner(key: key).verify(token) == claims)
        #expect(JWTSigner(key: key).sign(claims) == token)
    }

    @Test("the OpenAPI document")
    func openAPIDocument() throws {
        let document = OpenAPIDocument.build(configuration: .testing())
        #expect(try document.encoded() == Self.foundation(document, [.sortedKeys, .withoutEscapingSlashes]))
    }

    @Test("keys that differ in case and in digits sort as Foundation sorts them")
    func keyOrder() throws {
        let value: OpenAPIValue = ["b": 1, "B": 2, "a10": 3, "a9": 4, "_x": 5, "$ref": 6, "Ab": 7, "aB": 8, "201": 9, "1000": 10]
        #expect(try value.encoded() == Self.foundation(value, [.sortedKeys, .withoutEscapingSlashes]))
    }

    /// Foundation's bytes for `value`, dates as the API writes them (milliseconds, UTC).
    static func foundationAPI<T: Encodable>(_ value: T) throws -> Any {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601.string(from: date))
        }
        return try JSONSerialization.jsonObject(with: encoder.encode(value))
    }

    @Test("messages written member by member are the JSON their Encodable gives")
    func directlyWrittenMessages() throws {
        let ada = UserReference(userID: UUID(), username: "ada")
        let bob = UserReference(userID: UUID(), username: "bob \"the builder\"")
        let root = Message(
            messageID: UUID(), conversationID: UUID(), sender: ada, parentMessageID: nil,
            body: "line one\nline \"two\" \\ tab\t control\u{01} é 🎉 </script>", sentAt: Date(timeIntervalSince1970: 1_795_681_045.123))
        var reply = Message(
            messageID: UUID(), conversationID: root.conversationID, sender: bob, parentMessageID: root.messageID,
            body: "", sentAt: Date(timeIntervalSince1970: 1_795_681_100), editedAt: Date(timeIntervalSince1970: 1_795_681_200.5))
        let added = Message(
            messageID: UUID(), conversationID: root.conversationID, sender: ada, parentMessageID: nil, body: "",
            sentAt: Date(timeIntervalSince1970: 1_795_681_300), kind: .memberAdded, member: bob)
        for message in [root, reply, added] {
            let written = try JSONSerialization.jsonObject(with: Data(JSON.encode(MessageJSON(message)))) as? NSDictionary
            #expect(written == (try Self.foundationAPI(MessageJSON(message)) as? NSDictionary))
        }
        reply.messageID = UUID()
        let thread = MessageThread(message: root, replies: [MessageThread(message: reply, replies: []), MessageThread(message: added, replies: [])])
        let writtenThread = try JSONSerialization.jsonObject(with: Data(JSON.encode(MessageThreadJSON(thread)))) as? NSDictionary
        #expect(writtenThread == (try Self.foundationAPI(MessageThreadJSON(thread)) as? NSDictionary))
        // The page body around them (the generic path) with the direct members inside it.
        let page = PageBody(count: 2, next: nil, previous: "https://x/?page=1", results: [MessageJSON(root), MessageJSON(added)])
        let writtenPage = try JSONSerialization.jsonObject(with: Data(JSON.encode(page))) as? NSDictionary
        #expect(writtenPage == (try Self.foundationAPI(page) as? NSDictionary))
        // Member order is the Encodable's: message_id first, member last.
        let text = String(decoding: JSON.encode(MessageJSON(added)), as: UTF8.self)
        #expect(text.hasPrefix(#"{"message_id":""#))
        #expect(text.hasSuffix(#""member":{"user_id":"\#(bob.userID.apiString)","username":"bob \"the builder\""}}"#))
    }

    @Test("conversations written member by member are the JSON their Encodable gives")
    func directlyWrittenConversations() throws {
        let ada = UserSummary(userID: UUID(), username: "ada", firstName: "Ada", lastName: "Lovelace \"AL\"")
        let bob = UserSummary(userID: UUID(), username: "bob", firstName: "", lastName: "")
        let now = Date(timeIntervalSince1970: 1_795_681_045.5)
        let conversation = Conversation(conversationID: UUID(), title: "Plans </b> & more", createdBy: ada.userID, createdAt: now, lastMessageAt: now)
        let last = Message(
            messageID: UUID(), conversationID: conversation.conversationID, sender: UserReference(userID: bob.userID, username: "bob"),
            parentMessageID: nil, body: "see you", sentAt: now)
        for summary in [
            ConversationSummary(conversation: conversation, participants: [ada, bob], lastMessage: last, unreadCount: 3),
            ConversationSummary(
                conversation: Conversation(conversationID: UUID(), title: "", createdBy: nil, createdAt: now, lastMessageAt: now),
                participants: [], lastMessage: nil, unreadCount: 0),
        ] {
            let written = try JSONSerialization.jsonObject(with: Data(JSON.encode(ConversationJSON(summary)))) as? NSDictionary
            #expect(written == (try Self.foundationAPI(ConversationJSON(summary)) as? NSDictionary))
        }
    }

    @Test("the TechEmpower bodies written member by member are the JSON their Encodable gives, in the order TechEmpower shows")
    func techEmpowerBodies() throws {
        for world in [World(id: 1, randomNumber: 10_000), World(id: Int32.max, randomNumber: Int32.min)] {
            let written = try JSONSerialization.jsonObject(with: Data(JSON.encode(world))) as? NSDictionary
            #expect(written == (try Self.foundationAPI(world) as? NSDictionary))
        }
        #expect(String(decoding: JSON.encode(World(id: 42, randomNumber: 7)), as: UTF8.self) == #"{"id":42,"randomNumber":7}"#)
        let hello = HelloMessage(message: "Hello, World!")
        #expect(String(decoding: JSON.encode(hello), as: UTF8.self) == #"{"message":"Hello, World!"}"#)
        #expect((try JSONSerialization.jsonObject(with: Data(JSON.encode(hello))) as? NSDictionary) == (try Self.foundationAPI(hello) as? NSDictionary))
    }
}
