/* The service: listeners, one epoll loop on one thread, connections and their limits.
 *
 * Every connection has an input buffer (parsed from the front by its emulation) and an output
 * buffer, both grown on demand up to a per-service cap and counted against max_buffered for all
 * connections together; a connection that would pass it is closed. Per source address there is
 * a cap on concurrent connections, a token bucket of new connections per second and one of bytes
 * read per second: a source out of byte tokens has its connections paused (not read, so TCP
 * pushes back on the sender) until the bucket refills. A tick (every TICK_MS) refills, resumes,
 * and closes connections idle longer than idle_timeout or older than session_timeout (slow-drip
 * clients). The number of sources tracked is capped too; idle ones are forgotten. */
#include <arpa/inet.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "util/common.h"
#include "util/map.h"
#include "honeypot/hp.h"
#include "util/netaddr.h"

enum { KIND_LISTENER = 1, KIND_CONN, KIND_WAKE };

/* Limits of the loop (the user-facing ones are options). */
#define TICK_MS		 100	       /* refills, resumes and timeouts */
#define SWEEP_MS	 10000	       /* forget idle sources this often */
#define SOURCE_IDLE_MS	 60000	       /* ... when they have had no connection this long */
#define STATE_IDLE_MS	 600000	       /* ... or this long when they created something */
#define READ_CHUNK	 (16 * 1024)   /* bytes read per wake-up and connection */
#define ACCEPTS_PER_WAKE 64	       /* fairness between listeners and connections */
#define EPOLL_BATCH	 256	       /* events per epoll_wait */
#define OUT_PAUSE	 (256 * 1024)  /* stop reading a client that does not read its replies */
#define OUT_MAX		 (1024 * 1024) /* ... and close it past this */
#define BUF_KEEP	 (16 * 1024)   /* buffers above this are freed once empty */
#define LIMIT_EVENT_MS	 10000	       /* at most one honeypot.limit event per source this often */

typedef struct listener {
	int kind;
	int fd;
	int service;
	bool tls;
	uint16_t port;
	char addr[96];
} listener;

/* Why a connection was refused at once (honeypot.limit "reason"). */
enum { LIM_SESSIONS, LIM_CONNS, LIM_RATE, LIM_MEMORY, LIM_LOG, LIM_N };
static const char *const lim_name[LIM_N] = {"max-sessions", "source-conns", "source-conn-rate",
					    "memory", "source-log"};

struct ld_hp_source {
	uint8_t key[17]; /* family + address (IPv6: the /64) */
	char ip[48];
	unsigned conns;
	double conn_tokens, byte_tokens, log_tokens;
	uint64_t log_dropped, log_reported; /* bytes of events not written (LIM_LOG) */
	ld_hp_src_state *state;		    /* what it created (hp.h) */
	uint64_t t_refill, t_last;
	uint32_t refused[LIM_N], reported[LIM_N]; /* by reason */
	uint64_t t_limit_event;
};

struct lading_honeypot {
	struct ld_hp_shared sh;
	lading_honeypot_options o;
	listener lis[LADING_HONEYPOT_MAX_LISTEN];
	size_t nlis;
	int ep, wakefd, reserve_fd;
	void *tls;
	ld_map sources;
	size_t nsources, nstates;
	ld_hp_conn *conns;
	size_t nconns;
	uint64_t buffered;
	uint64_t session_seq, session_salt;
	uint64_t now; /* monotonic ms, updated per wake-up */
	volatile int stopping;
	lading_honeypot_stats st;
	bool ran;
};

