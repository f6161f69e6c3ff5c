/*
 * The C reference for `make bench`: the TechEmpower test types on libfcgi and libpq, with
 * nothing else. It is the practical limit of this stack (nginx → FastCGI → libpq), against
 * which parley is measured.
 *
 * Same architecture as parley's FastCGI server, so that the comparison measures the Swift
 * code and not a different design: N worker threads share one epoll set; the listening socket
 * is non-blocking; every accepted connection gets its own FCGX_Request (listen_sock -1) and is
 * registered EPOLLONESHOT, so a kept-alive idle connection holds no thread. Each worker owns
 * one PostgreSQL connection with the statements prepared once. JSON and HTML are written by
 * hand into a buffer; random numbers come from a per-thread generator.
 *
 *   cc -O2 -o reference reference.c $(pkg-config --cflags --libs fcgi libpq) -lpthread
 *   REF_SOCKET=/path/ref.sock REF_WORKERS=4 REF_SOCKET_GROUP=www-data DATABASE_URL=… ./reference
 *
 * SIGTERM/SIGINT: exits at once (no requests worth finishing in a benchmark).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <arpa/inet.h>

#define MAX_QUERIES 500

static int epoll_fd = -1;
static int listen_fd = -1;
static const char *database_url;
#define LISTEN_TAG ((void *)1)

typedef struct {
    FCGX_Request request;
} connection_t;

/* ------------------------------------------------------------------ output buffer */

typedef struct {
    char *data;
    size_t length, capacity;
} buffer_t;

static void buffer_reserve(buffer_t *b, size_t extra) {
    if (b->length + extra <= b->capacity) return;
    size_t capacity = b->capacity ? b->capacity : 4096;
    while (capacity < b->length + extra) capacity *= 2;
    b->data = realloc(b->data, capacity);
    if (!b->data) abort();
    b->capacity = capacity;
}

static void buffer_append(buffer_t *b, const char *text, size_t length) {
    buffer_reserve(b, length);
    memcpy(b->data + b->length, text, length);
    b->length += length;
}

static void buffer_puts(buffer_t *b, const char *text) { buffer_append(b, text, strlen(text)); }

static void buffer_int(buffer_t *b, long value) {
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%ld", value);
    buffer_append(b, digits, (size_t)n);
}

static void buffer_html_escaped(buffer_t *b, const char *text) {
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '&': buffer_puts(b, "&amp;"); break;
        case '<': buffer_puts(b, "&lt;"); break;
        case '>': buffer_puts(b, "&gt;"); break;
        case '"': buffer_puts(b, "&quot;"); break;
        case '\'': buffer_puts(b, "&#39;"); break;
        default: buffer_append(b, p, 1);
        }
    }
}

/* ------------------------------------------------------------------ worker state */

typedef struct {
    PGconn *pg;
    uint64_t random_state;
    buffer_t body;
    buffer_t head;
} worker_t;

/* wyrand */
static uint64_t next_random(worker_t *w) {
    w->random_state += 0xA0761D6478BD642FULL;
    __uint128_t product = (__uint128_t)w->random_state * (w->random_state ^ 0xE7037ED1A0B428DBULL);
    return (uint64_t)(product >> 64) ^ (uint64_t)product;
}

static int random_world_id(worker_t *w) { return (int)(next_random(w) % 10000) + 1; }

static PGconn *connect_database(void) {
    PGconn *pg = PQconnectdb(database_url);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "reference: cannot connect: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return NULL;
    }
    static const struct { const char *name, *sql; int params; Oid types[2]; } statements[] = {
        {"world", "SELECT id, randomnumber FROM world WHERE id = $1", 1, {23}},
        {"fortunes", "SELECT id, message FROM fortune", 0, {0}},
        {"update", "UPDATE world SET randomnumber = v.r FROM unnest($1::int4[], $2::int4[]) AS v(id, r) "
                   "WHERE world.id = v.id", 2, {1007, 1007}},
    };
    for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++) {
        PGresult *r = PQprepare(pg, statements[i].name, statements[i].sql, statements[i].params, statements[i].types);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            fprintf(stderr, "reference: prepare %s: %s", statements[i].name, PQerrorMessage(pg));
            PQclear(r);
            PQfinish(pg);
            return NULL;
        }
        PQclear(r);
    }
    return pg;
}

/* ------------------------------------------------------------------ responses */

