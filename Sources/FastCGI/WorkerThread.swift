#if canImport(Glibc)
import Glibc
#endif

/// Starts a detached POSIX thread with a given stack size.
///
/// The closure travels through the `void*` argument as a retained box: a start routine that
/// captures context crashed the Swift 6.3.1 compiler, and this keeps the routine capture-free.
enum WorkerThread {
    private final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    static func start(name: String, stackSize: Int = 4 << 20, _ body: @escaping @Sendable () -> Void) throws(FastCGIError) {
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
}