struct ld_hp_shared *ld_hp_shared(ld_hp *hp)
{
	return &hp->sh;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void ld_hp_random(void *p, size_t n)
{
	unsigned char *u = p;
	while (n) {
		ssize_t r = getrandom(u, n, 0);
		if (r <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			/* no entropy source at all: ids only need to be distinct, not secret */
			for (size_t i = 0; i < n; i++)
				u[i] = (unsigned char)(mono_ms() >> (i % 8));
			return;
		}
		u += r;
		n -= (size_t)r;
	}
}

/* splitmix64's finalizer: a bijection, so counter + salt gives distinct random-looking ids */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* ---- buffers and accounting ---- */

static bool reserve(ld_hp *hp, char **buf, size_t *cap, size_t need, size_t max)
{
	size_t ncap;
	char *nb;
	if (need <= *cap)
		return true;
	if (need > max)
		return false;
	ncap = *cap ? *cap : 4096;
	while (ncap < need)
		ncap *= 2;
	if (ncap > max)
		ncap = max;
	if (hp->buffered - *cap + ncap > hp->o.max_buffered)
		return false;
	nb = realloc(*buf, ncap);
	if (!nb)
		return false;
	hp->buffered = hp->buffered - *cap + ncap;
	if (hp->buffered > hp->st.buffered_peak)
		hp->st.buffered_peak = hp->buffered;
	*buf = nb;
	*cap = ncap;
	return true;
}

static void release_buf(ld_hp *hp, char **buf, size_t *cap)
{
	hp->buffered -= *cap;
	free(*buf);
	*buf = NULL;
	*cap = 0;
}

static void abort_conn(ld_hp_conn *c, const char *reason)
{
	if (!c->closing) {
		c->closing = true;
		c->close_reason = reason;
		c->hp->st.closed_limit++;
	}
}

void ld_hp_out(ld_hp_conn *c, const void *p, size_t n)
{
	ld_hp *hp = c->hp;
	size_t need;
	if (c->closing || !n)
		return;
	if (c->outoff && c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	if (c->outoff && c->outlen + n > c->outcap) {
		memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
		c->outlen -= c->outoff;
		c->outoff = 0;
	}
	if (ld_add_overflow(c->outlen, n, &need) ||
	    !reserve(hp, &c->out, &c->outcap, need, OUT_MAX)) {
		abort_conn(c, need > OUT_MAX ? "output limit" : "memory limit");
		return;
	}
	memcpy(c->out + c->outlen, p, n);
	c->outlen += n;
}

void ld_hp_outs(ld_hp_conn *c, const char *s)
{
	ld_hp_out(c, s, strlen(s));
}

void ld_hp_outf(ld_hp_conn *c, const char *fmt, ...)
{
	char small[1024];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		ld_hp_out(c, small, (size_t)n);
	} else {
		ld_buf b;
		ld_buf_init(&b, OUT_MAX);
		va_start(ap, fmt);
		ld_buf_vaddf(&b, fmt, ap);
		va_end(ap);
		if (!ld_buf_error(&b))
			ld_hp_out(c, b.ptr, b.len);
		ld_buf_release(&b);
	}
}

/* ---- sources ---- */

/* The source a connection counts against: key, and its label for honeypot.limit (the address, or
 * the /64 of an IPv6 one); ip is the connection's own address. */
static void source_key(const struct sockaddr_storage *ss, uint8_t key[17], char *ip, size_t ipsz,
		       char *label, size_t labelsz, uint16_t *port)
{
	memset(key, 0, 17);
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
		/* v4-mapped addresses are the IPv4 source they stand for */
		if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
			struct in_addr v4;
			memcpy(&v4, a->sin6_addr.s6_addr + 12, 4);
			key[0] = 4;
			memcpy(key + 1, &v4, 4);
			inet_ntop(AF_INET, &v4, ip, (socklen_t)ipsz);
		} else {
			/* one host gets a /64 (or more) to itself: limits count per /64, or a
			 * single attacker would be 2^64 sources */
			struct in6_addr net;
			char a6[INET6_ADDRSTRLEN];
			memset(&net, 0, sizeof(net));
			memcpy(net.s6_addr, a->sin6_addr.s6_addr, 8);
			key[0] = 6;
			memcpy(key + 1, net.s6_addr, 8);
			inet_ntop(AF_INET6, &a->sin6_addr, ip, (socklen_t)ipsz);
			inet_ntop(AF_INET6, &net, a6, sizeof(a6));
			ld_snprintf(label, labelsz, "%s/64", a6);
			*port = ntohs(a->sin6_port);
			return;
		}
		*port = ntohs(a->sin6_port);
	} else {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		key[0] = 4;
		memcpy(key + 1, &a->sin_addr, 4);
		inet_ntop(AF_INET, &a->sin_addr, ip, (socklen_t)ipsz);
		*port = ntohs(a->sin_port);
	}
	ld_strlcpy(label, ip, labelsz);
}

static void report_limit(ld_hp *hp, ld_hp_source *s, bool force);

static void refill(ld_hp *hp, ld_hp_source *s)
{
	uint64_t dt = hp->now - s->t_refill;
	if (!dt)
		return;
	s->t_refill = hp->now;
	if (hp->o.source_conn_rate) {
		double cap = 2.0 * hp->o.source_conn_rate;
		s->conn_tokens += (double)dt * hp->o.source_conn_rate / 1000.0;
		if (s->conn_tokens > cap)
			s->conn_tokens = cap;
	}
	if (hp->o.source_byte_rate) {
		double cap = 4.0 * (double)hp->o.source_byte_rate;
		s->byte_tokens += (double)dt * (double)hp->o.source_byte_rate / 1000.0;
		if (s->byte_tokens > cap)
			s->byte_tokens = cap;
	}
	if (hp->o.source_log_rate) {
		s->log_tokens += (double)dt * (double)hp->o.source_log_rate / 1000.0;
		if (s->log_tokens > (double)hp->o.source_log_burst)
			s->log_tokens = (double)hp->o.source_log_burst;
	}
}

bool ld_hp_source_admit(ld_hp_conn *c, size_t bytes)
{
	ld_hp *hp = c->hp;
	ld_hp_source *s = c->src;
	if (!s || !hp->o.source_log_rate)
		return true;
	refill(hp, s);
	if (s->log_tokens >= (double)bytes) {
		s->log_tokens -= (double)bytes;
		return true;
	}
	s->refused[LIM_LOG]++;
	s->log_dropped += bytes;
	report_limit(hp, s, false); /* the event being built is dropped: its buffer is free */
	return false;
}

ld_hp_src_state *ld_hp_source_state(ld_hp_conn *c, bool create)
{
	ld_hp *hp = c->hp;
	ld_hp_source *s = c->src;
	if (!s)
		return NULL;
	if (!s->state && create && hp->nstates < LD_HP_MAX_STATES) {
		s->state = calloc(1, sizeof(*s->state));
		if (s->state)
			hp->nstates++;
	}
	return s->state;
}

ld_hp_obj *ld_hp_state_add(ld_hp_conn *c, const char *kind)
{
	ld_hp_src_state *st = ld_hp_source_state(c, true);
	ld_hp_obj *o;
	if (!st)
		return NULL;
	if (st->n == LD_HP_STATE_OBJS) {
		memmove(&st->obj[0], &st->obj[1], sizeof(st->obj[0]) * (LD_HP_STATE_OBJS - 1));
		st->n--;
	}
	o = &st->obj[st->n++];
	memset(o, 0, sizeof(*o));
	ld_strlcpy(o->kind, kind, sizeof(o->kind));
	o->created = (int64_t)time(NULL);
	o->seq = ++st->seq;
	return o;
}

