/* SPDX-License-Identifier: BSD-3-Clause
 *
 * zmqx_cbench: the "C" column of zmqx's benchmark suite (python -m zmqx.bench).
 *
 * Does the work of each benchmark scenario on libzmq directly, with no binding
 * in between, so the suite can show how close a binding gets to the physical
 * limit.  The suite compiles this file itself at run time:
 *
 *     cc -O2 zmqx_cbench.c $(pkg-config --cflags --libs libzmq) -lpthread
 *
 * Usage: zmqx_cbench SCENARIO ARGS... COUNT   (COUNT is always last)
 *
 *     version                           {"libzmq": "4.3.4"}
 *     thr TRANSPORT SIZE COPY COUNT     PUSH->PULL, receiver-side timing
 *     lat reqrep|pair TRANSPORT SIZE COUNT   round trips, median and p99
 *     sendrecv SIZE COUNT               inproc PAIR send + recv, one thread
 *     multipart FRAMES SIZE COUNT       FRAMES-part message send + receive
 *     zerocopy SIZE COUNT               zmq_msg_init_data send + msg receive
 *     getopt rcvmore|events COUNT       one zmq_getsockopt
 *     setopt linger COUNT               one zmq_setsockopt
 *     msginit SIZE COUNT                zmq_msg_init_size + fill + close
 *     poll NSOCKETS COUNT               zmq_poll(timeout 0) over idle sockets
 *     proxy TRANSPORT SIZE COUNT        PUSH -> zmq_proxy thread -> PULL
 *
 * Prints one JSON object: {"ops": N, "seconds": S} plus "median_us" and
 * "p99_us" for latency.  TRANSPORT is inproc (a thread peer), ipc or tcp
 * (a forked peer process; tcp on 127.0.0.1 only, ipc under a dir that
 * libzmq makes in $TMPDIR for the "ipc" wildcard address).  Every wait is bounded: sockets time out after
 * TIMEOUT_MS and an alarm ends a process that runs for longer than GUARD_S.
 */
#define _GNU_SOURCE
#include <zmq.h>

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define TIMEOUT_MS 10000
#define GUARD_S 120
#define WARM_ROUND_TRIPS 20
#define EP_LEN 256

static void fail(const char *what)
{
    fprintf(stderr, "zmqx_cbench: %s: %s\n", what, zmq_strerror(zmq_errno()));
    exit(1);
}

/* Evaluate a libzmq call returning -1 on error; stop with its name if so. */
#define CHECK(call) do { if ((call) == -1) fail(#call); } while (0)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void setint(void *sock, int option, int value)
{
    CHECK(zmq_setsockopt(sock, option, &value, sizeof value));
}

static void *new_socket(void *ctx, int type)
{
    void *sock = zmq_socket(ctx, type);
    if (!sock)
        fail("zmq_socket");
    setint(sock, ZMQ_LINGER, TIMEOUT_MS);
    setint(sock, ZMQ_RCVTIMEO, TIMEOUT_MS);
    setint(sock, ZMQ_SNDTIMEO, TIMEOUT_MS);
    return sock;
}

/* Bind to a fresh address of the transport; the real address goes to ep. */
static void bind_any(void *sock, const char *transport, const char *tag, char *ep)
{
    char want[EP_LEN];
    size_t len = EP_LEN;
    if (!strcmp(transport, "tcp"))
        snprintf(want, sizeof want, "tcp://127.0.0.1:*");
    else if (!strcmp(transport, "ipc"))
        snprintf(want, sizeof want, "ipc://*");
    else if (!strcmp(transport, "inproc"))
        snprintf(want, sizeof want, "inproc://zmqx-cbench-%s", tag);
    else {
        fprintf(stderr, "zmqx_cbench: unknown transport %s\n", transport);
        exit(2);
    }
    CHECK(zmq_bind(sock, want));
    CHECK(zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, ep, &len));
}

/* ---- peers: the other end of a two-party scenario ------------------------ */

struct job {
    void *ctx;
    char ep[EP_LEN];
    int type;
    size_t size;
    long count;
    int copy;
    int done_fd; /* reads EOF once the measuring side has finished */
};

typedef void (*role_fn)(struct job *);

struct peer {
    role_fn role;
    struct job job;
    int threaded;
    pthread_t thread;
    pid_t pid;
    int pipe_w;
};

/* Block until the measuring side is done.  A sender must not close its
 * socket before that: libzmq 4.3.4 can stall delivering an ipc socket's
 * lingering messages, losing the tail of the stream. */
static void wait_done(struct job *job)
{
    char c;
    while (read(job->done_fd, &c, 1) > 0)
        ;
}

