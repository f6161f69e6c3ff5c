#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import CFastCGI
import FastCGI
import FoundationEssentials
import Logging
import ParleyApp
import Postgres
import Supervisor
import Synchronization
import Web
import WebFastCGI

/// A worker process of `parley serve`: started by the master with the listening socket on fd 3
/// and the scoreboard on fd 4 (``PARLEY_WORKER`` names its entry), it runs the epoll thread pool
/// until its master asks it to drain (SIGTERM), or dies.
struct WorkerProcess {
    let settings: ServeSettings
    let logger: Logger

    func run(entry text: String) throws {
        // Die with the master (a `kill -9` of it must not leave orphans serving an old socket).
        // (Compared with the master's pid, not 1: in a container the master is pid 1.)
        _ = parley_set_parent_death_signal(SIGTERM)
        if let master = Environment.values["PARLEY_MASTER_PID"].flatMap({ Int32($0) }), getppid() != master { throw ExitCode(1) }
        signal(SIGHUP, SIG_IGN)  // reloads are the master's; a terminal's hang-up is too
        let board = try Scoreboard.attach(fd: 4)
        guard let index = Int(text), (0..<board.layout.processes).contains(index) else {
            throw ValidationError("PARLEY_WORKER is set by the master; do not set it yourself.")
        }
        let entry = board.process(index)
        let logger = { var logger = self.logger; logger[metadataKey: "pid"] = "\(getpid())"; return logger }()
        // Before any thread starts, so that every thread of the process inherits them.
        if let cpu = entry.cpu {
            let bindError = parley_bind_to_cpu(cpu)
            if bindError != 0 {
                logger.warning("cannot bind the worker process to its CPU; it runs on any", metadata: [
                    "cpu": "\(cpu)", "error": "\(String(cString: strerror(bindError)))",
                ])
            }
        }
        let schedulingError = parley_set_batch_scheduling(settings.cpuSchedulingPolicy == .batch ? 1 : 0)
        if schedulingError != 0 {
            logger.warning("cannot set the CPU scheduling policy; the kernel's default stays", metadata: [
                "policy": "\(settings.cpuSchedulingPolicy.rawValue)", "error": "\(String(cString: strerror(schedulingError)))",
            ])
        }

        let databaseConfiguration = try PostgresConfiguration.fromEnvironment()
        let appConfiguration = try settings.appConfiguration()
        let replica = appConfiguration.replica
        let application = ParleyApplication.build(configuration: appConfiguration, extraRoutes: Serve.extraRoutes)
        // One live publisher per pool, in the lead worker process that the master names (a
        // replacement of it is the lead in its turn; during a reload the old and new leads share
        // the outbox, see decision 0008). Not scoreboard entry 0: a reload moves the new
        // generation to other entries, and every other reload left the pool without a publisher.
        if Environment.values["PARLEY_WORKER_LEAD"] == "1" {
            try LivePublisher(database: databaseConfiguration, live: appConfiguration.live, logger: logger).start()
        }
        let routes = application.router.registeredRoutes.map(\.pattern)
        if routes.count > board.layout.routes {
            logger.warning("more routes than the metrics can tell apart; the rest count as (none)", metadata: ["routes": "\(routes.count)"])
        }
        let status = StatusReport(board: board, routes: routes, pool: "parley", metricPrefix: "parley")
        let cancellers = Mutex<[Int: PostgresCanceller]>([:])

        var configuration = FastCGIServer.Configuration(listen: .inherited(fd: 3), workers: settings.threads)
        configuration.process = entry
        configuration.shutdownTimeout = settings.shutdownTimeout
        configuration.ioTimeout = settings.ioTimeout
        configuration.slowRequest = settings.slowRequest
        configuration.requestTimeout = settings.requestTimeout
        // Jitter, so that processes started together are not all replaced at once.
        configuration.maxRequests = settings.maxRequests.map { $0 + Int.random(in: 0...max(0, $0 / 10)) }
        configuration.onTimeout = { thread in
            _ = cancellers.withLock { $0[thread]?.cancel() }
        }
        configuration.onReady = { entry.setState(.ready) }

        let server = FastCGIServer(configuration: configuration, logger: logger)
        let maxBodySize = settings.maxBodySize
        let logLevel = logger.logLevel
        do {
            try server.run { thread in
                let slot = entry.thread(thread)
                let observer = SlotDatabaseObserver(slot: slot, board: board) { canceller in
                    cancellers.withLock { $0[thread] = canceller }
                }
                let database = PostgresDatabase(configuration: databaseConfiguration, logger: logger, observer: observer)
                let replicaRoute = replica.map { replica in
                    ReplicaRoute(configuration: replica, primary: database, logger: logger, observer: observer) { event in
                        board.add(event.counter)
                    }
                }
                return WebResponder(application: application, maxBodySize: maxBodySize, slot: slot, status: status) { request in
                    AppContext(requestID: request.id, database: database, logger: logger, logLevel: logLevel, replicaRoute: replicaRoute)
                }
            }
        } catch let error as FastCGIError {
            logger.critical("worker cannot serve", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}

/// Writes what a worker thread's connection runs into its slot (the SQL text for the slow log
/// and `?full`), counts reconnects, statements, round trips and failed statements, and hands
/// the deadline the connection's canceller.
final class SlotDatabaseObserver: PostgresObserver {
    let slot: WorkerSlot
    let board: Scoreboard
    let onConnect: (PostgresCanceller) -> Void

    init(slot: WorkerSlot, board: Scoreboard, onConnect: @escaping (PostgresCanceller) -> Void) {
        self.slot = slot
        self.board = board
        self.onConnect = onConnect
    }

    func statementStarted(_ sql: UnsafeRawBufferPointer) {
        slot.noteStatement(sql.assumingMemoryBound(to: UInt8.self))
        slot.setPhase(.database)
    }

    func statementFinished(failed: Bool) {
        slot.setPhase(.running)
        if failed { board.add(.databaseStatementErrors) }
    }

    func connected(_ canceller: PostgresCanceller, reconnect: Bool) {
        if reconnect { board.add(.databaseReconnects) }
        onConnect(canceller)
    }

    func roundTrip(statements: Int) {
        board.add(.databaseRoundTrips)
        board.add(.databaseStatements, UInt64(statements))
    }
}

extension ReplicaEvent {
    /// The scoreboard word that counts it.
    var counter: Scoreboard.Counter {
        switch self {
        case .replicaRead: .replicaReads
        case .primaryFallback: .replicaFallbacks
        case .waitedForReplay: .replicaWaits
        }
    }
}