/* Still paying off log it wrote: forgetting it would hand it a fresh burst. */
static bool log_in_debt(ld_hp *hp, ld_hp_source *s)
{
	if (!hp->o.source_log_rate)
		return false;
	refill(hp, s);
	return s->log_tokens < (double)hp->o.source_log_burst;
}

static ld_hp_source *source_get(ld_hp *hp, const uint8_t key[17], const char *ip)
{
	ld_hp_source *s = ld_map_get(&hp->sources, ld_slice_make(key, 17));
	if (s) {
		refill(hp, s);
		return s;
	}
	if (hp->nsources >= hp->o.max_sources)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	memcpy(s->key, key, 17);
	ld_strlcpy(s->ip, ip, sizeof(s->ip));
	s->conn_tokens = 2.0 * hp->o.source_conn_rate;
	s->byte_tokens = 4.0 * (double)hp->o.source_byte_rate;
	s->log_tokens = (double)hp->o.source_log_burst;
	s->t_refill = s->t_last = hp->now;
	if (ld_map_put(&hp->sources, ld_slice_make(s->key, 17), s, NULL) != 0) {
		free(s);
		return NULL;
	}
	hp->nsources++;
	return s;
}

static void sweep_sources(ld_hp *hp)
{
	const ld_map_slot *slot;
	ld_hp_source **gone;
	size_t n = 0;
	if (!hp->nsources)
		return;
	gone = calloc(hp->nsources, sizeof(*gone));
	if (!gone)
		return;
	for (size_t i = 0; ld_map_next(&hp->sources, &i, &slot);) {
		ld_hp_source *s = slot->val;
		if (!s->conns && hp->now - s->t_last > (s->state ? STATE_IDLE_MS : SOURCE_IDLE_MS) &&
		    !memcmp(s->refused, s->reported, sizeof(s->refused)) && !log_in_debt(hp, s) &&
		    n < hp->nsources)
			gone[n++] = s;
	}
	for (size_t i = 0; i < n; i++) {
		ld_map_del(&hp->sources, ld_slice_make(gone[i]->key, 17));
		if (gone[i]->state)
			hp->nstates--;
		free(gone[i]->state);
		free(gone[i]);
		hp->nsources--;
	}
	free(gone);
}

/* Refused connections are reported per source at most every LIMIT_EVENT_MS, one event per
 * reason with the count since the last report: a flood makes a few events, not one per SYN. */
static void report_limit(ld_hp *hp, ld_hp_source *s, bool force)
{
	if (!memcmp(s->refused, s->reported, sizeof(s->refused)) ||
	    (!force && s->t_limit_event && hp->now - s->t_limit_event < LIMIT_EVENT_MS))
		return;
	for (int k = 0; k < LIM_N; k++) {
		ld_jw *w;
		if (s->refused[k] == s->reported[k])
			continue;
		w = ld_hp_event_begin_sensor(hp, "honeypot.limit");
		ld_jw_kstr(w, "src_ip", s->ip);
		ld_jw_kstr(w, "reason", lim_name[k]);
		if (k == LIM_LOG) {
			/* events of this source left out of the log since the last summary */
			ld_jw_ki64(w, "suppressed",
				   (int64_t)(uint32_t)(s->refused[k] - s->reported[k]));
			ld_jw_ki64(w, "suppressed_bytes", (int64_t)(s->log_dropped - s->log_reported));
			s->log_reported = s->log_dropped;
		} else {
			ld_jw_ki64(w, "refused",
				   (int64_t)(uint32_t)(s->refused[k] - s->reported[k]));
		}
		ld_hp_event_end_sensor(hp);
		s->reported[k] = s->refused[k];
	}
	s->t_limit_event = hp->now;
}

/* ---- connections ---- */

static void set_mask(ld_hp_conn *c, uint32_t mask)
{
	struct epoll_event ev;
	if (mask == c->epoll_mask)
		return;
	ev.events = mask;
	ev.data.ptr = c;
	if (epoll_ctl(c->hp->ep, EPOLL_CTL_MOD, c->fd, &ev) == 0)
		c->epoll_mask = mask;
}