static void *thread_main(void *arg)
{
    struct peer *p = arg;
    p->role(&p->job);
    return NULL;
}

/* Prepare the peer before the caller makes its own context: a process peer
 * is forked here.  It reads the endpoint (EP_LEN bytes) from a pipe, and
 * later EOF on the same pipe once we are done (or dead). */
static void peer_fork(struct peer *p, const char *transport, role_fn role, struct job job)
{
    int fds[2];
    p->role = role;
    p->job = job;
    p->threaded = !strcmp(transport, "inproc");
    if (pipe(fds) == -1 || (!p->threaded && (p->pid = fork()) == -1)) {
        perror("zmqx_cbench: fork");
        exit(1);
    }
    p->job.done_fd = fds[0];
    p->pipe_w = fds[1];
    if (p->threaded)
        return;
    if (p->pid == 0) {
        size_t got = 0;
        ssize_t n = 1;
        close(fds[1]);
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
        alarm(GUARD_S);
        while (got < EP_LEN && (n = read(fds[0], p->job.ep + got, EP_LEN - got)) > 0)
            got += (size_t)n;
        if (got < EP_LEN)
            _exit(3);
        p->job.ctx = zmq_ctx_new();
        role(&p->job);
        zmq_ctx_term(p->job.ctx);
        _exit(0);
    }
    close(fds[0]);
}

/* Hand the peer the endpoint to connect to: it starts working. */
static void peer_start(struct peer *p, void *ctx, const char *ep)
{
    char padded[EP_LEN] = {0};
    snprintf(padded, EP_LEN, "%s", ep);
    if (!p->threaded) {
        if (write(p->pipe_w, padded, EP_LEN) != EP_LEN)
            perror("zmqx_cbench: write");
        return;
    }
    p->job.ctx = ctx;
    memcpy(p->job.ep, padded, EP_LEN);
    if (pthread_create(&p->thread, NULL, thread_main, p) != 0) {
        perror("zmqx_cbench: pthread_create");
        exit(1);
    }
}

/* Tell the peer we are done, then wait for it to finish. */
static void peer_join(struct peer *p)
{
    int status = 0;
    close(p->pipe_w);
    if (p->threaded) {
        pthread_join(p->thread, NULL);
        close(p->job.done_fd);
        return;
    }
    if (waitpid(p->pid, &status, 0) == -1 || !WIFEXITED(status) || WEXITSTATUS(status)) {
        fprintf(stderr, "zmqx_cbench: peer process failed (status %d)\n", status);
        exit(1);
    }
}

static void send_one(void *sock, void *buf, size_t size, int copy, int flags)
{
    zmq_msg_t msg;
    if (copy) {
        CHECK(zmq_send(sock, buf, size, flags));
        return;
    }
    CHECK(zmq_msg_init_data(&msg, buf, size, NULL, NULL));
    CHECK(zmq_msg_send(&msg, sock, flags));
}

/* Receive one frame: copied out into buf, or kept as a message and dropped. */
static void recv_one(void *sock, void *buf, size_t size, int copy)
{
    zmq_msg_t msg;
    if (copy) {
        CHECK(zmq_recv(sock, buf, size, 0));
        return;
    }
    zmq_msg_init(&msg);
    CHECK(zmq_msg_recv(&msg, sock, 0));
    zmq_msg_close(&msg);
}

static void *buffer(size_t size)
{
    void *buf = calloc(size ? size : 1, 1);
    if (!buf) {
        perror("zmqx_cbench: calloc");
        exit(1);
    }
    return buf;
}

static void push_role(struct job *job)
{
    void *sock = new_socket(job->ctx, ZMQ_PUSH);
    char *buf = buffer(job->size);
    CHECK(zmq_connect(sock, job->ep));
    for (long i = 0; i < job->count; i++)
        send_one(sock, buf, job->size, job->copy, 0);
    wait_done(job);
    zmq_close(sock);
    if (job->copy) /* zero-copy messages may still be queued: keep their data */
        free(buf);
}

static void echo_role(struct job *job)
{
    void *sock = new_socket(job->ctx, job->type);
    char *buf = buffer(job->size);
    CHECK(zmq_connect(sock, job->ep));
    for (long i = 0; i < job->count; i++) {
        int n;
        CHECK(n = zmq_recv(sock, buf, job->size, 0));
        CHECK(zmq_send(sock, buf, (size_t)n, 0));
    }
    wait_done(job);
    zmq_close(sock);
    free(buf);
}

