import CivilTime
import Foundation
@testable import ParleyApp
@testable import ParleyAppTesting
import ParleyTesting
import Logging
import Testing
import Web

/// PARLEY_CHAT_CLOSED_HOURS: the chat API answers 403 during the configured hours.
@Suite("Chat closed hours")
struct ConversationClosedHoursTests {
    static var utc: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    static func at(_ hour: Int, _ minute: Int = 0) -> Date {
        utc.date(from: DateComponents(year: 2026, month: 3, day: 14, hour: hour, minute: minute))!
    }

    @Test("21-6 wraps midnight: closed from 21:00 up to 06:00", arguments: [
        (20, 59, false), (21, 0, true), (23, 30, true), (0, 0, true), (5, 59, true), (6, 0, false), (12, 0, false),
    ])
    func wrapping(_ hour: Int, _ minute: Int, _ closed: Bool) throws {
        let hours = try #require(ClosedHours(parsing: "21-6"))
        #expect(hours.contains(Self.at(hour, minute)) == closed)
        #expect(hours.description == "21:00 and 06:00 (UTC)")
    }

    @Test("9-17 does not wrap; a time zone shifts the hours")
    func plainAndZoned() throws {
        let hours = try #require(ClosedHours(parsing: "09:00-17:00"))
        #expect(hours.contains(Self.at(9)) && hours.contains(Self.at(16, 59)))
        #expect(!hours.contains(Self.at(17)) && !hours.contains(Self.at(8, 59)))
        let zone = try #require(ZoneRules(identifier: "Asia/Tokyo"))
        let tokyo = try #require(ClosedHours(parsing: "9-17", timeZone: zone))
        #expect(tokyo.contains(Self.at(0)), "00:00 UTC is 09:00 in Tokyo")
        #expect(!tokyo.contains(Self.at(9)))
    }

    @Test("bad settings are refused at start-up", arguments: ["6", "21-21", "25-3", "a-b", "-1-4", "21-6-2", ""])
    func badSettings(_ text: String) throws {
        if text.isEmpty {
            #expect(try MessagingConfiguration.fromEnvironment(["PARLEY_CHAT_CLOSED_HOURS": text]).closedHours == nil, "empty: off")
            return
        }
        #expect(throws: ConfigurationError.self) { try MessagingConfiguration.fromEnvironment(["PARLEY_CHAT_CLOSED_HOURS": text]) }
    }

    @Test("timezone setting", arguments: [("Europe/Paris", true), ("Mars/Olympus", false)])
    func timeZoneSetting(_ name: String, _ valid: Bool) throws {
        let environment = ["PARLEY_CHAT_CLOSED_HOURS": "21-6", "PARLEY_CHAT_TIMEZONE": name]
        if valid {
            #expect(try MessagingConfiguration.fromEnvironment(environment).closedHours?.timeZone.identifier == name)
        } else {
            #expect(throws: ConfigurationError.self) { try MessagingConfiguration.fromEnvironment(environment) }
        }
    }

    /// Hours around now, so the API tests do not depend on when they run.
    static func hoursAroundNow() -> (closed: ClosedHours, open: ClosedHours) {
        let hour = utc.component(.hour, from: Date())
        return (ClosedHours(start: (hour + 23) % 24, end: (hour + 2) % 24)!, ClosedHours(start: (hour + 3) % 24, end: (hour + 5) % 24)!)
    }

    @Test("while closed, conversations and messages endpoints answer 403 with the hours; notifications and accounts stay open",
          .enabled(if: TestEnvironment.runsIntegration))
    func gateClosed() throws {
        let hours = Self.hoursAroundNow().closed
        let h = try messagingHarness { $0.closedHours = hours }
        let alice = try h.makeUser()
        for (method, path) in [(HTTPMethod.get, "/api/conversations/"), (.post, "/api/conversations/"), (.get, "/api/messages/"),
                               (.get, "/api/conversations/\(UUID())/messages/"), (.patch, "/api/messages/\(UUID())/")] {
            let response = try h.request(method, path, json: method == .get ? nil : NewConversation(participant_ids: []), token: alice.token)
            #expect(response.status == 403, "\(method) \(path)")
            #expect(response.detail == "The chat is closed between \(hours).", "\(response.text)")
        }
        #expect(try h.request(.get, "/api/notifications/", token: alice.token).status == 200)
        #expect(try h.request(.get, "/healthz").status != 403)
    }

    @Test("outside the hours, and by default, the chat is open", .enabled(if: TestEnvironment.runsIntegration))
    func gateOpen() throws {
        let hours = Self.hoursAroundNow().open
        let h = try messagingHarness { $0.closedHours = hours }
        let alice = try h.makeUser()
        #expect(try h.request(.get, "/api/conversations/", token: alice.token).status == 200)
        let plain = try messagingHarness()
        #expect(plain.configuration.messaging.closedHours == nil)
        #expect(try plain.request(.get, "/api/conversations/", token: alice.token).status == 401, "another key; but not 403")
    }

    @Test("the middleware decides by its clock")
    func middlewareClock() throws {
        let hours = try #require(ClosedHours(parsing: "21-6"))
        final class Context: RequestContext {
            var logger = Logging.Logger(label: "test") { _ in Logging.SwiftLogNoOpLogHandler() }
            var userID: String?
        }
        for (hour, closed) in [(22, true), (10, false)] {
            let gate = ClosedHoursMiddleware<Context>(hours: hours, pathPrefixes: ["/api/messages"], now: { Self.at(hour) })
            var router = Router<Context>()
            router.get("/api/messages/") { _, _ in .text("open") }
            let application = Application(router: router, middleware: [gate])
            let response = application.respond(to: Request(method: .get, uri: "/api/messages/"), context: Context())
            #expect(response.status.code == (closed ? 403 : 200))
        }
    }
}