static void conn_close(ld_hp_conn *c)
{
	ld_hp *hp = c->hp;
	ld_jw *w;
	if (ld_hp_service(c->service)->on_close && c->tls_done)
		ld_hp_service(c->service)->on_close(c);
	w = ld_hp_event_begin(c, "session.closed");
	ld_jw_kstr(w, "reason", c->close_reason ? c->close_reason : "closed");
	ld_jw_ki64(w, "duration_ms", (int64_t)(hp->now - c->t_start));
	ld_jw_ki64(w, "bytes_in", (int64_t)c->bytes_in);
	ld_jw_ki64(w, "bytes_out", (int64_t)c->bytes_out);
	ld_jw_ki64(w, "steps", (int64_t)c->steps);
	if (c->suppressed) {
		ld_jw_ki64(w, "events_suppressed", (int64_t)c->suppressed);
		ld_jw_ki64(w, "suppressed_bytes", (int64_t)c->suppressed_bytes);
	}
	ld_hp_event_end(c);

	if (c->ssl)
		ld_hp_tls_free(c->ssl);
	close(c->fd); /* also leaves the epoll set */
	release_buf(hp, &c->in, &c->incap);
	release_buf(hp, &c->out, &c->outcap);
	if (c->src) {
		c->src->conns--;
		c->src->t_last = hp->now;
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		hp->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	hp->nconns--;
	free(c);
}

static void update_mask(ld_hp_conn *c, bool want_write);

static void refuse(ld_hp *hp, int fd, ld_hp_source *s, int reason)
{
	/* reset rather than close: a flood should not leave thousands of TIME_WAITs behind */
	struct linger lg = {1, 0};
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	hp->st.refused++;
	if (s) {
		s->refused[reason]++;
		report_limit(hp, s, false);
	}
}

static void accept_one(ld_hp *hp, listener *l, int fd, const struct sockaddr_storage *ss)
{
	uint8_t key[17];
	char ip[48], label[48];
	uint16_t port;
	ld_hp_source *s;
	ld_hp_conn *c;
	struct epoll_event ev;
	uint64_t id;

	source_key(ss, key, ip, sizeof(ip), label, sizeof(label), &port);
	s = source_get(hp, key, label);
	if (!s) {
		refuse(hp, fd, NULL, LIM_MEMORY);
		return;
	}
	s->t_last = hp->now;
	if (hp->nconns >= hp->o.max_sessions) {
		refuse(hp, fd, s, LIM_SESSIONS);
		return;
	}
	if (s->conns >= hp->o.source_max_conns) {
		refuse(hp, fd, s, LIM_CONNS);
		return;
	}
	if (hp->o.source_conn_rate) {
		if (s->conn_tokens < 1.0) {
			refuse(hp, fd, s, LIM_RATE);
			return;
		}
		s->conn_tokens -= 1.0;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		refuse(hp, fd, s, LIM_MEMORY);
		return;
	}
	c->kind = KIND_CONN;
	c->fd = fd;
	c->hp = hp;
	c->src = s;
	c->service = l->service;
	ld_strlcpy(c->src_ip, ip, sizeof(c->src_ip));
	c->src_port = port;
	c->dst_port = l->port;
	c->t_start = c->t_last = hp->now;
	id = mix64(hp->session_salt + ++hp->session_seq);
	ld_snprintf(c->session, sizeof(c->session), "%016" PRIx64, id);
	c->tls_done = !l->tls;
	if (l->tls && !(c->ssl = ld_hp_tls_new(hp->tls, fd))) {
		free(c);
		refuse(hp, fd, s, LIM_MEMORY);
		return;
	}
	ev.events = EPOLLIN;
	ev.data.ptr = c;
	if (epoll_ctl(hp->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
		ld_hp_tls_free(c->ssl);
		free(c);
		refuse(hp, fd, s, LIM_MEMORY);
		return;
	}
	c->epoll_mask = EPOLLIN;
	s->conns++;
	c->next = hp->conns;
	if (hp->conns)
		hp->conns->prev = c;
	hp->conns = c;
	hp->nconns++;
	hp->st.accepted++;
	if (hp->nconns > hp->st.sessions_peak)
		hp->st.sessions_peak = hp->nconns;

	{
		ld_jw *w = ld_hp_event_begin(c, "session.connect");
		ld_jw_kbool(w, "tls", l->tls);
		ld_hp_event_end(c);
	}
	if (c->tls_done && ld_hp_service(c->service)->on_open)
		ld_hp_service(c->service)->on_open(c);
	if (c->closing)
		conn_close(c);
	else
		update_mask(c, false);
}

static void on_listener(ld_hp *hp, listener *l)
{
	for (int i = 0; i < ACCEPTS_PER_WAKE; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if ((errno == EMFILE || errno == ENFILE) && hp->reserve_fd >= 0) {
				/* out of descriptors: use the spare one to take the connection off
				 * the queue and drop it, or the level-triggered listener would spin
				 */
				close(hp->reserve_fd);
				fd = accept(l->fd, NULL, NULL);
				if (fd >= 0)
					close(fd);
				hp->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
				hp->st.refused++;
				continue;
			}
			return;
		}
		accept_one(hp, l, fd, &ss);
	}
}

/* Parse and answer what the input holds. */
static void process(ld_hp_conn *c)
{
	const ld_hp_service_ops *ops = ld_hp_service(c->service);
	size_t off = 0;
	while (off < c->inlen && !c->closing && !c->close_after_write &&
	       c->outlen - c->outoff < OUT_PAUSE) {
		size_t used = ops->on_data(c, c->in + off, c->inlen - off);
		if (!used)
			break;
		off += used;
	}
	if (off) {
		memmove(c->in, c->in + off, c->inlen - off);
		c->inlen -= off;
	}
	if (!c->inlen && c->incap > BUF_KEEP)
		release_buf(c->hp, &c->in, &c->incap);
}

/* Write what is pending; false when the connection failed. */
static bool flush(ld_hp_conn *c, bool *want_write)
{
	*want_write = false;
	while (c->outoff < c->outlen) {
		ssize_t w;
		size_t n = c->outlen - c->outoff;
		if (c->ssl) {
			w = ld_hp_tls_write(c->ssl, c->out + c->outoff, n, want_write);
			if (w == -1)
				return true;
			if (w < 0)
				return false;
		} else {
			w = send(c->fd, c->out + c->outoff, n, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w < 0) {
				if (errno == EAGAIN || errno == EWOULDBLOCK) {
					*want_write = true;
					return true;
				}
				if (errno == EINTR)
					continue;
				return false;
			}
		}
		c->outoff += (size_t)w;
		c->bytes_out += (uint64_t)w;
		c->hp->st.bytes_out += (uint64_t)w;
	}
	c->outoff = c->outlen = 0;
	if (c->outcap > BUF_KEEP)
		release_buf(c->hp, &c->out, &c->outcap);
	return true;
}

/* Read once; returns false when the connection is done (EOF or error). */
static bool do_read(ld_hp_conn *c, bool *tls_want_write)
{
	ld_hp *hp = c->hp;
	size_t max = ld_hp_service(c->service)->in_max, want = READ_CHUNK;
	ssize_t r;
	if (c->inlen >= max) {
		/* the emulation could not make sense of a full buffer */
		abort_conn(c, "message too large");
		return false;
	}
	if (want > max - c->inlen)
		want = max - c->inlen;
	if (hp->o.source_byte_rate) {
		refill(hp, c->src);
		if (c->src->byte_tokens < 1.0) {
			c->paused_rate = true;
			hp->st.throttled++;
			return true;
		}
		if ((double)want > c->src->byte_tokens)
			want = (size_t)c->src->byte_tokens;
	}
	if (!reserve(hp, &c->in, &c->incap, c->inlen + want, max)) {
		abort_conn(c, "memory limit");
		return false;
	}
	if (c->ssl) {
		r = ld_hp_tls_read(c->ssl, c->in + c->inlen, want, tls_want_write);
		if (r == -1)
			return true;
		if (r < -1) {
			c->close_reason = "tls error";
			return false;
		}
	} else {
		r = recv(c->fd, c->in + c->inlen, want, MSG_DONTWAIT);
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return true;
			c->close_reason = "reset";
			return false;
		}
	}
	if (r == 0) {
		c->eof = true;
		return true;
	}
	c->inlen += (size_t)r;
	c->bytes_in += (uint64_t)r;
	hp->st.bytes_in += (uint64_t)r;
	c->t_last = hp->now;
	if (hp->o.source_byte_rate)
		c->src->byte_tokens -= (double)r;
	return true;
}

