#ifndef PARLEY_CFASTCGI_SHIM_H
#define PARLEY_CFASTCGI_SHIM_H
#include <fcgiapp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <pthread.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <grp.h>
#include <string.h>
#include <stdint.h>
#include <spawn.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <sched.h>
#include <sys/syscall.h>

/// `FCGX_Request` fields Swift reads and writes directly (one place, so the struct layout is named once).
static inline int parley_fcgx_ipc_fd(const FCGX_Request *r) { return r->ipcFd; }
static inline void parley_fcgx_set_ipc_fd(FCGX_Request *r, int fd) { r->ipcFd = fd; }
static inline int parley_fcgx_keep_connection(const FCGX_Request *r) { return r->keepConnection; }
static inline void parley_fcgx_set_keep_connection(FCGX_Request *r, int keep) { r->keepConnection = keep; }
/// The response and its end were written past libfcgi (one write): its stdout stream is closed
/// as if FCGX_FClose had run, so FCGX_Finish_r writes nothing more; `error` (an errno, or 0)
/// makes it close the connection instead of keeping it.
static inline void parley_fcgx_out_written(FCGX_Request *r, int error) {
    r->out->isClosed = 1;
    r->out->wasFCloseCalled = 1;
    if (error != 0 && r->out->FCGI_errno == 0) r->out->FCGI_errno = error;
}

/// `accept4` and `eventfd` flags are macros Swift sometimes cannot import as constants.
static inline int parley_sock_nonblock_cloexec(void) { return SOCK_NONBLOCK | SOCK_CLOEXEC; }
static inline int parley_errno(void) { return errno; }

/// `accept4` is declared only under _GNU_SOURCE; accept a connection as close-on-exec, blocking.
extern int accept4(int, struct sockaddr *, socklen_t *, int);
static inline int parley_accept_cloexec(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC); }

/// Atomics on shared memory (the scoreboard a master and its workers map): Swift's `Atomic`
/// must live in a Swift value, not at an address in a memfd mapping.
static inline uint64_t parley_atomic_load(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void parley_atomic_store(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
static inline uint64_t parley_atomic_add(uint64_t *p, uint64_t v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }
static inline void parley_atomic_max(uint64_t *p, uint64_t v) {
    uint64_t seen = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (seen < v && !__atomic_compare_exchange_n(p, &seen, v, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
}
static inline int parley_cas(uint64_t *p, uint64_t expected, uint64_t desired) {
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

/// Nanoseconds of CLOCK_MONOTONIC: the same clock in every process of the machine.
static inline uint64_t parley_monotonic_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/// `memfd_create` is declared only under _GNU_SOURCE.
extern int memfd_create(const char *, unsigned int);
static inline int parley_memfd(const char *name) { return memfd_create(name, 1u /* MFD_CLOEXEC */); }

/// `WIFEXITED` and friends are macros.
static inline int parley_wifexited(int s) { return WIFEXITED(s); }
static inline int parley_wexitstatus(int s) { return WEXITSTATUS(s); }
static inline int parley_wifsignaled(int s) { return WIFSIGNALED(s); }
static inline int parley_wtermsig(int s) { return WTERMSIG(s); }

/// Sets the calling thread's scheduling policy to SCHED_BATCH (`batch` != 0) or SCHED_OTHER;
/// threads it starts afterwards inherit it. Returns 0, or the errno. (SCHED_BATCH is declared
/// only under _GNU_SOURCE.)
static inline int parley_set_batch_scheduling(int batch) {
    struct sched_param param = { .sched_priority = 0 };
    return sched_setscheduler(0, batch ? 3 /* SCHED_BATCH */ : SCHED_OTHER, &param) == 0 ? 0 : errno;
}

/// The CPUs the calling thread may run on (sched_getaffinity, the first 1,024 CPU numbers),
/// written to `cpus` (room for `capacity`); returns how many, or -errno. Through the system call
/// with a plain mask: cpu_set_t and its macros are declared only under _GNU_SOURCE.
static inline int parley_allowed_cpus(int *cpus, int capacity) {
    unsigned long mask[16] = {0};
    long bytes = syscall(SYS_sched_getaffinity, 0, sizeof mask, mask);
    if (bytes < 0) return -errno;
    const int word = 8 * (int)sizeof(unsigned long);
    int count = 0;
    for (int cpu = 0; cpu < (int)bytes * 8 && count < capacity; cpu++) {
        if ((mask[cpu / word] >> (cpu % word)) & 1UL) cpus[count++] = cpu;
    }
    return count;
}

/// Binds the calling thread, and the threads it starts afterwards, to one CPU. Returns 0, or the errno.
static inline int parley_bind_to_cpu(int cpu) {
    unsigned long mask[16] = {0};
    const int word = 8 * (int)sizeof(unsigned long);
    if (cpu < 0 || cpu >= 16 * word) return EINVAL;
    mask[cpu / word] = 1UL << (cpu % word);
    return syscall(SYS_sched_setaffinity, 0, sizeof mask, mask) == 0 ? 0 : errno;
}

/// The worker asks to be sent `sig` when its master dies (prctl is variadic).
static inline int parley_set_parent_death_signal(int sig) { return prctl(PR_SET_PDEATHSIG, (unsigned long)sig, 0, 0, 0); }
/// Names the calling thread for `ps -L` and top (15 bytes at most).
static inline int parley_set_thread_name(const char *name) { return prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0); }

/// Receive and send timeouts on a connection (setsockopt with a timeval).
static inline int parley_set_socket_timeouts(int fd, int milliseconds) {
    struct timeval tv = { milliseconds / 1000, (milliseconds % 1000) * 1000 };
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) return -1;
    return setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/// The current and maximum accept queue of a listening TCP socket (tcp_info's unacked and sacked).
static inline int parley_tcp_listen_queue(int fd, uint32_t *queued, uint32_t *backlog) {
    struct tcp_info info;
    socklen_t length = sizeof info;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return -1;
    *queued = info.tcpi_unacked;
    *backlog = info.tcpi_sacked;
    return 0;
}

/// libfcgi's stream error state (a body cut short reads as an end of stream otherwise).
static inline int parley_fcgx_stream_error(FCGX_Stream *stream) { return FCGX_GetError(stream); }
static inline int parley_fcgx_stream_eof(FCGX_Stream *stream) { return FCGX_HasSeenEOF(stream); }
#endif
