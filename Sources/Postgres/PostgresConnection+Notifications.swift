import CLibPQ
import FoundationEssentials
import Glibc

extension PostgresConnection {
    /// Waits up to `timeout` for a `NOTIFY` on a channel this connection LISTENs to, and
    /// returns the channels of those that arrived (empty after the timeout). For a thread that
    /// owns an idle connection (the live publisher); never inside a transaction. Throws when
    /// the connection breaks meanwhile.
    public func waitForNotifications(timeout: Duration) throws -> [String] {
        var channels = self.takeNotifications()
        guard channels.isEmpty else { return channels }
        let socket = PQsocket(self.handle)
        guard socket >= 0, !self.isBroken else { throw PostgresError.connection("the connection is closed") }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let ready = poll(&descriptor, 1, max(0, milliseconds))
        guard ready > 0 else { return [] }
        if PQconsumeInput(self.handle) == 0 || self.isBroken {
            throw PostgresError.connection(PostgresError.cleaned(String(cString: PQerrorMessage(self.handle))))
        }
        channels = self.takeNotifications()
        return channels
    }

    private func takeNotifications() -> [String] {
        var channels: [String] = []
        while let notification = PQnotifies(self.handle) {
            channels.append(String(cString: notification.pointee.relname))
            PQfreemem(notification)
        }
        return channels
    }
}