static void respond(FCGX_Request *request, worker_t *w, int status, const char *type) {
    w->head.length = 0;
    buffer_puts(&w->head, status == 200 ? "Status: 200 OK\r\nContent-Type: " : "Status: 500 Internal Server Error\r\nContent-Type: ");
    buffer_puts(&w->head, type);
    buffer_puts(&w->head, "\r\nContent-Length: ");
    buffer_int(&w->head, (long)w->body.length);
    buffer_puts(&w->head, "\r\n\r\n");
    FCGX_PutStr(w->head.data, (int)w->head.length, request->out);
    FCGX_PutStr(w->body.data, (int)w->body.length, request->out);
}

static void fail(FCGX_Request *request, worker_t *w, const char *why) {
    fprintf(stderr, "reference: %s: %s", why, w->pg ? PQerrorMessage(w->pg) : "no connection\n");
    if (w->pg && PQstatus(w->pg) != CONNECTION_OK) {
        PQfinish(w->pg);
        w->pg = NULL;
    }
    w->body.length = 0;
    buffer_puts(&w->body, "error");
    respond(request, w, 500, "text/plain");
}

static int query_count(FCGX_Request *request) {
    const char *query = FCGX_GetParam("QUERY_STRING", request->envp);
    if (!query) return 1;
    const char *p = strstr(query, "queries=");
    if (!p || (p != query && p[-1] != '&')) return 1;
    char *end;
    long n = strtol(p + 8, &end, 10);
    if (end == p + 8 || n < 1) return 1;
    return n > MAX_QUERIES ? MAX_QUERIES : (int)n;
}

/* One SELECT per id, pipelined with a sync after each (as parley's PostgresConnection.pipeline). */
static int select_worlds(worker_t *w, int count, int *ids, int *numbers) {
    if (PQenterPipelineMode(w->pg) != 1) return -1;
    for (int i = 0; i < count; i++) {
        uint32_t id = htonl((uint32_t)ids[i]);
        const char *values[1] = {(const char *)&id};
        int lengths[1] = {4}, formats[1] = {1};
        if (PQsendQueryPrepared(w->pg, "world", 1, values, lengths, formats, 1) != 1) return -1;
        if (PQpipelineSync(w->pg) != 1) return -1;
    }
    int ok = 0;
    for (int i = 0; i < count; i++) {
        PGresult *r = PQgetResult(w->pg);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
            ids[i] = (int)ntohl(*(uint32_t *)PQgetvalue(r, 0, 0));
            numbers[i] = (int)ntohl(*(uint32_t *)PQgetvalue(r, 0, 1));
        } else {
            ok = -1;
        }
        PQclear(r);
        while ((r = PQgetResult(w->pg)) != NULL) PQclear(r); /* end of this query */
        r = PQgetResult(w->pg);                              /* its sync */
        if (PQresultStatus(r) != PGRES_PIPELINE_SYNC) ok = -1;
        PQclear(r);
    }
    if (PQexitPipelineMode(w->pg) != 1) return -1;
    return ok;
}

static int select_world(worker_t *w, int *id, int *number) {
    uint32_t key = htonl((uint32_t)*id);
    const char *values[1] = {(const char *)&key};
    int lengths[1] = {4}, formats[1] = {1};
    PGresult *r = PQexecPrepared(w->pg, "world", 1, values, lengths, formats, 1);
    int ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    if (ok) {
        *id = (int)ntohl(*(uint32_t *)PQgetvalue(r, 0, 0));
        *number = (int)ntohl(*(uint32_t *)PQgetvalue(r, 0, 1));
    }
    PQclear(r);
    return ok ? 0 : -1;
}

static void worlds_json(worker_t *w, int count, const int *ids, const int *numbers, int array) {
    w->body.length = 0;
    if (array) buffer_puts(&w->body, "[");
    for (int i = 0; i < count; i++) {
        if (i) buffer_puts(&w->body, ",");
        buffer_puts(&w->body, "{\"id\":");
        buffer_int(&w->body, ids[i]);
        buffer_puts(&w->body, ",\"randomNumber\":");
        buffer_int(&w->body, numbers[i]);
        buffer_puts(&w->body, "}");
    }
    if (array) buffer_puts(&w->body, "]");
}

static int compare_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

/* int4[] in array_send format. */
static size_t int_array(char *out, const int *values, int count) {
    uint32_t header[5] = {htonl(1), htonl(0), htonl(23), htonl((uint32_t)count), htonl(1)};
    memcpy(out, header, sizeof header);
    size_t at = sizeof header;
    for (int i = 0; i < count; i++) {
        uint32_t element[2] = {htonl(4), htonl((uint32_t)values[i])};
        memcpy(out + at, element, sizeof element);
        at += sizeof element;
    }
    return at;
}

