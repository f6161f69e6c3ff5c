import FoundationEssentials

/// Live updates (Nchan in nginx), from the environment:
///
/// | variable | default | meaning |
/// | --- | --- | --- |
/// | `PARLEY_LIVE_SOCKET` | unset (live updates off) | the unix socket of nginx's Nchan publisher server (`nginx.conf`: `…/live/publish.sock`) |
///
/// Unset, the publisher still drains the outbox (migration 0015) but publishes nothing, so the
/// table does not grow on a deployment without Nchan.
public struct LiveConfiguration: Sendable {
    public var publishSocket: String?

    public init(publishSocket: String? = nil) {
        self.publishSocket = publishSocket
    }

    public static func fromEnvironment(_ environment: [String: String]) throws -> LiveConfiguration {
        guard let path = environment["PARLEY_LIVE_SOCKET"], !path.isEmpty else { return LiveConfiguration() }
        guard path.hasPrefix("/") else { throw ConfigurationError("PARLEY_LIVE_SOCKET must be an absolute path, got \"\(path)\".") }
        guard path.utf8.count < 108 else { throw ConfigurationError("PARLEY_LIVE_SOCKET is longer than a unix socket path may be.") }
        return LiveConfiguration(publishSocket: path)
    }

    var client: NchanClient? { publishSocket.map { NchanClient(socketPath: $0) } }
}