static void update_mask(ld_hp_conn *c, bool want_write)
{
	uint32_t m = 0;
	if (!c->paused_rate && !c->eof && !c->close_after_write &&
	    c->outlen - c->outoff < OUT_PAUSE)
		m |= EPOLLIN;
	if (want_write || c->outoff < c->outlen)
		m |= EPOLLOUT;
	set_mask(c, m);
}

static void on_conn(ld_hp_conn *c, uint32_t events)
{
	bool ww = false, ok = true;
	if (events & EPOLLERR) {
		c->close_reason = "reset";
		conn_close(c);
		return;
	}
	if (events & EPOLLHUP)
		c->paused_rate = false; /* drain what is left; the read then sees the end */
	if (!c->tls_done) {
		int h = ld_hp_tls_handshake(c->ssl, &ww);
		if (h < 0) {
			c->close_reason = "tls handshake failed";
			conn_close(c);
			return;
		}
		if (h == 0) {
			update_mask(c, ww);
			return;
		}
		c->tls_done = true;
		c->t_last = c->hp->now;
		if (ld_hp_service(c->service)->on_open)
			ld_hp_service(c->service)->on_open(c);
	}
	if (c->outoff < c->outlen && !flush(c, &ww))
		ok = false;
	/* a TLS connection may hold decrypted bytes the socket no longer signals */
	for (int round = 0; ok && round < 4 && !c->paused_rate && !c->eof && !c->closing &&
			    !c->close_after_write && c->outlen - c->outoff < OUT_PAUSE;
	     round++) {
		bool rww = false;
		size_t before = c->inlen;
		ok = do_read(c, &rww);
		ww = ww || rww;
		if (!ok)
			break;
		if (c->inlen > before || c->eof)
			process(c);
		if (c->outoff < c->outlen && !flush(c, &ww))
			ok = false;
		if (!c->ssl || !ld_hp_tls_pending(c->ssl))
			break;
	}
	if (ok && c->inlen && !c->closing && c->outlen - c->outoff < OUT_PAUSE) {
		process(c); /* input left over from an earlier output pause */
		if (c->outoff < c->outlen && !flush(c, &ww))
			ok = false;
	}
	if (!ok || c->closing) {
		conn_close(c);
		return;
	}
	if ((c->eof || c->close_after_write) && c->outoff == c->outlen) {
		if (!c->close_reason)
			c->close_reason = c->eof ? "client closed" : "closed by server";
		conn_close(c);
		return;
	}
	update_mask(c, ww);
}

static void tick(ld_hp *hp)
{
	uint64_t idle = (uint64_t)hp->o.idle_timeout_s * 1000,
		 life = (uint64_t)hp->o.session_timeout_s * 1000;
	ld_hp_conn *c = hp->conns, *next;
	for (; c; c = next) {
		next = c->next;
		if (idle && hp->now - c->t_last >= idle) {
			c->close_reason = "idle timeout";
			hp->st.closed_limit++;
			conn_close(c);
			continue;
		}
		if (life && hp->now - c->t_start >= life) {
			c->close_reason = "session timeout";
			hp->st.closed_limit++;
			conn_close(c);
			continue;
		}
		if (ld_hp_service(c->service)->on_tick && c->tls_done && !c->closing) {
			ld_hp_service(c->service)->on_tick(c);
			update_mask(c, false);
		}
		if (c->paused_rate) {
			refill(hp, c->src);
			/* resume with a useful amount, not byte by byte */
			if (c->src->byte_tokens >= LD_MIN(1024.0, (double)hp->o.source_byte_rate)) {
				c->paused_rate = false;
				on_conn(c, EPOLLIN);
			}
		}
	}
}

