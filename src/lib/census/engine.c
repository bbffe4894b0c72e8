/* The probing engine: one thread, non-blocking sockets on epoll, at most `concurrency`
 * connections at once, a deadline on every connect and every exchange (a slow drip cannot stretch
 * it: the deadline is set when the exchange starts, not renewed by each byte), and a cap on the
 * bytes read from one service over all its exchanges.
 *
 * A service is probed by trying candidate protocols in order: the one its port suggests, then
 * the generic chain (wait for a greeting, HTTP, Redis, memcached, PostgreSQL, MongoDB). Each
 * protocol parser judges the bytes read so far (census.h: ld_pv) and the engine does what it says:
 * read more, ask the next question on the same or a new connection, switch protocol, or stop.
 * Probes met with silence twice end the job: an open port that answers nothing gets a record
 * that says so. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "util/common.h"
#include "census/census.h"

/* Named limits and defaults. */
#define ENG_MAX_EXCHANGES 12	  /* exchanges with one service */
#define ENG_MAX_CONNECTIONS 8	  /* connections to one service */
#define ENG_SILENT_LIMIT 2	  /* probes met with silence before we stop asking */
#define ENG_READ_CHUNK 16384	  /* bytes per recv() */
#define ENG_MAX_CONCURRENCY 65536 /* connections at once, whatever the caller asks */
#define ENG_MAX_TARGETS_SPECS 65536
#define ENG_MAX_PORTS 65536
#define ENG_DEFAULT_TIMEOUT_MS 3000
#define ENG_DEFAULT_BANNER_MS 800
#define ENG_DEFAULT_CONCURRENCY 256
#define ENG_DEFAULT_MAX_BYTES 65536
#define ENG_DEFAULT_MAX_TARGETS ((size_t)1 << 20)
#define ENG_FD_RESERVE 32 /* descriptors left to the rest of the process */
#define ENG_DEFAULT_PORTS \
	"21,22,25,80,110,143,443,2375,2379,3306,5000,5432,5984,6379,6443,8080,8443,8500,9200," \
	"11211,27017"

typedef struct spec {
	char name[LD_CENSUS_TARGET_MAX + 1]; /* as given */
	bool is_name;			     /* a host name (kept as the "host" attribute) */
	struct sockaddr_storage addr;	     /* single address, or the CIDR base (IPv4) */
	socklen_t alen;
	uint32_t v4_first, v4_count; /* CIDR range in host order; count 0 = single address */
	const uint16_t *ports;
	size_t nports;
	uint16_t own_port; /* "host:port" */
} spec;

enum { S_FREE = 0, S_CONNECTING, S_EXCHANGE };

typedef struct slot {
	int state;
	uint32_t gen; /* bumped for every new descriptor: stale epoll events are ignored */
	uint64_t seq; /* job order, for the record order */
	int fd;
	struct sockaddr_storage addr;
	socklen_t alen;
	char addrstr[INET6_ADDRSTRLEN];
	const spec *sp;
	uint16_t port;
	int probe;
	unsigned step;
	uint32_t tried;
	int8_t cands[LD_PROBE_COUNT];
	size_t ncands, ci;
	ld_buf rx, tx;
	size_t txoff;
	bool conn_used;	   /* this connection has carried a request or a greeting */
	bool conn_eof;	   /* the peer closed this connection */
	bool opened;	   /* some connection was accepted */
	bool capped;	   /* the byte cap was reached */
	bool ever_data;
	bool closed_silent; /* the first connection was closed before any word */
	uint64_t deadline;  /* ms, monotonic */
	uint64_t bytes;
	unsigned conns, exchanges, silent;
	ld_census_obs obs;
	char evid[LD_CENSUS_EVIDENCE_MAX];
	size_t evid_len;
} slot;

typedef struct seqrec {
	uint64_t seq;
	lading_census_record rec;
} seqrec;

