#if canImport(Glibc)
import Glibc
#endif
import CFastCGI
import FastCGI

/// Starts a worker process with `posix_spawn` of an executable (never `fork` of the threaded
/// master): the listening socket becomes its fd 3 and the scoreboard its fd 4, standard input
/// is /dev/null, standard output and error are the master's, and the signals the master blocks
/// are unblocked and reset to their defaults.
struct WorkerSpawner {
    static let listenFD: Int32 = 3
    static let scoreboardFD: Int32 = 4

    let executable: String
    let arguments: [String]
    let environment: [String: String]
    /// Starts the names of the variables the spawner adds (``Master/Configuration/workerEnvironmentPrefix``).
    let environmentPrefix: String

    func spawn(listenFD: Int32, scoreboardFD: Int32, entry: Int, generation: UInt64, lead: Bool) throws(FastCGIError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, listenFD, Self.listenFD)
        posix_spawn_file_actions_adddup2(&actions, scoreboardFD, Self.scoreboardFD)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGTERM, SIGINT, SIGCHLD, SIGPIPE, SIGUSR1, SIGUSR2, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var environment = environment
        environment[environmentPrefix + "WORKER"] = "\(entry)"
        environment[environmentPrefix + "WORKER_GENERATION"] = "\(generation)"
        environment[environmentPrefix + "WORKER_LEAD"] = lead ? "1" : "0"
        environment[environmentPrefix + "MASTER_PID"] = "\(getpid())"
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        if result != 0 { throw FastCGIError("posix_spawn \(executable)", errno: result) }
        return pid
    }

    /// Moves `fd` to a number above the ones the workers get, close-on-exec, so that the file
    /// actions' dup2 always copies it (a dup2 onto itself would keep close-on-exec).
    static func raise(_ fd: Int32) throws(FastCGIError) -> Int32 {
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, 10)
        if moved < 0 { throw FastCGIError("fcntl(F_DUPFD_CLOEXEC)", errno: errno) }
        return moved
    }
}
