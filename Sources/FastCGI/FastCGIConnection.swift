#if canImport(Glibc)
import Glibc
#endif
import CFastCGI

/// One connection from nginx and the libfcgi request object that reads and writes it.
///
/// libfcgi's `FCGX_Accept_r` reads the next request from `ipcFd` when it is open, and only
/// accepts on `listen_sock` when it is not. We accept connections ourselves and give each its
/// own `FCGX_Request` whose `listen_sock` is -1, so `FCGX_Accept_r` never blocks in `accept`:
/// it either reads the request that epoll said is ready, or fails when nginx has closed the
/// connection. A kept-alive connection therefore holds no thread while it is idle.
final class FastCGIConnection {
    let request: UnsafeMutablePointer<FCGX_Request>

    init(fd: Int32) {
        request = .allocate(capacity: 1)
        FCGX_InitRequest(request, -1, 0)
        parley_fcgx_set_ipc_fd(request, fd)
        // FCGX_Accept_r starts by finishing "the previous request", closing the connection
        // unless it is marked kept; a fresh connection has no previous request to close.
        parley_fcgx_set_keep_connection(request, 1)
    }

    var fd: Int32 { parley_fcgx_ipc_fd(request) }

    /// Reads the next request's BEGIN and PARAMS records. False when the connection ended
    /// (libfcgi has then closed the descriptor).
    func acceptNext() -> Bool {
        FCGX_Accept_r(request) == 0
    }

    /// Ends the current request (flushes output, writes END_REQUEST). Returns true when the
    /// connection stays open for another request.
    func finish(keepOpen: Bool) -> Bool {
        if !keepOpen { parley_fcgx_set_keep_connection(request, 0) }
        FCGX_Finish_r(request)
        return parley_fcgx_ipc_fd(request) >= 0
    }

    /// Closes the descriptor without the lingering read libfcgi does (idle connections, and
    /// requests refused before libfcgi read them).
    func closeNow() {
        let fd = parley_fcgx_ipc_fd(request)
        if fd >= 0 {
            _ = Glibc.close(fd)
            parley_fcgx_set_ipc_fd(request, -1)
        }
    }

    deinit {
        closeNow()
        FCGX_Free(request, 0)
        request.deallocate()
    }
}

// A connection is handed from thread to thread (the epoll set, then exactly one worker at a
// time: EPOLLONESHOT guarantees it), never used by two at once.
extension FastCGIConnection: @unchecked Sendable {}
