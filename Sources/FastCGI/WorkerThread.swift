import CFastCGI
#if canImport(Glibc)
import Glibc
#endif

/// Starts a detached POSIX thread with a given stack size: the server's threads, and the
/// application's own (the live publisher; Foundation's `Thread` is not in FoundationEssentials).
///
/// The closure travels through the `void*` argument as a retained box: a start routine that
/// captures context crashed the Swift 6.3.1 compiler, and this keeps the routine capture-free.
package enum WorkerThread {
    private final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    package static func start(name: String, stackSize: Int = 4 << 20, _ body: @escaping @Sendable () -> Void) throws(FastCGIError) {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackSize)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, &attributes, { argument in
            let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        if result != 0 {
            Unmanaged<Box>.fromOpaque(box).release()
            throw FastCGIError("start thread \(name)", errno: result)
        }
    }

    /// Names the calling thread (at most 15 bytes show) for `ps -L` and top.
    package static func nameCurrentThread(_ name: String) {
        _ = parley_set_thread_name(name)
    }
}

