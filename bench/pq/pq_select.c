/*
 * The baseline for the Postgres layer's benchmark: the same one-row prepared select, in C,
 * directly on libpq. Prepared once, executed N times by name, ids from the same LCG as the
 * Swift side, both columns read. Prints one line: "c N seconds ns_per_query checksum cpu_seconds".
 *
 *   cc -O2 pq_select.c $(pkg-config --cflags --libs libpq) -o pq_select
 *   ./pq_select "$DATABASE_URL" 50000 [binary]
 *
 * With "binary", the id is sent as a binary int4 and the row comes back in binary format (what
 * the Swift layer does); without it, both travel as text (the usual C loop).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* User + system CPU seconds this process has used. */
static double cpu(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s CONNINFO ITERATIONS [binary]\n", argv[0]);
        return 2;
    }
    long iterations = atol(argv[2]);
    int binary = argc > 3 && strcmp(argv[3], "binary") == 0;
    PGconn *conn = PQconnectdb(argv[1]);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "connect: %s", PQerrorMessage(conn));
        return 1;
    }
    Oid int4 = 23;
    PGresult *prepared = PQprepare(conn, "world_select", "SELECT id, randomnumber FROM world WHERE id = $1", 1,
                                   binary ? &int4 : NULL);
    if (PQresultStatus(prepared) != PGRES_COMMAND_OK) {
        fprintf(stderr, "prepare: %s", PQerrorMessage(conn));
        return 1;
    }
    PQclear(prepared);

    unsigned int seed = 12345;
    long checksum = 0;
    char id[16];
    uint32_t idBinary;
    const char *values[1] = {binary ? (const char *)&idBinary : id};
    int lengths[1] = {4};
    int formats[1] = {1};
    double start = now();
    double cpuStart = cpu();
    for (long i = 0; i < iterations; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned int next = (seed >> 16) % 10000 + 1;
        PGresult *result;
        if (binary) {
            idBinary = htonl(next);
            result = PQexecPrepared(conn, "world_select", 1, values, lengths, formats, 1);
        } else {
            snprintf(id, sizeof id, "%u", next);
            result = PQexecPrepared(conn, "world_select", 1, values, NULL, NULL, 0);
        }
        if (PQresultStatus(result) != PGRES_TUPLES_OK || PQntuples(result) != 1) {
            fprintf(stderr, "query: %s", PQerrorMessage(conn));
            return 1;
        }
        if (binary) {
            uint32_t a, b;
            memcpy(&a, PQgetvalue(result, 0, 0), 4);
            memcpy(&b, PQgetvalue(result, 0, 1), 4);
            checksum += (int32_t)ntohl(a) + (int32_t)ntohl(b);
        } else {
            checksum += atoi(PQgetvalue(result, 0, 0)) + atoi(PQgetvalue(result, 0, 1));
        }
        PQclear(result);
    }
    double elapsed = now() - start;
    double cpuUsed = cpu() - cpuStart;
    printf("%s %ld %.6f %.0f %ld %.6f\n", binary ? "c-binary" : "c", iterations, elapsed, elapsed / iterations * 1e9, checksum, cpuUsed);
    PQfinish(conn);
    return 0;
}