typedef struct engine {
	lading_census *c;
	lading_ctx *ctx;
	int epfd;
	slot *slots;
	size_t nslots, active;
	unsigned timeout_ms, banner_ms;
	size_t max_bytes;
	spec *specs;
	size_t nspecs;
	/* iterator over (spec, address, port) */
	size_t it_spec, it_addr, it_port;
	uint64_t next_seq;
	ld_vec results; /* seqrec */
	bool warned_fd, warned_addr;
	int err;
} engine;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ------------------------------------------------------------------ targets */

int ld_census_parse_ports(const char *specstr, uint16_t **out, size_t *n, lading_ctx *ctx)
{
	uint8_t *bits = calloc(1, 65536 / 8);
	const char *p = specstr;
	uint16_t *ports;
	size_t count = 0, k = 0;
	*out = NULL;
	*n = 0;
	if (!bits)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	while (*p) {
		char *end;
		long a, b;
		errno = 0;
		a = strtol(p, &end, 10);
		if (end == p || errno || a < 1 || a > 65535)
			goto bad;
		b = a;
		if (*end == '-') {
			p = end + 1;
			b = strtol(p, &end, 10);
			if (end == p || errno || b < a || b > 65535)
				goto bad;
		}
		for (long x = a; x <= b; x++) {
			if (!(bits[x >> 3] & (1u << (x & 7))))
				count++;
			bits[x >> 3] |= (uint8_t)(1u << (x & 7));
		}
		if (*end == ',')
			end++;
		else if (*end)
			goto bad;
		p = end;
	}
	if (!count)
		goto bad;
	ports = malloc(count * sizeof(*ports));
	if (!ports) {
		free(bits);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	for (unsigned x = 1; x < 65536; x++)
		if (bits[x >> 3] & (1u << (x & 7)))
			ports[k++] = (uint16_t)x;
	free(bits);
	*out = ports;
	*n = k;
	return 0;
bad:
	free(bits);
	return ld_error_set(ctx, LADING_EUSAGE,
			    "bad port list '%s': use numbers 1-65535 and ranges, e.g. 22,80,8000-8100",
			    specstr);
}

static int parse_target(spec *s, const char *t, lading_ctx *ctx)
{
	char host[LD_CENSUS_TARGET_MAX + 1];
	const char *slash;
	char *colon;
	struct addrinfo hints, *res = NULL;
	long port = 0;
	int prefix = -1, g;

	memset(s, 0, sizeof(*s));
	if (!*t || strlen(t) > LD_CENSUS_TARGET_MAX)
		return ld_error_set(ctx, LADING_EUSAGE, "bad target '%s'", t);
	ld_strlcpy(host, t, sizeof(host));
	if (host[0] == '[') { /* [v6]:port */
		char *close = strchr(host, ']');
		if (!close || (close[1] && close[1] != ':'))
			return ld_error_set(ctx, LADING_EUSAGE, "bad target '%s'", t);
		if (close[1] == ':') {
			char *end;
			errno = 0;
			port = strtol(close + 2, &end, 10);
			if (*end || errno || port < 1 || port > 65535)
				return ld_error_set(ctx, LADING_EUSAGE, "bad port in target '%s'", t);
		}
		*close = '\0';
		memmove(host, host + 1, strlen(host + 1) + 1);
	} else if ((colon = strchr(host, ':')) && !strchr(colon + 1, ':')) { /* host:port */
		char *end;
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (*end || errno || port < 1 || port > 65535)
			return ld_error_set(ctx, LADING_EUSAGE, "bad port in target '%s'", t);
		host[colon - host] = '\0';
	}
	if ((slash = strchr(host, '/'))) {
		char *end;
		errno = 0;
		prefix = (int)strtol(slash + 1, &end, 10);
		if (*end || errno || prefix < 0 || prefix > 32 || end == slash + 1)
			return ld_error_set(ctx, LADING_EUSAGE,
					    "bad CIDR '%s' (IPv4 ranges A.B.C.D/0-32 only)", t);
		host[slash - host] = '\0';
	}
	ld_strlcpy(s->name, host, sizeof(s->name));
	s->own_port = (uint16_t)port;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = prefix >= 0 ? AF_INET : AF_UNSPEC;
	hints.ai_flags = AI_NUMERICHOST;
	g = getaddrinfo(host, NULL, &hints, &res);
	if (g != 0 && prefix < 0) {
		hints.ai_flags = AI_ADDRCONFIG;
		g = getaddrinfo(host, NULL, &hints, &res);
		s->is_name = true;
	}
	if (g != 0 || !res)
		return ld_error_set(ctx, g == EAI_NONAME || g == EAI_NODATA ? LADING_ENOTFOUND : LADING_EUSAGE,
				    "target '%s': %s", t, gai_strerror(g));
	/* the first address the resolver prefers, as nmap does */
	memcpy(&s->addr, res->ai_addr, res->ai_addrlen);
	s->alen = res->ai_addrlen;
	freeaddrinfo(res);
	if (prefix >= 0) {
		uint32_t base = ntohl(((struct sockaddr_in *)&s->addr)->sin_addr.s_addr);
		uint32_t mask = prefix ? ~(uint32_t)0 << (32 - prefix) : 0;
		s->v4_first = base & mask;
		s->v4_count = prefix ? (uint32_t)1 << (32 - prefix) : 0;
		if (!prefix)
			return ld_error_set(ctx, LADING_ELIMIT, "target '%s': a /0 range is the whole internet", t);
	}
	return 0;
}

static uint64_t spec_addrs(const spec *s)
{
	return s->v4_count ? s->v4_count : 1;
}

/* Next (spec, address, port) into the slot; false when all are done. */
static bool next_target(engine *e, slot *sl)
{
	while (e->it_spec < e->nspecs) {
		const spec *s = &e->specs[e->it_spec];
		if (e->it_addr < spec_addrs(s) && e->it_port < s->nports) {
			sl->sp = s;
			memcpy(&sl->addr, &s->addr, s->alen);
			sl->alen = s->alen;
			if (s->v4_count) {
				struct sockaddr_in *in = (struct sockaddr_in *)&sl->addr;
				in->sin_addr.s_addr = htonl(s->v4_first + (uint32_t)e->it_addr);
			}
			sl->port = s->ports[e->it_port];
			if (++e->it_port >= s->nports) {
				e->it_port = 0;
				e->it_addr++;
			}
			return true;
		}
		e->it_spec++;
		e->it_addr = e->it_port = 0;
	}
	return false;
}

/* ------------------------------------------------------------------ slots */

static void slot_close(engine *e, slot *sl)
{
	if (sl->fd >= 0) {
		epoll_ctl(e->epfd, EPOLL_CTL_DEL, sl->fd, NULL);
		close(sl->fd);
		sl->fd = -1;
	}
}

static void remember_evidence(slot *sl, ld_slice data)
{
	if (!data.len)
		return;
	sl->ever_data = true;
	sl->evid_len = LD_MIN(data.len, sizeof(sl->evid));
	memcpy(sl->evid, data.ptr, sl->evid_len);
}

static void finish(engine *e, slot *sl)
{
	ld_census_obs *o = &sl->obs;
	seqrec *sr;
	char when[32];
	slot_close(e, sl);
	if (sl->opened && !e->err) {
		if (!o->evidence && sl->evid_len)
			ld_census_obs_evidence(o, ld_slice_make(sl->evid, sl->evid_len));
		if (!o->service && !o->product) {
			if (sl->ever_data)
				o->note = "unrecognized service: the raw banner is in the evidence";
			else if (sl->closed_silent)
				o->note = "the service closed the connection without a word";
			else
				o->note = "the port accepted connections but answered no probe";
		}
		if (sl->capped && !o->note)
			o->note = "read cap reached";
		if (sl->sp->is_name)
			ld_census_obs_attr(o, "host", ld_slice_cstr(sl->sp->name));
		ld_census_obs_finish(o);
		if (o->product)
			e->c->stats.identified++;
		if (o->product && o->version)
			e->c->stats.versioned++;
		ld_census_now(when);
		if (!(sr = ld_vec_push(&e->results))) {
			e->err = LADING_ENOMEM;
		} else {
			sr->seq = sl->seq;
			if (ld_census_obs_to_record(o, &sr->rec)) {
				e->err = LADING_ENOMEM;
			} else {
				sr->rec.target = ld_arena_strdup(&e->c->arena, sl->addrstr);
				sr->rec.port = sl->port;
				sr->rec.transport = "tcp";
				sr->rec.time = ld_arena_strdup(&e->c->arena, when);
				sr->rec.source = "probe";
			}
		}
	}
	sl->state = S_FREE;
	e->active--;
}

static int watch(engine *e, slot *sl, uint32_t events, int op)
{
	struct epoll_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u64 = (uint64_t)(sl - e->slots) | (uint64_t)sl->gen << 32;
	return epoll_ctl(e->epfd, op, sl->fd, &ev);
}

static void conn_open(engine *e, slot *sl);
static void begin_exchange(engine *e, slot *sl);

/* Start the next untried candidate; on the same connection when it is fresh and open. */
static void next_candidate(engine *e, slot *sl, bool same_conn_ok)
{
	int p = -1;
	while (sl->ci < sl->ncands) {
		int c = sl->cands[sl->ci++];
		if (!(sl->tried & (1u << c))) {
			p = c;
			break;
		}
	}
	if (p < 0 || sl->silent >= ENG_SILENT_LIMIT || sl->capped) {
		finish(e, sl);
		return;
	}
	sl->probe = p;
	sl->step = 0;
	sl->tried |= 1u << p;
	ld_census_obs_init(&sl->obs, &e->c->arena);
	if (same_conn_ok && sl->fd >= 0 && !sl->conn_used && !sl->conn_eof &&
	    !ld_census_probes[p].server_first) {
		begin_exchange(e, sl);
		return;
	}
	conn_open(e, sl);
}

static void reconnect(engine *e, slot *sl)
{
	if (sl->capped) {
		finish(e, sl);
		return;
	}
	conn_open(e, sl);
}

static void handle_verdict(engine *e, slot *sl, ld_pv v)
{
	ld_census_obs *o = &sl->obs;
	switch (v) {
	case LD_PV_MORE:
		return;
	case LD_PV_DONE:
		finish(e, sl);
		return;
	case LD_PV_NEXT:
		if (sl->conn_eof || sl->capped) {
			finish(e, sl);
			return;
		}
		sl->step = o->step_next ? o->step_next : sl->step + 1;
		o->step_next = 0;
		begin_exchange(e, sl);
		return;
	case LD_PV_RECONNECT:
		sl->step = o->step_next ? o->step_next : sl->step + 1;
		o->step_next = 0;
		reconnect(e, sl);
		return;
	case LD_PV_SWITCH:
		if (o->switch_to < 0 || o->switch_to >= LD_PROBE_COUNT ||
		    (sl->tried & (1u << o->switch_to))) {
			next_candidate(e, sl, false);
			return;
		}
		sl->probe = o->switch_to;
		sl->tried |= 1u << sl->probe;
		sl->step = 0;
		ld_census_obs_init(o, &e->c->arena);
		reconnect(e, sl);
		return;
	case LD_PV_NOMATCH:
	default:
		/* a later step that fails leaves the earlier steps' findings standing */
		if (sl->step > 0 && (o->service || o->product)) {
			finish(e, sl);
			return;
		}
		next_candidate(e, sl, true);
		return;
	}
}

/* Judge what the current exchange read. `eof`: no more will come; `timed_out`: because of the
 * deadline. */
static void evaluate(engine *e, slot *sl, bool eof, bool timed_out)
{
	ld_slice data = ld_buf_slice(&sl->rx);
	const ld_census_probe *pr;
	ld_pv v;
	if (sl->capped)
		eof = true;
	remember_evidence(sl, data);
	if (data.len)
		sl->conn_used = true;
	if (!data.len && eof) {
		if (sl->probe == LD_PROBE_BANNER) {
			if (timed_out) {
				next_candidate(e, sl, true); /* silent: speak first, same connection */
			} else {
				sl->closed_silent = true;
				finish(e, sl);
			}
			return;
		}
		if (timed_out) {
			sl->silent++;
			handle_verdict(e, sl, LD_PV_NOMATCH);
			return;
		}
	}
	if (data.len && (sl->probe == LD_PROBE_BANNER || ld_census_probes[sl->probe].server_first)) {
		/* a greeting: let the protocol it belongs to read it */
		bool reparse;
		int p = ld_census_classify(data, &reparse);
		if (p >= 0 && reparse && p != sl->probe && !(sl->tried & (1u << p))) {
			sl->probe = p;
			sl->tried |= 1u << p;
			ld_census_obs_init(&sl->obs, &e->c->arena);
		}
	}
	pr = &ld_census_probes[sl->probe];
	v = pr->parse(sl->step, data, eof, &sl->obs);
	if (v == LD_PV_MORE && eof)
		v = LD_PV_NOMATCH;
	if (v == LD_PV_NOMATCH && data.len && sl->step == 0) {
		/* an answer in another protocol ("ERROR" from memcached to Redis' INFO) */
		bool reparse;
		int p = ld_census_classify(data, &reparse);
		if (p >= 0 && !(sl->tried & (1u << p))) {
			sl->tried |= 1u << p;
			ld_census_obs_init(&sl->obs, &e->c->arena);
			if (reparse) {
				sl->probe = p;
				v = ld_census_probes[p].parse(0, data, eof, &sl->obs);
				if (v == LD_PV_MORE && eof)
					v = LD_PV_NOMATCH;
			} else {
				sl->obs.switch_to = p;
				sl->tried &= ~(1u << p);
				v = LD_PV_SWITCH;
			}
		}
	}
	handle_verdict(e, sl, v);
}

static void try_send(engine *e, slot *sl)
{
	while (sl->txoff < sl->tx.len) {
		ssize_t n = send(sl->fd, sl->tx.ptr + sl->txoff, sl->tx.len - sl->txoff, MSG_NOSIGNAL);
		if (n > 0) {
			sl->txoff += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			watch(e, sl, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
			return;
		}
		/* the peer is gone: judge what it said */
		sl->conn_eof = true;
		evaluate(e, sl, true, false);
		return;
	}
	watch(e, sl, EPOLLIN, EPOLL_CTL_MOD);
}

static void begin_exchange(engine *e, slot *sl)
{
	const ld_census_probe *pr = &ld_census_probes[sl->probe];
	if (++sl->exchanges > ENG_MAX_EXCHANGES) {
		finish(e, sl);
		return;
	}
	ld_buf_clear(&sl->rx);
	ld_buf_clear(&sl->tx);
	sl->txoff = 0;
	sl->state = S_EXCHANGE;
	sl->deadline = now_ms() + (sl->probe == LD_PROBE_BANNER ? e->banner_ms : e->timeout_ms);
	if (pr->request && !pr->request(sl->step, &sl->obs, &sl->tx)) {
		/* no such step: what we have is all there is */
		finish(e, sl);
		return;
	}
	if (ld_buf_error(&sl->tx)) {
		finish(e, sl);
		return;
	}
	if (sl->tx.len) {
		sl->conn_used = true;
		try_send(e, sl);
	} else {
		watch(e, sl, EPOLLIN, EPOLL_CTL_MOD);
	}
}

static void connect_failed(engine *e, slot *sl, int err)
{
	if (!sl->opened) {
		if (err == ECONNREFUSED)
			e->c->stats.refused++;
		else if (err == ETIMEDOUT)
			e->c->stats.timeout++;
		else
			e->c->stats.failed++;
		if (err == EADDRNOTAVAIL && !e->warned_addr) {
			e->warned_addr = true;
			ld_warn(e->ctx, "out of local ports (EADDRNOTAVAIL): lower --concurrency");
		}
	}
	finish(e, sl);
}

static void conn_open(engine *e, slot *sl)
{
	int fd;
	slot_close(e, sl);
	if (sl->conns++ >= ENG_MAX_CONNECTIONS) {
		finish(e, sl);
		return;
	}
	sl->conn_used = sl->conn_eof = false;
	fd = socket(sl->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		if (!e->warned_fd) {
			e->warned_fd = true;
			ld_warn(e->ctx, "cannot create a socket: %s", strerror(errno));
		}
		connect_failed(e, sl, errno);
		return;
	}
	sl->fd = fd;
	sl->gen++;
	e->c->stats.connections++;
	sl->state = S_CONNECTING;
	sl->deadline = now_ms() + e->timeout_ms;
	if (connect(fd, (struct sockaddr *)&sl->addr, sl->alen) != 0 && errno != EINPROGRESS) {
		connect_failed(e, sl, errno);
		return;
	}
	if (watch(e, sl, EPOLLOUT, EPOLL_CTL_ADD) != 0)
		connect_failed(e, sl, errno);
}

static void on_connected(engine *e, slot *sl)
{
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(sl->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err) {
		connect_failed(e, sl, err);
		return;
	}
	if (!sl->opened) {
		sl->opened = true;
		e->c->stats.open++;
	}
	begin_exchange(e, sl);
}

static void on_readable(engine *e, slot *sl)
{
	bool eof = false;
	for (;;) {
		size_t room = e->max_bytes > sl->bytes ? e->max_bytes - sl->bytes : 0;
		ssize_t n;
		if (!room) {
			sl->capped = true;
			break;
		}
		if (ld_buf_grow(&sl->rx, LD_MIN(room, (size_t)ENG_READ_CHUNK))) {
			sl->capped = true;
			break;
		}
		n = recv(sl->fd, sl->rx.ptr + sl->rx.len, LD_MIN(room, sl->rx.cap - sl->rx.len - 1), 0);
		if (n > 0) {
			sl->rx.len += (size_t)n;
			sl->rx.ptr[sl->rx.len] = '\0';
			sl->bytes += (uint64_t)n;
			e->c->stats.bytes_read += (uint64_t)n;
			if ((size_t)n < ENG_READ_CHUNK)
				break;
			continue;
		}
		if (n == 0) {
			eof = true;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			eof = true; /* reset: judge what was said */
		break;
	}
	if (eof)
		sl->conn_eof = true;
	evaluate(e, sl, eof, false);
}

static void on_timeout(engine *e, slot *sl)
{
	if (sl->state == S_CONNECTING) {
		connect_failed(e, sl, ETIMEDOUT);
		return;
	}
	evaluate(e, sl, true, true);
}

static void start_job(engine *e, slot *sl)
{
	int hint;
	/* text protocols first: they answer junk quickly; the binary ones close on it */
	const int8_t generic[] = {LD_PROBE_BANNER,    LD_PROBE_HTTP,	 LD_PROBE_REDIS,
				  LD_PROBE_MEMCACHED, LD_PROBE_POSTGRES, LD_PROBE_MONGODB};
	ld_buf rx = sl->rx, tx = sl->tx;
	uint32_t gen = sl->gen;
	const spec *sp = sl->sp;
	struct sockaddr_storage addr = sl->addr;
	socklen_t alen = sl->alen;
	uint16_t port = sl->port;

	memset(sl, 0, sizeof(*sl));
	sl->rx = rx;
	sl->tx = tx;
	sl->gen = gen;
	sl->sp = sp;
	sl->addr = addr;
	sl->alen = alen;
	sl->port = port;
	sl->fd = -1;
	sl->seq = e->next_seq++;
	e->active++;
	e->c->stats.targets++;
	if (addr.ss_family == AF_INET6) {
		((struct sockaddr_in6 *)&sl->addr)->sin6_port = htons(port);
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&sl->addr)->sin6_addr, sl->addrstr,
			  sizeof(sl->addrstr));
	} else {
		((struct sockaddr_in *)&sl->addr)->sin_port = htons(port);
		inet_ntop(AF_INET, &((struct sockaddr_in *)&sl->addr)->sin_addr, sl->addrstr,
			  sizeof(sl->addrstr));
	}
	hint = ld_census_probe_for_port(port);
	if (hint >= 0)
		sl->cands[sl->ncands++] = (int8_t)hint;
	for (size_t i = 0; i < LD_ARRAY_LEN(generic); i++)
		if (generic[i] != hint)
			sl->cands[sl->ncands++] = generic[i];
	ld_census_obs_init(&sl->obs, &e->c->arena);
	/* the first candidate runs on the first connection */
	sl->probe = sl->cands[sl->ci++];
	sl->tried = 1u << sl->probe;
	conn_open(e, sl);
}

static int seq_cmp(const void *a, const void *b)
{
	const seqrec *x = a, *y = b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static unsigned fd_budget(unsigned want, lading_ctx *ctx)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (rlim_t)want + ENG_FD_RESERVE > rl.rlim_cur) {
		unsigned n = rl.rlim_cur > ENG_FD_RESERVE + 1 ? (unsigned)(rl.rlim_cur - ENG_FD_RESERVE) : 1;
		ld_warn(ctx, "concurrency lowered from %u to %u (open file limit %llu)", want, n,
			(unsigned long long)rl.rlim_cur);
		return n;
	}
	return want;
}

