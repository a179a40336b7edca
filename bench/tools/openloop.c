/* openloop: an open-loop HTTP/1.1 load generator for bench/run's fixed-rate scenarios.
 *
 * Requests are due at a fixed rate (request i at start + i / rate, evenly spaced) whatever the
 * server does: a slow response does not delay the next request's due time. Each request goes out
 * on one of --connections keep-alive connections, one request per connection at a time (no
 * pipelining); when every connection is busy the request waits in a FIFO queue with its clock
 * already running. Latency is counted from the request's due time to the last byte of its
 * response, so time spent queued behind a slow response counts (no coordinated omission; the
 * correction wrk2 makes). The service time (from the moment the request was written) and the
 * send lag (written minus due: queueing plus this process being late) are reported beside it.
 *
 * Before the clock starts, each connection carries one uncounted warm-up request.
 *
 * Output: one line "BENCHJSON {...}" with the same fields as bench/lib/common.lua (requests,
 * duration_us, bytes, errors, latency_us) plus offered_rps, due, service_us, send_lag_us,
 * max_queue and reconnects. Every request due within --duration is either answered or counted
 * as an error (timeout: no answer within --timeout seconds of its due time). Memory is bounded:
 * three 8-byte slots per due request (rate x duration) and a queue of at most that many.
 *
 * Build: cc -O2 -o openloop openloop.c (bench/run does this in its temp directory).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HEAD_MAX 16384
#define NS 1000000000LL

enum body_mode { BODY_LENGTH, BODY_CHUNKED, BODY_UNTIL_CLOSE };
enum chunk_state { CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_CRLF, CHUNK_TRAILER };

struct conn {
    int fd;
    int busy;        /* a request is outstanding on it */
    int idle;        /* it is on the idle stack */
    int64_t due_ns;  /* that request's due time */
    int64_t sent_ns; /* when it was written */
    /* response parsing */
    char head[HEAD_MAX];
    size_t head_len;
    int in_body;
    int status;
    int close_after;
    enum body_mode mode;
    int64_t body_left; /* BODY_LENGTH: bytes left; BODY_CHUNKED: bytes left of the chunk */
    enum chunk_state cstate;
    char line[256]; /* chunk-size or trailer line being read */
    size_t line_len;
};

static struct {
    const char* host;
    int port;
    const char* path;
    double rate;
    double duration;
    int connections;
    double timeout;
} opt = {"127.0.0.1", 0, "/", 1000, 10, 64, 10};

static struct {
    uint64_t due, done, bytes, reconnects;
    uint64_t err_connect, err_read, err_write, err_status, err_timeout;
    size_t max_queue;
} st;

static int64_t *lat, *service, *lag; /* per answered request, ns */
static size_t nlat, cap;

static int64_t* queue; /* due times waiting for a connection (ring of qcap) */
static size_t qhead, qlen, qcap;

static struct conn* conns;
static int* idle; /* stack of idle connection indexes */
static int nidle;
static int ep;
static int counting; /* 0 during the warm-up: answers are not recorded */
static char request[2048];
static size_t request_len;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

static void die(const char* what) {
    perror(what);
    exit(2);
}

static int open_conn(struct conn* c) {
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)opt.port);
    if (inet_pton(AF_INET, opt.host, &sa.sin_addr) != 1) {
        fprintf(stderr, "openloop: bad host %s\n", opt.host);
        exit(2);
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    /* A blocking connect: on loopback it is quick, and it keeps the state machine small. */
    if (connect(fd, (struct sockaddr*)&sa, sizeof sa) != 0 ||
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
        close(fd);
        return -1;
    }
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = EPOLLIN;
    ev.data.ptr = c;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) die("epoll_ctl");
    c->fd = fd;
    c->busy = 0;
    return 0;
}

static void reset_parse(struct conn* c) {
    c->head_len = 0;
    c->in_body = 0;
    c->status = 0;
    c->close_after = 0;
    c->line_len = 0;
}

