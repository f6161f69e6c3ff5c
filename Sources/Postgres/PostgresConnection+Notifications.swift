import CLibPQ
import FoundationEssentials
import Glibc

/// A `NOTIFY` as a listening connection received it.
public struct PostgresNotification: Sendable, Equatable {
    public var channel: String
    public var payload: String
}

extension PostgresConnection {
    /// Waits up to `timeout` for a `NOTIFY` on a channel this connection LISTENs to, and
    /// returns those that arrived (empty after the timeout). For a thread that owns an idle
    /// connection (the live publisher); never inside a transaction. Throws when the connection
    /// breaks meanwhile.
    public func waitForNotifications(timeout: Duration) throws -> [PostgresNotification] {
        var notifications = self.takeNotifications()
        guard notifications.isEmpty else { return notifications }
        let socket = PQsocket(self.handle)
        guard socket >= 0, !self.isBroken else { throw PostgresError.connection("the connection is closed") }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, max(0, Int32(clamping: timeout.wholeMilliseconds)))
        guard ready > 0 else { return [] }
        if PQconsumeInput(self.handle) == 0 || self.isBroken {
            throw PostgresError.connection(PostgresError.cleaned(String(cString: PQerrorMessage(self.handle))))
        }
        notifications = self.takeNotifications()
        return notifications
    }

    private func takeNotifications() -> [PostgresNotification] {
        var notifications: [PostgresNotification] = []
        while let notification = PQnotifies(self.handle) {
            notifications.append(PostgresNotification(
                channel: String(cString: notification.pointee.relname), payload: String(cString: notification.pointee.extra)))
            PQfreemem(notification)
        }
        return notifications
    }
}