/* The engine with the options' values or their defaults. */
static void engine_init(engine *e, lading_census *c, const lading_probe_options *opts, lading_ctx *ctx)
{
	memset(e, 0, sizeof(*e));
	e->c = c;
	e->ctx = ctx;
	e->epfd = -1;
	e->timeout_ms = opts && opts->timeout_ms ? opts->timeout_ms : ENG_DEFAULT_TIMEOUT_MS;
	e->banner_ms = opts && opts->banner_ms ? opts->banner_ms : ENG_DEFAULT_BANNER_MS;
	e->max_bytes = opts && opts->max_bytes ? opts->max_bytes : ENG_DEFAULT_MAX_BYTES;
	ld_vec_init(&e->results, sizeof(seqrec), 0);
}

/* The targets as specs (each with its own port or the ports given); *total counts the
 * host:port pairs, at most max_targets. */
static int parse_specs(engine *e, const char *const *targets, size_t ntargets, uint16_t *ports, size_t nports,
		       size_t max_targets, uint64_t *total, lading_ctx *ctx)
{
	int rc;

	e->specs = calloc(ntargets, sizeof(*e->specs));
	if (!e->specs)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	for (size_t i = 0; i < ntargets; i++) {
		spec *s = &e->specs[i];
		if ((rc = parse_target(s, targets[i], ctx)))
			return rc;
		if (s->own_port) {
			s->ports = &s->own_port;
			s->nports = 1;
		} else {
			s->ports = ports;
			s->nports = nports;
		}
		*total += spec_addrs(s) * s->nports;
		if (*total > max_targets)
			return ld_error_set(ctx, LADING_ELIMIT,
					    "more than %zu host:port pairs to probe (raise the limit or "
					    "narrow the ranges)",
					    max_targets);
	}
	e->nspecs = ntargets;
	return 0;
}