static void report_all_limits(ld_hp *hp, bool force)
{
	const ld_map_slot *slot;
	for (size_t i = 0; ld_map_next(&hp->sources, &i, &slot);)
		report_limit(hp, slot->val, force);
}

/* ---- setup ---- */

static int bind_listener(ld_hp *hp, const lading_honeypot_listen *ls, lading_ctx *ctx)
{
	struct sockaddr_storage ss;
	size_t len;
	listener *l = &hp->lis[hp->nlis];
	int one = 1, svc = ld_hp_service_by_name(ls->service);
	char host[64];
	if (svc < 0)
		return ld_error_set(ctx, LADING_EUSAGE, "unknown service '%s'", ls->service);
	if (ld_net_parse_addr(ls->addr, &ss, &len) != 0)
		return ld_error_set(ctx, LADING_EUSAGE, "%s: bad address '%s'", ls->service,
				    ls->addr);
	l->kind = KIND_LISTENER;
	l->service = svc;
	l->tls = ld_hp_service(svc)->tls && hp->o.kube_tls;
	l->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		return ld_error_set(ctx, LADING_EIO, "socket: %s", strerror(errno));
	setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(l->fd, (struct sockaddr *)&ss, (socklen_t)len) != 0 || listen(l->fd, 1024) != 0) {
		int e = errno;
		close(l->fd);
		return ld_error_set(ctx, LADING_EIO, "%s: cannot listen on %s: %s", ls->service,
				    ls->addr, strerror(e));
	}
	len = sizeof(ss);
	{
		socklen_t sl = sizeof(ss);
		getsockname(l->fd, (struct sockaddr *)&ss, &sl);
	}
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		l->port = ntohs(a->sin6_port);
		ld_snprintf(l->addr, sizeof(l->addr), "[%s]:%u", host, l->port);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		l->port = ntohs(a->sin_port);
		ld_snprintf(l->addr, sizeof(l->addr), "%s:%u", host, l->port);
	}
	hp->nlis++;
	return 0;
}

/* The unprivileged user exists, is not root, and could rotate the log. */
static int lookup_user(ld_hp *hp, unsigned *uid, unsigned *gid, lading_ctx *ctx)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwnam_r(hp->o.user, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return ld_error_set(
			ctx, LADING_EUSAGE,
			"started as root, the honeypot switches to user '%s' after binding, "
			"but there is no such user (choose one with --user)",
			hp->o.user);
	if (pw.pw_uid == 0)
		return ld_error_set(ctx, LADING_EUSAGE,
				    "refusing to serve attackers as root: --user must name an "
				    "unprivileged user");
	*uid = pw.pw_uid;
	*gid = pw.pw_gid;
	return 0;
}

static int check_user(ld_hp *hp, lading_ctx *ctx)
{
	unsigned uid, gid;
	int rc = lookup_user(hp, &uid, &gid, ctx);
	return rc ? rc : ld_hp_log_check_owner(hp->sh.log, uid, gid, ctx);
}

/* Called by run() before the first connection is accepted. */
static int drop_privileges(ld_hp *hp, lading_ctx *ctx)
{
	unsigned uid, gid;
	int rc;
	if (geteuid() != 0)
		return 0;
	if ((rc = lookup_user(hp, &uid, &gid, ctx)) != 0 ||
	    (rc = ld_hp_log_check_owner(hp->sh.log, uid, gid, ctx)) != 0)
		return rc;
	if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
		return ld_error_set(ctx, LADING_EIO, "cannot switch to user %s: %s", hp->o.user,
				    strerror(errno));
	if (setuid(0) == 0)
		return ld_error_set(ctx, LADING_EIO,
				    "still able to regain root after switching to %s", hp->o.user);
	return 0;
}

/* Enough descriptors for max_sessions connections plus listeners and the log. */
static void raise_nofile(ld_hp *hp, lading_ctx *ctx)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)hp->o.max_sessions + (rlim_t)hp->nlis + 64;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= need)
		return;
	rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < need) {
		hp->o.max_sessions = rl.rlim_cur > (rlim_t)hp->nlis + 64
					     ? (unsigned)(rl.rlim_cur - hp->nlis - 64)
					     : 1;
		ld_warn(ctx, "open file limit %lu: max-sessions lowered to %u",
			(unsigned long)rl.rlim_cur, hp->o.max_sessions);
	}
}

/* "no service": the listener options, from the service table. */
static int no_service(lading_ctx *ctx)
{
	ld_buf names;
	int rc;
	ld_buf_init(&names, 256);
	for (size_t i = 0; i < ld_hp_service_count(); i++)
		ld_buf_addf(&names, "%s--%s", i ? ", " : "", ld_hp_service((int)i)->opt.name);
	rc = ld_error_set(ctx, LADING_EUSAGE, "no service to emulate: give at least one of %s",
			  names.ptr ? names.ptr : "");
	ld_buf_release(&names);
	return rc;
}

/* The largest input a connection may buffer: two of them must fit max-buffered. */
static size_t largest_input(void)
{
	size_t m = 0;
	for (size_t i = 0; i < ld_hp_service_count(); i++)
		m = LD_MAX(m, ld_hp_service((int)i)->in_max);
	return m;
}