typedef struct {
    int id;
    const char *message;
} fortune_t;

static int compare_fortune(const void *a, const void *b) {
    return strcmp(((const fortune_t *)a)->message, ((const fortune_t *)b)->message);
}

static void handle(FCGX_Request *request, worker_t *w) {
    const char *path = FCGX_GetParam("DOCUMENT_URI", request->envp);
    if (!path) path = "";
    if (!w->pg && !(strcmp(path, "/plaintext") == 0 || strcmp(path, "/json") == 0)) {
        w->pg = connect_database();
        if (!w->pg) { fail(request, w, "connect"); return; }
    }
    if (strcmp(path, "/plaintext") == 0) {
        w->body.length = 0;
        buffer_puts(&w->body, "Hello, World!");
        respond(request, w, 200, "text/plain");
    } else if (strcmp(path, "/json") == 0) {
        w->body.length = 0;
        buffer_puts(&w->body, "{\"message\":\"Hello, World!\"}");
        respond(request, w, 200, "application/json");
    } else if (strcmp(path, "/db") == 0) {
        int id = random_world_id(w), number = 0;
        if (select_world(w, &id, &number) != 0) { fail(request, w, "db"); return; }
        worlds_json(w, 1, &id, &number, 0);
        respond(request, w, 200, "application/json");
    } else if (strcmp(path, "/queries") == 0 || strcmp(path, "/updates") == 0) {
        int update = path[1] == 'u';
        int count = query_count(request);
        int ids[MAX_QUERIES], numbers[MAX_QUERIES];
        for (int i = 0; i < count; i++) ids[i] = random_world_id(w);
        int status = count == 1 ? select_world(w, &ids[0], &numbers[0]) : select_worlds(w, count, ids, numbers);
        if (status != 0) { fail(request, w, "queries"); return; }
        if (update) {
            for (int i = 0; i < count; i++) numbers[i] = random_world_id(w);
            /* One UPDATE for the batch, ids sorted and each once (the last number drawn for an
               id wins), as parley does, so concurrent batches lock in the same order. */
            int order[MAX_QUERIES], sorted_ids[MAX_QUERIES], sorted_numbers[MAX_QUERIES], unique = 0;
            memcpy(order, ids, sizeof(int) * (size_t)count);
            qsort(order, (size_t)count, sizeof(int), compare_int);
            for (int i = 0; i < count; i++) {
                if (unique && sorted_ids[unique - 1] == order[i]) continue;
                sorted_ids[unique] = order[i];
                for (int j = count - 1; j >= 0; j--)
                    if (ids[j] == order[i]) { sorted_numbers[unique] = numbers[j]; break; }
                unique++;
            }
            static __thread char id_array[20 + 8 * MAX_QUERIES], number_array[20 + 8 * MAX_QUERIES];
            const char *values[2] = {id_array, number_array};
            int lengths[2] = {(int)int_array(id_array, sorted_ids, unique), (int)int_array(number_array, sorted_numbers, unique)};
            int formats[2] = {1, 1};
            PGresult *r = PQexecPrepared(w->pg, "update", 2, values, lengths, formats, 1);
            int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
            PQclear(r);
            if (!ok) { fail(request, w, "update"); return; }
        }
        worlds_json(w, count, ids, numbers, 1);
        respond(request, w, 200, "application/json");
    } else if (strcmp(path, "/fortunes") == 0) {
        PGresult *r = PQexecPrepared(w->pg, "fortunes", 0, NULL, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) { PQclear(r); fail(request, w, "fortunes"); return; }
        int rows = PQntuples(r);
        fortune_t fortunes[rows + 1];
        for (int i = 0; i < rows; i++) {
            fortunes[i].id = atoi(PQgetvalue(r, i, 0));
            fortunes[i].message = PQgetvalue(r, i, 1);
        }
        fortunes[rows].id = 0;
        fortunes[rows].message = "Additional fortune added at request time.";
        qsort(fortunes, (size_t)rows + 1, sizeof(fortune_t), compare_fortune);
        w->body.length = 0;
        buffer_puts(&w->body, "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table>"
                              "<tr><th>id</th><th>message</th></tr>");
        for (int i = 0; i <= rows; i++) {
            buffer_puts(&w->body, "<tr><td>");
            buffer_int(&w->body, fortunes[i].id);
            buffer_puts(&w->body, "</td><td>");
            buffer_html_escaped(&w->body, fortunes[i].message);
            buffer_puts(&w->body, "</td></tr>");
        }
        buffer_puts(&w->body, "</table></body></html>");
        PQclear(r);
        respond(request, w, 200, "text/html; charset=utf-8");
    } else {
        w->body.length = 0;
        buffer_puts(&w->body, "Not found");
        w->head.length = 0;
        buffer_puts(&w->head, "Status: 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\n");
        FCGX_PutStr(w->head.data, (int)w->head.length, request->out);
        FCGX_PutStr(w->body.data, (int)w->body.length, request->out);
    }
}