static void make_idle(struct conn* c) {
    if (!c->idle) {
        c->idle = 1;
        idle[nidle++] = (int)(c - conns);
    }
}

/* Closes c and opens it again: idle if that worked, off the idle stack if not. */
static void reopen(struct conn* c) {
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->busy = 0;
    reset_parse(c);
    st.reconnects++;
    if (open_conn(c) == 0) {
        make_idle(c);
        return;
    }
    st.err_connect++;
    if (c->idle) {
        int me = (int)(c - conns);
        for (int i = 0; i < nidle; i++)
            if (idle[i] == me) idle[i] = idle[--nidle];
        c->idle = 0;
    }
}

static void record(struct conn* c, int64_t t) {
    if (!counting) { /* a warm-up answer */
        c->busy = 0;
        return;
    }
    if (nlat < cap) {
        lat[nlat] = t - c->due_ns;
        service[nlat] = t - c->sent_ns;
        lag[nlat] = c->sent_ns - c->due_ns;
        nlat++;
    }
    st.done++;
    if (c->status >= 400) st.err_status++;
    c->busy = 0;
}

static void enqueue(int64_t due) {
    if (qlen == qcap) { /* cannot happen: qcap is every request that can be due */
        st.err_timeout++;
        return;
    }
    queue[(qhead + qlen) % qcap] = due;
    qlen++;
    if (qlen > st.max_queue) st.max_queue = qlen;
}

static void send_on(struct conn* c, int64_t due) {
    c->due_ns = due;
    c->sent_ns = now_ns();
    c->busy = 1;
    reset_parse(c);
    ssize_t n = send(c->fd, request, request_len, MSG_NOSIGNAL);
    if (n != (ssize_t)request_len) { /* a short write of a small request into an idle socket */
        st.err_write++;
        reopen(c);
    }
}

static void dispatch(void) {
    while (qlen > 0 && nidle > 0) {
        struct conn* c = &conns[idle[--nidle]];
        c->idle = 0;
        int64_t due = queue[qhead];
        qhead = (qhead + 1) % qcap;
        qlen--;
        send_on(c, due);
    }
}

/* Parses the head in c->head[0..end) (end just past the blank line). */
static int parse_head(struct conn* c, size_t end) {
    c->head[end - 1] = '\0';
    if (strncmp(c->head, "HTTP/1.", 7) != 0 || end < 12) return -1;
    c->status = atoi(c->head + 9);
    c->mode = BODY_UNTIL_CLOSE;
    int http10 = c->head[7] == '0';
    c->close_after = http10;
    char* line = strstr(c->head, "\r\n");
    while (line && line[2] != '\r' && line[2] != '\0') {
        line += 2;
        char* eol = strstr(line, "\r\n");
        if (eol) *eol = '\0';
        char* colon = strchr(line, ':');
        if (colon) {
            *colon = '\0';
            char* v = colon + 1;
            while (*v == ' ' || *v == '\t') v++;
            if (strcasecmp(line, "content-length") == 0) {
                if (c->mode != BODY_CHUNKED) {
                    c->mode = BODY_LENGTH;
                    c->body_left = atoll(v);
                }
            } else if (strcasecmp(line, "transfer-encoding") == 0) {
                if (strcasestr(v, "chunked")) {
                    c->mode = BODY_CHUNKED;
                    c->cstate = CHUNK_SIZE;
                    c->line_len = 0;
                }
            } else if (strcasecmp(line, "connection") == 0) {
                if (strcasestr(v, "close")) c->close_after = 1;
                if (strcasestr(v, "keep-alive")) c->close_after = 0;
            }
        }
        if (!eol) break;
        line = eol;
        *line = '\r';
    }
    if (c->status == 204 || c->status == 304 || (c->status >= 100 && c->status < 200)) {
        c->mode = BODY_LENGTH;
        c->body_left = 0;
    }
    c->in_body = 1;
    return 0;
}