int lading_honeypot_new(lading_honeypot **out, const lading_honeypot_options *o, lading_ctx *ctx)
{
	ld_hp *hp;
	ld_hp_log_opts lo = {0};
	bool need_tls = false;
	int rc;

	*out = NULL;
	if (!o || o->version != LADING_HONEYPOT_OPTIONS_VERSION)
		return ld_error_set(ctx, LADING_EUSAGE, "honeypot options: unknown version");
	if (!o->nlisten)
		return no_service(ctx);
	if (!o->log_path[0])
		return ld_error_set(ctx, LADING_EUSAGE, "no event log: give --log FILE");
	if (!o->max_sessions || !o->source_max_conns || !o->max_sources)
		return ld_error_set(
			ctx, LADING_EUSAGE,
			"max-sessions, source-conns and max-sources must be at least 1");
	if (o->max_buffered < largest_input() * 2)
		return ld_error_set(ctx, LADING_EUSAGE, "max-buffered must be at least %zu bytes",
				    largest_input() * 2);
	hp = calloc(1, sizeof(*hp));
	if (!hp)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	hp->o = *o;
	hp->ep = hp->wakefd = hp->reserve_fd = -1;
	ld_strlcpy(hp->sh.sensor, o->sensor, sizeof(hp->sh.sensor));
	hp->sh.session_keep = o->session_keep_bytes;
	hp->sh.session_events = o->session_events;
	hp->sh.mysql_accept = hp->o.mysql_accept;
	ld_buf_init(&hp->sh.ev, 1 << 20);
	ld_map_init(&hp->sources);
	ld_hp_random(&hp->session_salt, sizeof(hp->session_salt));
	hp->now = mono_ms();

	for (size_t i = 0; i < o->nlisten; i++) {
		if ((rc = bind_listener(hp, &o->listen[i], ctx)) != 0)
			goto fail;
		need_tls = need_tls || hp->lis[i].tls;
	}
	if (need_tls && (rc = ld_hp_tls_ctx_new(&hp->tls, ctx)) != 0)
		goto fail;
	lo.path = o->log_path;
	lo.rotate_bytes = o->log_rotate_bytes;
	lo.keep = o->log_keep;
	lo.flush_ms = o->flush_ms;
	if ((rc = ld_hp_log_open(&hp->sh.log, &lo, ctx)) != 0)
		goto fail;
	hp->ep = epoll_create1(EPOLL_CLOEXEC);
	hp->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	hp->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (hp->ep < 0 || hp->wakefd < 0) {
		rc = ld_error_set(ctx, LADING_EIO, "epoll/eventfd: %s", strerror(errno));
		goto fail;
	}
	raise_nofile(hp, ctx);
	if (geteuid() == 0 && (rc = check_user(hp, ctx)) != 0)
		goto fail; /* fail at once, not only when run() drops to it */
	*out = hp;
	return 0;
fail:
	lading_honeypot_free(hp);
	return rc;
}

size_t lading_honeypot_listener_count(const lading_honeypot *hp)
{
	return hp ? hp->nlis : 0;
}

int lading_honeypot_listener(const lading_honeypot *hp, size_t i, const char **service, char *addr,
			     size_t addrsz)
{
	if (!hp || i >= hp->nlis)
		return LADING_ENOTFOUND;
	*service = ld_hp_service(hp->lis[i].service)->opt.name;
	ld_strlcpy(addr, hp->lis[i].addr, addrsz);
	return 0;
}

void lading_honeypot_stop(lading_honeypot *hp)
{
	uint64_t one = 1;
	ssize_t r;
	hp->stopping = 1;
	r = write(hp->wakefd, &one, sizeof(one));
	(void)r;
}

static void start_event(ld_hp *hp)
{
	ld_jw *w = ld_hp_event_begin_sensor(hp, "honeypot.start");
	ld_jw_kstr(w, "version", LADING_VERSION);
	ld_jw_key(w, "listen");
	ld_jw_arr(w);
	for (size_t i = 0; i < hp->nlis; i++) {
		ld_jw_obj(w);
		ld_jw_kstr(w, "service", ld_hp_service(hp->lis[i].service)->opt.name);
		ld_jw_kstr(w, "addr", hp->lis[i].addr);
		ld_jw_kbool(w, "tls", hp->lis[i].tls);
		ld_jw_obj_end(w);
	}
	ld_jw_arr_end(w);
	ld_jw_ki64(w, "uid", (int64_t)geteuid());
	ld_jw_key(w, "limits");
	ld_jw_obj(w);
	ld_jw_ki64(w, "max_sessions", hp->o.max_sessions);
	ld_jw_ki64(w, "source_conns", hp->o.source_max_conns);
	ld_jw_ki64(w, "source_conn_rate", hp->o.source_conn_rate);
	ld_jw_ki64(w, "source_byte_rate", (int64_t)hp->o.source_byte_rate);
	ld_jw_ki64(w, "session_keep", (int64_t)hp->o.session_keep_bytes);
	ld_jw_ki64(w, "max_buffered", (int64_t)hp->o.max_buffered);
	ld_jw_ki64(w, "idle_timeout_s", hp->o.idle_timeout_s);
	ld_jw_ki64(w, "session_timeout_s", hp->o.session_timeout_s);
	ld_jw_ki64(w, "session_events", hp->o.session_events);
	ld_jw_ki64(w, "source_log_rate", (int64_t)hp->o.source_log_rate);
	ld_jw_ki64(w, "source_log_burst", (int64_t)hp->o.source_log_burst);
	ld_jw_obj_end(w);
	ld_hp_event_end_sensor(hp);
}