/* ------------------------------------------------------------------ server */

static void arm(connection_t *c, int op) {
    struct epoll_event event = {.events = EPOLLIN | EPOLLONESHOT | EPOLLRDHUP, .data.ptr = c};
    if (epoll_ctl(epoll_fd, op, c->request.ipcFd, &event) != 0) {
        close(c->request.ipcFd);
        c->request.ipcFd = -1;
        FCGX_Free(&c->request, 0);
        free(c);
    }
}

static void accept_all(void) {
    for (;;) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) break; /* EAGAIN: another worker took it, or none left */
        connection_t *c = calloc(1, sizeof *c);
        FCGX_InitRequest(&c->request, -1, 0);
        c->request.ipcFd = fd;
        c->request.keepConnection = 1;
        arm(c, EPOLL_CTL_ADD);
    }
    struct epoll_event event = {.events = EPOLLIN | EPOLLONESHOT, .data.ptr = LISTEN_TAG};
    epoll_ctl(epoll_fd, EPOLL_CTL_MOD, listen_fd, &event);
}

__attribute__((noinline)) static void serve(connection_t *c, worker_t *w) {
    if (FCGX_Accept_r(&c->request) != 0) {
        /* nginx closed the connection; libfcgi has closed the descriptor. */
        FCGX_Free(&c->request, 0);
        free(c);
        return;
    }
    handle(&c->request, w);
    FCGX_Finish_r(&c->request);
    if (c->request.ipcFd < 0) {
        FCGX_Free(&c->request, 0);
        free(c);
        return;
    }
    arm(c, EPOLL_CTL_MOD);
}

static void *worker_main(void *unused) {
    (void)unused;
    worker_t w = {0};
    w.random_state = (uint64_t)random() << 32 ^ (uint64_t)(uintptr_t)&w ^ (uint64_t)pthread_self();
    for (;;) {
        struct epoll_event event;
        int n = epoll_wait(epoll_fd, &event, 1, -1);
        if (n <= 0) continue;
        if (event.data.ptr == LISTEN_TAG) accept_all();
        else serve(event.data.ptr, &w);
    }
    return NULL;
}

int main(void) {
    const char *socket_path = getenv("REF_SOCKET");
    database_url = getenv("DATABASE_URL");
    const char *workers_text = getenv("REF_WORKERS");
    const char *group = getenv("REF_SOCKET_GROUP");
    if (!socket_path || !database_url) {
        fprintf(stderr, "reference: set REF_SOCKET and DATABASE_URL\n");
        return 2;
    }
    int workers = workers_text ? atoi(workers_text) : 4;
    if (workers < 1) workers = 1;
    if (FCGX_Init() != 0) return 1;
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    srandom((unsigned)getpid());

    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (strlen(socket_path) >= sizeof address.sun_path) { fprintf(stderr, "reference: socket path too long\n"); return 2; }
    strcpy(address.sun_path, socket_path);
    unlink(socket_path);
    listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    mode_t previous = umask(0177);
    if (bind(listen_fd, (struct sockaddr *)&address, sizeof address) != 0) { perror("reference: bind"); return 1; }
    umask(previous);
    if (group) {
        struct group *entry = getgrnam(group);
        if (!entry || chown(socket_path, (uid_t)-1, entry->gr_gid) != 0) { perror("reference: chown"); return 1; }
    }
    chmod(socket_path, 0660);
    if (listen(listen_fd, 1024) != 0) { perror("reference: listen"); return 1; }

    epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event event = {.events = EPOLLIN | EPOLLONESHOT, .data.ptr = LISTEN_TAG};
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &event);

    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, 4 << 20);
    for (int i = 0; i < workers; i++) {
        pthread_t thread;
        if (pthread_create(&thread, &attributes, worker_main, NULL) != 0) { perror("reference: pthread_create"); return 1; }
    }
    fprintf(stderr, "reference: listening on %s with %d workers\n", socket_path, workers);
    pause();
    return 0;
}
