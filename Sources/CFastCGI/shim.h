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

/// `FCGX_Request` fields Swift reads and writes directly (one place, so the struct layout is named once).
static inline int parley_fcgx_ipc_fd(const FCGX_Request *r) { return r->ipcFd; }
static inline void parley_fcgx_set_ipc_fd(FCGX_Request *r, int fd) { r->ipcFd = fd; }
static inline int parley_fcgx_keep_connection(const FCGX_Request *r) { return r->keepConnection; }
static inline void parley_fcgx_set_keep_connection(FCGX_Request *r, int keep) { r->keepConnection = keep; }

/// `accept4` and `eventfd` flags are macros Swift sometimes cannot import as constants.
static inline int parley_sock_nonblock_cloexec(void) { return SOCK_NONBLOCK | SOCK_CLOEXEC; }
static inline int parley_errno(void) { return errno; }

/// `accept4` is declared only under _GNU_SOURCE; accept a connection as close-on-exec, blocking.
extern int accept4(int, struct sockaddr *, socklen_t *, int);
static inline int parley_accept_cloexec(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC); }
#endif