static void stop_event(ld_hp *hp)
{
	lading_honeypot_stats s;
	ld_jw *w;
	lading_honeypot_get_stats(hp, &s);
	w = ld_hp_event_begin_sensor(hp, "honeypot.stop");
	ld_jw_ki64(w, "accepted", (int64_t)s.accepted);
	ld_jw_ki64(w, "refused", (int64_t)s.refused);
	ld_jw_ki64(w, "closed_limit", (int64_t)s.closed_limit);
	ld_jw_ki64(w, "events", (int64_t)s.events);
	ld_jw_ki64(w, "bytes_in", (int64_t)s.bytes_in);
	ld_jw_ki64(w, "bytes_out", (int64_t)s.bytes_out);
	ld_jw_ki64(w, "sessions_peak", (int64_t)s.sessions_peak);
	ld_jw_ki64(w, "buffered_peak", (int64_t)s.buffered_peak);
	ld_jw_ki64(w, "throttled", (int64_t)s.throttled);
	ld_hp_event_end_sensor(hp);
}

int lading_honeypot_run(lading_honeypot *hp, lading_ctx *ctx)
{
	struct epoll_event evs[EPOLL_BATCH];
	struct epoll_event ev;
	uint64_t next_tick, next_sweep;
	int rc, logerr = 0;

	if (hp->ran)
		return ld_error_set(ctx, LADING_EUSAGE, "a honeypot runs once");
	hp->ran = true;
	for (size_t i = 0; i < hp->nlis; i++) {
		ev.events = EPOLLIN;
		ev.data.ptr = &hp->lis[i];
		if (epoll_ctl(hp->ep, EPOLL_CTL_ADD, hp->lis[i].fd, &ev) != 0)
			return ld_error_set(ctx, LADING_EIO, "epoll_ctl: %s", strerror(errno));
	}
	{
		static int wake_kind = KIND_WAKE;
		ev.events = EPOLLIN;
		ev.data.ptr = &wake_kind;
		epoll_ctl(hp->ep, EPOLL_CTL_ADD, hp->wakefd, &ev);
	}
	if ((rc = drop_privileges(hp, ctx)) != 0)
		return rc;
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if ((rc = ld_hp_log_start(hp->sh.log, ctx)) != 0)
		return rc;
	start_event(hp);
	hp->now = mono_ms();
	next_tick = hp->now + TICK_MS;
	next_sweep = hp->now + SWEEP_MS;
	while (!hp->stopping) {
		int n = epoll_wait(hp->ep, evs, EPOLL_BATCH,
				   (int)(next_tick > hp->now ? next_tick - hp->now : 0));
		if (n < 0 && errno != EINTR) {
			rc = ld_error_set(ctx, LADING_EIO, "epoll_wait: %s", strerror(errno));
			break;
		}
		hp->now = mono_ms();
		for (int i = 0; i < n; i++) {
			int kind = *(int *)evs[i].data.ptr;
			if (kind == KIND_LISTENER)
				on_listener(hp, evs[i].data.ptr);
			else if (kind == KIND_CONN)
				on_conn(evs[i].data.ptr, evs[i].events);
		}
		if (hp->now >= next_tick) {
			uint64_t d1, d2, d3, d4, d5;
			tick(hp);
			next_tick = hp->now + TICK_MS;
			ld_hp_log_stats(hp->sh.log, &d1, &d2, &d3, &d4, &d5, &logerr);
			if (logerr)
				break; /* a honeypot that cannot record is worse than none */
		}
		if (hp->now >= next_sweep) {
			report_all_limits(hp, false);
			sweep_sources(hp);
			next_sweep = hp->now + SWEEP_MS;
		}
	}
	hp->now = mono_ms();
	while (hp->conns) {
		hp->conns->close_reason = "shutdown";
		conn_close(hp->conns);
	}
	report_all_limits(hp, true);
	stop_event(hp);
	{
		int lrc = ld_hp_log_close(hp->sh.log, ctx);
		if (!rc)
			rc = lrc;
	}
	return rc;
}

void lading_honeypot_get_stats(const lading_honeypot *hp, lading_honeypot_stats *out)
{
	int err;
	*out = hp->st;
	if (hp->sh.log)
		ld_hp_log_stats(hp->sh.log, &out->events, &out->events_durable, &out->log_bytes,
				&out->batches, &out->rotations, &err);
}

void lading_honeypot_free(lading_honeypot *hp)
{
	const ld_map_slot *slot;
	if (!hp)
		return;
	while (hp->conns) {
		ld_hp_conn *c = hp->conns;
		hp->conns = c->next;
		if (c->ssl)
			ld_hp_tls_free(c->ssl);
		close(c->fd);
		free(c->in);
		free(c->out);
		free(c);
	}
	for (size_t i = 0; i < hp->nlis; i++)
		close(hp->lis[i].fd);
	for (size_t i = 0; ld_map_next(&hp->sources, &i, &slot);) {
		free(((ld_hp_source *)slot->val)->state);
		free(slot->val);
	}
	ld_map_release(&hp->sources);
	ld_hp_log_free(hp->sh.log);
	ld_hp_tls_ctx_free(hp->tls);
	if (hp->ep >= 0)
		close(hp->ep);
	if (hp->wakefd >= 0)
		close(hp->wakefd);
	if (hp->reserve_fd >= 0)
		close(hp->reserve_fd);
	ld_buf_release(&hp->sh.ev);
	free(hp);
}