/* Consumes body bytes; returns how many were used, and sets *complete when the response ends. */
static size_t eat_body(struct conn* c, const char* p, size_t n, int* complete) {
    size_t used = 0;
    *complete = 0;
    if (c->mode == BODY_LENGTH) {
        size_t take = (int64_t)n < c->body_left ? n : (size_t)c->body_left;
        c->body_left -= (int64_t)take;
        if (c->body_left == 0) *complete = 1;
        return take;
    }
    if (c->mode == BODY_UNTIL_CLOSE) return n;
    while (used < n && !*complete) {
        switch (c->cstate) {
            case CHUNK_DATA: {
                size_t take = (int64_t)(n - used) < c->body_left ? n - used : (size_t)c->body_left;
                used += take;
                c->body_left -= (int64_t)take;
                if (c->body_left == 0) {
                    c->cstate = CHUNK_DATA_CRLF;
                    c->line_len = 0;
                }
                break;
            }
            case CHUNK_DATA_CRLF:
            case CHUNK_SIZE:
            case CHUNK_TRAILER: {
                char ch = p[used++];
                if (ch != '\n') {
                    if (c->line_len < sizeof c->line - 1) c->line[c->line_len++] = ch;
                    break;
                }
                c->line[c->line_len] = '\0';
                if (c->line_len > 0 && c->line[c->line_len - 1] == '\r')
                    c->line[--c->line_len] = '\0';
                if (c->cstate == CHUNK_DATA_CRLF) {
                    c->cstate = CHUNK_SIZE;
                } else if (c->cstate == CHUNK_SIZE) {
                    c->body_left = strtoll(c->line, NULL, 16);
                    c->cstate = c->body_left > 0 ? CHUNK_DATA : CHUNK_TRAILER;
                } else if (c->line_len == 0) { /* the blank line after the last chunk */
                    *complete = 1;
                }
                c->line_len = 0;
                break;
            }
        }
    }
    return used;
}

