/// What a worker thread runs for each request. One instance per worker thread, created on that
/// thread, so it may own thread-confined state (its database connection).
public protocol FastCGIResponder {
    func respond(to request: FastCGIRequest)
}