/* Receive count messages after a first one that starts the clock. */
static double timed_receive(void *sock, size_t size, int copy, long count)
{
    char *buf = buffer(size);
    double t0;
    recv_one(sock, buf, size, copy);
    t0 = now();
    for (long i = 0; i < count; i++)
        recv_one(sock, buf, size, copy);
    t0 = now() - t0;
    free(buf);
    return t0;
}

static void report(long ops, double seconds)
{
    printf("{\"ops\": %ld, \"seconds\": %.9f}\n", ops, seconds);
}

/* ---- scenarios ------------------------------------------------------------ */

static void run_thr(const char *transport, size_t size, int copy, long count)
{
    struct peer p;
    struct job job = {.size = size, .count = count + 1, .copy = copy};
    char ep[EP_LEN];
    void *ctx, *sock;
    double dt;
    peer_fork(&p, transport, push_role, job);
    ctx = zmq_ctx_new();
    sock = new_socket(ctx, ZMQ_PULL);
    bind_any(sock, transport, "thr", ep);
    peer_start(&p, ctx, ep);
    dt = timed_receive(sock, size, copy, count);
    peer_join(&p);
    zmq_close(sock);
    zmq_ctx_term(ctx);
    report(count, dt);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void run_lat(const char *kind, const char *transport, size_t size, long count)
{
    int pair = !strcmp(kind, "pair");
    struct peer p;
    struct job job = {.type = pair ? ZMQ_PAIR : ZMQ_REP, .size = size,
                      .count = count + WARM_ROUND_TRIPS};
    char ep[EP_LEN];
    char *buf = buffer(size);
    double *rtt = calloc((size_t)count, sizeof *rtt), total = 0, median, p99;
    void *ctx, *sock;
    peer_fork(&p, transport, echo_role, job);
    ctx = zmq_ctx_new();
    sock = new_socket(ctx, pair ? ZMQ_PAIR : ZMQ_REQ);
    bind_any(sock, transport, "lat", ep);
    peer_start(&p, ctx, ep);
    for (long i = -WARM_ROUND_TRIPS; i < count; i++) {
        double t0 = now();
        CHECK(zmq_send(sock, buf, size, 0));
        CHECK(zmq_recv(sock, buf, size, 0));
        if (i >= 0)
            total += rtt[i] = (now() - t0) * 1e6;
    }
    peer_join(&p);
    zmq_close(sock);
    zmq_ctx_term(ctx);
    qsort(rtt, (size_t)count, sizeof *rtt, cmp_double);
    median = count % 2 ? rtt[count / 2] : (rtt[count / 2 - 1] + rtt[count / 2]) / 2;
    p99 = rtt[(long)ceil(0.99 * (double)count) - 1];
    printf("{\"ops\": %ld, \"seconds\": %.9f, \"median_us\": %.4f, \"p99_us\": %.4f}\n",
           count, total * 1e-6, median, p99);
    free(rtt);
    free(buf);
}

/* Like the Python suite: zmq_proxy in a thread, stopped by terminating its
 * context, after which the thread closes the proxy's sockets. */
static void *proxy_main(void *sockets)
{
    void **s = sockets; /* frontend, backend */
    zmq_proxy(s[0], s[1], NULL);
    zmq_close(s[0]);
    zmq_close(s[1]);
    return NULL;
}

static void run_proxy(const char *transport, size_t size, long count)
{
    struct peer p;
    struct job job = {.size = size, .count = count + 1, .copy = 1};
    char front_ep[EP_LEN], back_ep[EP_LEN];
    void *ctx, *pctx, *sink, *sockets[2];
    pthread_t thread;
    double dt;
    peer_fork(&p, transport, push_role, job);
    ctx = zmq_ctx_new();
    pctx = zmq_ctx_new();
    for (int i = 0; i < 2; i++) {
        sockets[i] = new_socket(pctx, i ? ZMQ_PUSH : ZMQ_PULL);
        setint(sockets[i], ZMQ_LINGER, 0);
    }
    bind_any(sockets[0], transport, "proxy-front", front_ep);
    bind_any(sockets[1], transport, "proxy-back", back_ep);
    sink = new_socket(ctx, ZMQ_PULL);
    CHECK(zmq_connect(sink, back_ep));
    if (pthread_create(&thread, NULL, proxy_main, sockets) != 0) {
        perror("zmqx_cbench: pthread_create");
        exit(1);
    }
    peer_start(&p, ctx, front_ep);
    dt = timed_receive(sink, size, 1, count);
    zmq_ctx_term(pctx);
    pthread_join(thread, NULL);
    peer_join(&p);
    zmq_close(sink);
    zmq_ctx_term(ctx);
    report(count, dt);
}

/* One-thread scenarios share an inproc PAIR: a sends, b receives. */
static void run_call(const char *what, const char *arg, size_t size, long count)
{
    void *ctx = zmq_ctx_new();
    void *a = new_socket(ctx, ZMQ_PAIR), *b = new_socket(ctx, ZMQ_PAIR);
    char *buf = buffer(size), ep[EP_LEN];
    int frames = atoi(arg), value = 0;
    size_t len = sizeof value;
    zmq_msg_t msg;
    double t0;
    bind_any(a, "inproc", "call", ep);
    CHECK(zmq_connect(b, ep));
    t0 = now();
    if (!strcmp(what, "sendrecv")) {
        for (long i = 0; i < count; i++) {
            CHECK(zmq_send(a, buf, size, 0));
            CHECK(zmq_recv(b, buf, size, 0));
        }
    } else if (!strcmp(what, "multipart")) {
        for (long i = 0; i < count; i++) {
            for (int f = 0; f < frames; f++)
                CHECK(zmq_send(a, buf, size, f < frames - 1 ? ZMQ_SNDMORE : 0));
            do {
                zmq_msg_init(&msg);
                CHECK(zmq_msg_recv(&msg, b, 0));
                value = zmq_msg_more(&msg);
                zmq_msg_close(&msg);
            } while (value);
        }
    } else if (!strcmp(what, "zerocopy")) {
        for (long i = 0; i < count; i++) {
            send_one(a, buf, size, 0, 0);
            recv_one(b, buf, size, 0);
        }
    } else if (!strcmp(what, "getopt")) {
        int option = !strcmp(arg, "events") ? ZMQ_EVENTS : ZMQ_RCVMORE;
        for (long i = 0; i < count; i++)
            CHECK(zmq_getsockopt(a, option, &value, &len));
    } else if (!strcmp(what, "setopt")) {
        for (long i = 0; i < count; i++)
            CHECK(zmq_setsockopt(a, ZMQ_LINGER, &value, sizeof value));
    } else if (!strcmp(what, "msginit")) {
        for (long i = 0; i < count; i++) {
            CHECK(zmq_msg_init_size(&msg, size));
            memcpy(zmq_msg_data(&msg), buf, size);
            zmq_msg_close(&msg);
        }
    } else {
        fprintf(stderr, "zmqx_cbench: unknown scenario %s\n", what);
        exit(2);
    }
    report(count, now() - t0);
    zmq_close(a);
    zmq_close(b);
    zmq_ctx_term(ctx);
    free(buf);
}

static void run_poll(int nsockets, long count)
{
    void *ctx = zmq_ctx_new();
    zmq_pollitem_t *items = calloc((size_t)nsockets, sizeof *items);
    double t0;
    for (int i = 0; i < nsockets; i++) {
        items[i].socket = new_socket(ctx, ZMQ_PULL);
        items[i].events = ZMQ_POLLIN;
    }
    t0 = now();
    for (long i = 0; i < count; i++)
        CHECK(zmq_poll(items, nsockets, 0));
    report(count, now() - t0);
    for (int i = 0; i < nsockets; i++)
        zmq_close(items[i].socket);
    zmq_ctx_term(ctx);
    free(items);
}

static void usage(void)
{
    fprintf(stderr, "usage: zmqx_cbench SCENARIO ARGS... COUNT (see the source's header)\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    long count = argc > 2 ? atol(argv[argc - 1]) : 0;
    int major, minor, patch;
    alarm(GUARD_S);
    if (!strcmp(what, "version")) {
        zmq_version(&major, &minor, &patch);
        printf("{\"libzmq\": \"%d.%d.%d\"}\n", major, minor, patch);
    } else if (count <= 0) {
        usage();
    } else if (!strcmp(what, "thr") && argc == 6) {
        run_thr(argv[2], (size_t)atol(argv[3]), atoi(argv[4]), count);
    } else if (!strcmp(what, "lat") && argc == 6) {
        run_lat(argv[2], argv[3], (size_t)atol(argv[4]), count);
    } else if (!strcmp(what, "proxy") && argc == 5) {
        run_proxy(argv[2], (size_t)atol(argv[3]), count);
    } else if (!strcmp(what, "poll") && argc == 4) {
        run_poll(atoi(argv[2]), count);
    } else if (!strcmp(what, "multipart") && argc == 5) {
        run_call(what, argv[2], (size_t)atol(argv[3]), count);
    } else if ((!strcmp(what, "getopt") || !strcmp(what, "setopt")) && argc == 4) {
        run_call(what, argv[2], 8, count);
    } else if (argc == 4) {
        run_call(what, "1", (size_t)atol(argv[2]), count);
    } else {
        usage();
    }
    return 0;
}