static void on_readable(struct conn* c) {
    char buf[65536];
    for (;;) {
        ssize_t n = recv(c->fd, buf, sizeof buf, 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { /* closed (or reset) */
            if (c->busy && c->in_body && c->mode == BODY_UNTIL_CLOSE) {
                record(c, now_ns());
            } else if (c->busy) {
                st.err_read++;
            }
            reopen(c);
            return;
        }
        st.bytes += (uint64_t)n;
        if (!c->busy) { /* bytes nobody asked for: the connection is out of step */
            st.err_read++;
            reopen(c);
            return;
        }
        size_t off = 0;
        while (off < (size_t)n) {
            if (!c->in_body) {
                size_t take = (size_t)n - off;
                if (take > HEAD_MAX - 1 - c->head_len) take = HEAD_MAX - 1 - c->head_len;
                memcpy(c->head + c->head_len, buf + off, take);
                size_t before = c->head_len;
                c->head_len += take;
                c->head[c->head_len] = '\0';
                char* end = strstr(c->head, "\r\n\r\n");
                if (!end) {
                    if (c->head_len >= HEAD_MAX - 1) { /* a head this big: give up on it */
                        st.err_read++;
                        reopen(c);
                        return;
                    }
                    off += take;
                    continue;
                }
                size_t head_end = (size_t)(end - c->head) + 4;
                off += head_end - before;
                if (parse_head(c, head_end) != 0) {
                    st.err_read++;
                    reopen(c);
                    return;
                }
            }
            int complete = 0;
            off += eat_body(c, buf + off, (size_t)n - off, &complete);
            if (complete) {
                record(c, now_ns());
                if (off < (size_t)n || c->close_after) { /* extra bytes, or the server closes */
                    if (off < (size_t)n) st.err_read++;
                    reopen(c);
                    return;
                }
                make_idle(c);
                return;
            }
        }
    }
}

/* Requests outstanding longer than the timeout: counted, and their connection replaced. */
static void expire(int64_t t) {
    int64_t limit = (int64_t)(opt.timeout * NS);
    for (int i = 0; i < opt.connections; i++) {
        struct conn* c = &conns[i];
        if (c->fd >= 0 && c->busy && t - c->due_ns > limit) {
            st.err_timeout++;
            reopen(c);
        }
    }
    while (qlen > 0 && t - queue[qhead] > limit) {
        st.err_timeout++;
        qhead = (qhead + 1) % qcap;
        qlen--;
    }
}

static int cmp64(const void* a, const void* b) {
    int64_t x = *(const int64_t*)a, y = *(const int64_t*)b;
    return x < y ? -1 : x > y;
}

static double pct(int64_t* v, size_t n, double q) { /* nearest rank, in microseconds */
    if (n == 0) return 0;
    size_t k = (size_t)(q / 100.0 * (double)n + 0.999999);
    if (k < 1) k = 1;
    if (k > n) k = n;
    return (double)v[k - 1] / 1000.0;
}

static void print_dist(const char* name, int64_t* v, size_t n, int last) {
    qsort(v, n, sizeof *v, cmp64);
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += (double)v[i];
    printf(
        "\"%s\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f,"
        "\"mean\":%.1f}%s",
        name, pct(v, n, 50), pct(v, n, 90), pct(v, n, 99), pct(v, n, 99.9),
        n ? (double)v[n - 1] / 1000.0 : 0, n ? sum / (double)n / 1000.0 : 0, last ? "" : ",");
}

static void usage(void) {
    fprintf(stderr,
            "usage: openloop --port N [--host 127.0.0.1] [--path /] --rate REQ_PER_S\n"
            "                [--duration S] [--connections N] [--timeout S]\n");
    exit(2);
}

int main(int argc, char** argv) {
    static struct option longopts[] = {
        {"host", required_argument, 0, 'h'},     {"port", required_argument, 0, 'p'},
        {"path", required_argument, 0, 'u'},     {"rate", required_argument, 0, 'r'},
        {"duration", required_argument, 0, 'd'}, {"connections", required_argument, 0, 'c'},
        {"timeout", required_argument, 0, 't'},  {0, 0, 0, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (o) {
            case 'h':
                opt.host = optarg;
                break;
            case 'p':
                opt.port = atoi(optarg);
                break;
            case 'u':
                opt.path = optarg;
                break;
            case 'r':
                opt.rate = atof(optarg);
                break;
            case 'd':
                opt.duration = atof(optarg);
                break;
            case 'c':
                opt.connections = atoi(optarg);
                break;
            case 't':
                opt.timeout = atof(optarg);
                break;
            default:
                usage();
        }
    }
    if (opt.port <= 0 || opt.port > 65535 || opt.rate <= 0 || opt.duration <= 0 ||
        opt.connections < 1 || opt.timeout <= 0 || strlen(opt.path) > 1500)
        usage();

    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* wake up on time, not up to 50 us late */

    request_len = (size_t)snprintf(request, sizeof request,
                                   "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: openloop\r\n\r\n",
                                   opt.path, opt.host, opt.port);
    cap = (size_t)(opt.rate * opt.duration) + 16;
    qcap = cap;
    lat = malloc(cap * sizeof *lat);
    service = malloc(cap * sizeof *service);
    lag = malloc(cap * sizeof *lag);
    queue = malloc(qcap * sizeof *queue);
    conns = calloc((size_t)opt.connections, sizeof *conns);
    idle = malloc((size_t)opt.connections * sizeof *idle);
    if (!lat || !service || !lag || !queue || !conns || !idle) die("malloc");
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    /* Warm-up: one uncounted request on each connection as soon as it is open, as wrk does, so
     * that no connection's first request (accept, first buffers) is measured. It does not spread
     * the connections over the workers of a server whose workers share one listening socket
     * (nginx without reuseport): those may all go to the first worker to wake. */
    struct epoll_event evs[256];
    for (int i = 0; i < opt.connections; i++) {
        conns[i].fd = -1;
        if (open_conn(&conns[i]) != 0) {
            st.err_connect++;
            continue;
        }
        send_on(&conns[i], now_ns());
    }
    const int64_t warm_deadline = now_ns() + (int64_t)(opt.timeout * NS);
    for (;;) {
        int busy = 0;
        for (int i = 0; i < opt.connections; i++) busy += conns[i].busy;
        if (busy == 0 || now_ns() > warm_deadline) break;
        struct timespec ts = {0, NS / 10};
        int n = epoll_pwait2(ep, evs, 256, &ts, NULL);
        if (n < 0 && errno != EINTR) die("epoll_pwait2");
        for (int i = 0; i < n; i++) on_readable((struct conn*)evs[i].data.ptr);
    }
    for (int i = 0; i < opt.connections; i++)
        if (conns[i].busy) reopen(&conns[i]); /* no warm-up answer: start afresh */
    uint64_t connect_errors = st.err_connect;
    memset(&st, 0, sizeof st);
    st.err_connect = connect_errors;
    counting = 1;
    if (nidle == 0) {
        fprintf(stderr, "openloop: could not connect to %s:%d\n", opt.host, opt.port);
        return 1;
    }

    const int64_t start = now_ns() + NS / 20;
    const int64_t stop = start + (int64_t)(opt.duration * NS);
    const int64_t give_up = stop + (int64_t)(opt.timeout * NS);
    int64_t next_due = start, last_expire = start;
    uint64_t i_due = 0;
    for (;;) {
        int64_t t = now_ns();
        while (next_due <= t && next_due < stop) {
            enqueue(next_due);
            st.due++;
            i_due++;
            next_due = start + (int64_t)((double)i_due * (double)NS / opt.rate);
        }
        dispatch();
        if (t - last_expire > NS / 10) {
            expire(t);
            last_expire = t;
            dispatch();
        }
        int outstanding = qlen > 0;
        for (int i = 0; i < opt.connections && !outstanding; i++) outstanding = conns[i].busy;
        if (next_due >= stop && !outstanding) break;
        if (t > give_up) break;
        int64_t wait = next_due < stop ? next_due - t : NS / 10;
        if (wait < 0) wait = 0;
        if (wait > NS / 10) wait = NS / 10;
        struct timespec ts = {wait / NS, wait % NS};
        int n = epoll_pwait2(ep, evs, 256, &ts, NULL);
        if (n < 0 && errno != EINTR) die("epoll_pwait2");
        for (int i = 0; i < n; i++) on_readable((struct conn*)evs[i].data.ptr);
    }
    for (int i = 0; i < opt.connections; i++)
        if (conns[i].busy) st.err_timeout++;
    st.err_timeout += qlen;

    printf(
        "BENCHJSON {\"requests\":%llu,\"due\":%llu,\"duration_us\":%lld,\"bytes\":%llu,"
        "\"offered_rps\":%.1f,\"connections\":%d,\"max_queue\":%zu,\"reconnects\":%llu,"
        "\"errors\":{\"connect\":%llu,\"read\":%llu,\"write\":%llu,\"status\":%llu,"
        "\"timeout\":%llu},",
        (unsigned long long)st.done, (unsigned long long)st.due, (long long)((stop - start) / 1000),
        (unsigned long long)st.bytes, opt.rate, opt.connections, st.max_queue,
        (unsigned long long)st.reconnects, (unsigned long long)st.err_connect,
        (unsigned long long)st.err_read, (unsigned long long)st.err_write,
        (unsigned long long)st.err_status, (unsigned long long)st.err_timeout);
    print_dist("latency_us", lat, nlat, 0);
    print_dist("service_us", service, nlat, 0);
    print_dist("send_lag_us", lag, nlat, 1);
    printf("}\n");
    return 0;
}