/* One slot per connection open at once, and the epoll instance. */
static int open_slots(engine *e, unsigned concurrency, lading_ctx *ctx)
{
	e->nslots = concurrency ? concurrency : 1;
	e->slots = calloc(e->nslots, sizeof(*e->slots));
	if (!e->slots)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	for (size_t i = 0; i < e->nslots; i++) {
		e->slots[i].fd = -1;
		ld_buf_init(&e->slots[i].rx, e->max_bytes + 1);
		ld_buf_init(&e->slots[i].tx, 4096);
	}
	if ((e->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return ld_error_set(ctx, LADING_EIO, "epoll: %s", strerror(errno));
	return 0;
}

/* Milliseconds until the earliest deadline of a busy slot (at most a minute). */
static int next_wait(const engine *e)
{
	uint64_t now = now_ms(), next = UINT64_MAX;

	for (size_t i = 0; i < e->nslots; i++)
		if (e->slots[i].state != S_FREE && e->slots[i].deadline < next)
			next = e->slots[i].deadline;
	return next <= now ? 0 : (int)LD_MIN(next - now, (uint64_t)60000);
}

/* An epoll event to its slot (events of a slot's earlier job are stale: dropped). */
static void dispatch(engine *e, const struct epoll_event *ev)
{
	uint64_t d = ev->data.u64;
	slot *sl = &e->slots[(uint32_t)d];

	if ((uint32_t)(d >> 32) != sl->gen || sl->state == S_FREE || sl->fd < 0)
		return;
	if (sl->state == S_CONNECTING)
		on_connected(e, sl);
	else if (ev->events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		on_readable(e, sl);
	else if (ev->events & EPOLLOUT)
		try_send(e, sl);
}

/* Until every target is done: fill free slots, wait for events or the next deadline, handle
 * them, time out the slots past their deadline. */
static int run_loop(engine *e, lading_ctx *ctx)
{
	struct epoll_event events[256];

	for (;;) {
		uint64_t now;
		int n;
		for (size_t i = 0; i < e->nslots && !e->err; i++) {
			slot *sl = &e->slots[i];
			while (sl->state == S_FREE && next_target(e, sl))
				start_job(e, sl);
		}
		if (!e->active || e->err)
			break;
		n = epoll_wait(e->epfd, events, (int)LD_ARRAY_LEN(events), next_wait(e));
		if (n < 0 && errno != EINTR)
			return ld_error_set(ctx, LADING_EIO, "epoll_wait: %s", strerror(errno));
		for (int k = 0; k < n; k++)
			dispatch(e, &events[k]);
		now = now_ms();
		for (size_t i = 0; i < e->nslots; i++) {
			slot *sl = &e->slots[i];
			if (sl->state != S_FREE && sl->deadline <= now)
				on_timeout(e, sl);
		}
	}
	if (e->err)
		return ld_error_set(ctx, e->err, "probe: out of memory");
	return 0;
}

/* The records in the order their jobs started. */
static int collect_results(engine *e, lading_census *c, lading_ctx *ctx)
{
	if (e->results.len)
		qsort(e->results.ptr, e->results.len, sizeof(seqrec), seq_cmp);
	for (size_t i = 0; i < e->results.len; i++) {
		seqrec *sr = ld_vec_at(&e->results, i);
		lading_census_record *r = ld_vec_push(&c->recs);
		if (!r)
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
		*r = sr->rec;
	}
	return 0;
}

static void engine_release(engine *e)
{
	if (e->slots) {
		for (size_t i = 0; i < e->nslots; i++) {
			if (e->slots[i].fd >= 0)
				close(e->slots[i].fd);
			ld_buf_release(&e->slots[i].rx);
			ld_buf_release(&e->slots[i].tx);
		}
	}
	if (e->epfd >= 0)
		close(e->epfd);
	free(e->slots);
	free(e->specs);
	ld_vec_release(&e->results);
}

int ld_census_probe_run(lading_census *c, const char *const *targets, size_t ntargets,
			const lading_probe_options *opts, lading_ctx *ctx)
{
	engine e;
	uint16_t *ports = NULL;
	size_t nports = 0;
	uint64_t total = 0, t0 = now_ms();
	size_t max_targets = opts && opts->max_targets ? opts->max_targets : ENG_DEFAULT_MAX_TARGETS;
	unsigned concurrency = opts && opts->concurrency ? opts->concurrency : ENG_DEFAULT_CONCURRENCY;
	int rc = 0;

	engine_init(&e, c, opts, ctx);
	concurrency = LD_MIN(concurrency, (unsigned)ENG_MAX_CONCURRENCY);
	if (!ntargets)
		return ld_error_set(ctx, LADING_EUSAGE, "no target to probe");
	if (ntargets > ENG_MAX_TARGETS_SPECS)
		return ld_error_set(ctx, LADING_ELIMIT, "more than %d targets", ENG_MAX_TARGETS_SPECS);
	if ((rc = ld_census_parse_ports(opts && opts->ports ? opts->ports : ENG_DEFAULT_PORTS, &ports,
					&nports, ctx)))
		return rc;
	if ((rc = parse_specs(&e, targets, ntargets, ports, nports, max_targets, &total, ctx)))
		goto out;
	concurrency = fd_budget((unsigned)LD_MIN((uint64_t)concurrency, total), ctx);
	if ((rc = open_slots(&e, concurrency, ctx)) || (rc = run_loop(&e, ctx)))
		goto out;
	rc = collect_results(&e, c, ctx);
	c->stats.seconds = (double)(now_ms() - t0) / 1000.0;
out:
	engine_release(&e);
	free(ports);
	return rc;
}
