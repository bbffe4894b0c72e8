/* MySQL emulation: the server greeting of a MySQL 5.7 on Ubuntu, then a login that always fails
 * with error 1045 after recording what was tried. mysql_native_password clients send only a
 * scramble of the password with our salt (both recorded: a candidate password can be checked
 * against them offline); to learn the password itself we first ask the client to switch to
 * mysql_clear_password, which clients that allow it (MariaDB's, many attack tools) answer with
 * the password in clear. One "mysql.login" event per attempt, also when the client hangs up
 * instead of answering the switch. With --mysql-accept, a login that matches a configured
 * user and password (sent in clear) succeeds; its commands are then recorded ("mysql.query")
 * and answered as the server would: canned result sets for the variables and functions attacks
 * read first (version, user, secure_file_priv, plugin_dir, LOAD_FILE of /etc/passwd), OK for
 * writes (SELECT ... INTO OUTFILE, CREATE FUNCTION ... SONAME, INSERT, ...). Nothing is read,
 * written or loaded. */
#include <strings.h>

#include "util/common.h"
#include "honeypot/hp.h"

#define SERVER_VERSION "5.7.42-0ubuntu0.18.04.1"
#define CAPS_LOW       0xf75fu /* 4.1 protocol, secure connection, ... no SSL, no LOCAL INFILE */
#define CAPS_HIGH      0x00ffu /* plugin auth (+lenenc), connect attrs, multi results, ... (no
				  DEPRECATE_EOF: result sets end with EOF packets) */
#define QUERY_KEPT     4096    /* bytes of a query in its event (the hash covers all) */
#define NAME_IN_ERROR  64      /* bytes of the user name echoed in the error message */

enum { ST_GREETED, ST_SWITCHED, ST_DONE, ST_IN };

static void packet(ld_hp_conn *c, uint8_t seq, const void *p, size_t n)
{
	unsigned char h[4] = {(unsigned char)(n & 0xff), (unsigned char)((n >> 8) & 0xff),
			      (unsigned char)((n >> 16) & 0xff), seq};
	ld_hp_out(c, h, 4);
	ld_hp_out(c, p, n);
}

void ld_hp_mysql_on_open(ld_hp_conn *c)
{
	ld_hp_mysql_state *m = &c->st.mysql;
	unsigned char g[128];
	size_t n = 0;
	uint32_t conn_id;
	ld_hp_random(m->salt, sizeof(m->salt));
	for (size_t i = 0; i < sizeof(m->salt); i++)
		m->salt[i] =
			(unsigned char)(0x21 + m->salt[i] % 94); /* printable, as mysqld makes it */
	ld_hp_random(&conn_id, sizeof(conn_id));
	conn_id = 1000 + conn_id % 100000;

	g[n++] = 10; /* protocol version */
	memcpy(g + n, SERVER_VERSION, sizeof(SERVER_VERSION));
	n += sizeof(SERVER_VERSION);
	for (int i = 0; i < 4; i++)
		g[n++] = (unsigned char)(conn_id >> (8 * i));
	memcpy(g + n, m->salt, 8);
	n += 8;
	g[n++] = 0;
	g[n++] = CAPS_LOW & 0xff;
	g[n++] = CAPS_LOW >> 8;
	g[n++] = 0x21; /* utf8_general_ci */
	g[n++] = 0x02; /* SERVER_STATUS_AUTOCOMMIT */
	g[n++] = 0x00;
	g[n++] = CAPS_HIGH & 0xff;
	g[n++] = CAPS_HIGH >> 8;
	g[n++] = 21; /* auth plugin data length */
	memset(g + n, 0, 10);
	n += 10;
	memcpy(g + n, m->salt + 8, 12);
	n += 12;
	g[n++] = 0;
	memcpy(g + n, "mysql_native_password", 22);
	n += 22;
	packet(c, 0, g, n);
	m->stage = ST_GREETED;
}

static void hex(char *out, size_t outsz, ld_slice s)
{
	static const char d[] = "0123456789abcdef";
	size_t n = LD_MIN(s.len, (outsz - 1) / 2);
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[(unsigned char)s.ptr[i] >> 4];
		out[2 * i + 1] = d[(unsigned char)s.ptr[i] & 15];
	}
	out[2 * n] = '\0';
}

/* The event of one attempt; password is NULL when the client did not send it in clear. */
static void login_event(ld_hp_conn *c, const ld_slice *password)
{
	ld_hp_mysql_state *m = &c->st.mysql;
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	char salt[41];
	ld_hp_event_begin(c, "mysql.login");
	ld_hp_kstr(c, "username", m->user, strlen(m->user));
	if (password)
		ld_hp_kslice(c, "password", *password);
	if (m->auth_hex[0]) {
		hex(salt, sizeof(salt), ld_slice_make(m->salt, sizeof(m->salt)));
		ld_jw_kstr(&sh->jw, "auth_plugin",
			   m->plugin[0] ? m->plugin : "mysql_native_password");
		ld_jw_kstr(&sh->jw, "auth_response", m->auth_hex);
		ld_jw_kstr(&sh->jw, "salt", salt);
	}
	ld_hp_event_end(c);
	m->stage = ST_DONE;
}

static void deny(ld_hp_conn *c, uint8_t seq, bool with_password)
{
	char msg[256], user[NAME_IN_ERROR + 1];
	unsigned char p[300];
	size_t n = 0, ml;
	ld_slice_copy(user, sizeof(user), ld_slice_cstr(c->st.mysql.user));
	for (char *u = user; *u; u++)
		if ((unsigned char)*u < 0x20 || (unsigned char)*u >= 0x7f || *u == '\'')
			*u = '?';
	ld_snprintf(msg, sizeof(msg), "Access denied for user '%s'@'%s' (using password: %s)", user,
		    c->src_ip, with_password ? "YES" : "NO");
	ml = strlen(msg);
	p[n++] = 0xff;
	p[n++] = 1045 & 0xff;
	p[n++] = 1045 >> 8;
	p[n++] = '#';
	memcpy(p + n, "28000", 5);
	n += 5;
	memcpy(p + n, msg, ml);
	n += ml;
	packet(c, seq, p, n);
	c->close_after_write = true;
}

static void record_client(ld_hp_conn *c, const ld_mysql_login *l)
{
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	/* the client's own description: a tool fingerprint; logged once per connection */
	ld_hp_event_begin(c, "mysql.client");
	ld_jw_ki64(&sh->jw, "capabilities", l->caps);
	ld_jw_ki64(&sh->jw, "charset", l->charset);
	if (l->db.len)
		ld_hp_kslice(c, "database", l->db);
	if (l->plugin.len)
		ld_hp_kslice(c, "auth_plugin", l->plugin);
	ld_jw_key(&sh->jw, "attrs");
	ld_jw_obj(&sh->jw);
	for (size_t i = 0; i < l->nattrs; i++) {
		char key[64];
		ld_slice_copy(key, sizeof(key), l->attrs[i].key);
		ld_jw_key(&sh->jw, key);
		ld_hp_str(c, l->attrs[i].value.ptr, l->attrs[i].value.len);
	}
	ld_jw_obj_end(&sh->jw);
	ld_hp_event_end(c);
}

/* Whether user/password is one of the "user:password" entries of list. */
static bool accepted(const char *list, const char *user, ld_slice password)
{
	ld_slice rest = ld_slice_cstr(list ? list : ""), entry, u;
	while (rest.len) {
		ld_slice_cut(&rest, ',', &entry);
		if (!ld_slice_cut(&entry, ':', &u))
			continue;
		if (ld_slice_eq_cstr(u, user) && entry.len == password.len &&
		    !memcmp(entry.ptr, password.ptr, password.len))
			return true;
	}
	return false;
}

static void lenenc_str(ld_buf *b, const char *s, size_t n)
{
	if (n < 251) {
		ld_buf_addc(b, (char)n);
	} else {
		unsigned char h[3] = {0xfc, (unsigned char)(n & 0xff), (unsigned char)(n >> 8)};
		n = LD_MIN(n, (size_t)0xffff);
		ld_buf_add(b, h, 3);
	}
	ld_buf_add(b, s, n);
}

static void eof_packet(ld_hp_conn *c, uint8_t *seq)
{
	static const char eof[] = {(char)0xfe, 0, 0, 2, 0};
	packet(c, (*seq)++, eof, sizeof(eof));
}

static void ok_packet(ld_hp_conn *c, uint8_t seq, unsigned affected)
{
	char ok[7] = {0, (char)LD_MIN(affected, 250u), 0, 2, 0, 0, 0};
	packet(c, seq, ok, sizeof(ok));
}

/* A result set of one column and one row (value NULL when v is NULL), or no rows (rows 0). */
static void result(ld_hp_conn *c, const char *col, const char *const *vals, size_t rows)
{
	uint8_t seq = 1;
	ld_buf b;
	ld_buf_init(&b, 70000);
	ld_buf_addc(&b, 1);
	packet(c, seq++, b.ptr, b.len);
	ld_buf_clear(&b);
	lenenc_str(&b, "def", 3);
	lenenc_str(&b, "", 0);
	lenenc_str(&b, "", 0);
	lenenc_str(&b, "", 0);
	lenenc_str(&b, col, strlen(col));
	lenenc_str(&b, col, strlen(col));
	ld_buf_add(&b, "\x0c\x21\x00\x00\x01\x00\x00\xfd\x00\x00\x1f\x00\x00", 13);
	packet(c, seq++, b.ptr, b.len);
	eof_packet(c, &seq);
	for (size_t i = 0; i < rows; i++) {
		ld_buf_clear(&b);
		if (vals[i])
			lenenc_str(&b, vals[i], strlen(vals[i]));
		else
			ld_buf_addc(&b, (char)0xfb);
		packet(c, seq++, b.ptr, b.len);
	}
	eof_packet(c, &seq);
	ld_buf_release(&b);
}

/* What a query reads, matched loosely (case-insensitive, anywhere in the text). */
typedef struct canned_query {
	const char *match, *value;
} canned_query;

static const canned_query canned[] = {
	{"@@version_comment", "(Ubuntu)"},
	{"@@version", SERVER_VERSION},
	{"version()", SERVER_VERSION},
	{"current_user", "root@%"},
	{"user()", "root@localhost"},
	{"database()", NULL},
	{"@@hostname", "db-prod-01"},
	{"@@datadir", "/var/lib/mysql/"},
	{"@@basedir", "/usr"},
	{"@@plugin_dir", "/usr/lib/mysql/plugin/"},
	{"@@secure_file_priv", ""},
	{"@@version_compile_os", "Linux"},
	{"@@version_compile_machine", "x86_64"},
	{"load_file", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/"
		      "nologin\nmysql:x:111:116:MySQL Server,,,:/nonexistent:/bin/false\n"},
};

static bool has(ld_slice q, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= q.len; i++)
		if (!strncasecmp(q.ptr + i, needle, n))
			return true;
	return false;
}

static void query(ld_hp_conn *c, ld_slice q)
{
	static const char *const dbs[] = {"information_schema", "app", "mysql",
					  "performance_schema", "sys"};
	char col[64];
	while (q.len && (q.ptr[0] == ' ' || q.ptr[0] == '\n' || q.ptr[0] == '('))
		q = ld_slice_sub(q, 1, SIZE_MAX);
	if (has(q, "into outfile") || has(q, "into dumpfile")) {
		ok_packet(c, 1, 1); /* "Query OK, 1 row affected" */
		return;
	}
	if (q.len >= 4 && !strncasecmp(q.ptr, "show", 4)) {
		if (has(q, "databases"))
			result(c, "Database", dbs, LD_ARRAY_LEN(dbs));
		else
			result(c, "Tables_in_app", NULL, 0);
		return;
	}
	if (q.len < 6 || strncasecmp(q.ptr, "select", 6)) {
		ok_packet(c, 1, 0); /* use, set, create function ... soname, insert, drop ... */
		return;
	}
	for (size_t i = 0; i < LD_ARRAY_LEN(canned); i++)
		if (has(q, canned[i].match)) {
			const char *v = canned[i].value;
			ld_slice_copy(col, sizeof(col), ld_slice_sub(q, 7, SIZE_MAX));
			result(c, col, &v, 1);
			return;
		}
	/* SELECT 1, SELECT 'x': the literal; anything else: one NULL */
	{
		char val[64];
		const char *v = val;
		ld_slice e = ld_slice_sub(q, 6, SIZE_MAX);
		while (e.len && e.ptr[0] == ' ')
			e = ld_slice_sub(e, 1, SIZE_MAX);
		ld_slice_copy(col, sizeof(col), e);
		if (e.len >= 2 && (e.ptr[0] == '\'' || e.ptr[0] == '"')) {
			ld_slice inner = ld_slice_sub(e, 1, SIZE_MAX);
			ptrdiff_t close = ld_slice_find(inner, e.ptr[0]);
			ld_slice_copy(val, sizeof(val),
				      close < 0 ? inner : ld_slice_sub(inner, 0, (size_t)close));
		}
		else if (e.len && e.ptr[0] >= '0' && e.ptr[0] <= '9')
			ld_slice_copy(val, sizeof(val),
				      ld_slice_sub(e, 0, strspn(col, "0123456789.")));
		else
			v = NULL;
		result(c, col, &v, has(q, " from ") ? 0 : 1);
	}
}

/* One command of a logged-in client: recorded, answered. */
static void command(ld_hp_conn *c, ld_slice p)
{
	static const char *const names[] = {"sleep", "quit", "init_db", "query", "field_list",
					    "create_db", "drop_db", "refresh", "shutdown",
					    "statistics", "process_info", "connect", "process_kill",
					    "debug", "ping"};
	unsigned cmd = p.len ? (unsigned char)p.ptr[0] : 0xff;
	ld_slice arg = ld_slice_sub(p, 1, SIZE_MAX);
	ld_hp_event_begin(c, "mysql.query");
	ld_hp_kstr(c, "command", cmd < LD_ARRAY_LEN(names) ? names[cmd] : "other",
		   strlen(cmd < LD_ARRAY_LEN(names) ? names[cmd] : "other"));
	if (arg.len) {
		ld_hp_kstr(c, "query", arg.ptr, LD_MIN(arg.len, (size_t)QUERY_KEPT));
		ld_hp_event_payload(c, arg.ptr, arg.len);
	}
	ld_hp_event_end(c);
	if (cmd == 1) { /* COM_QUIT */
		c->close_after_write = true;
		c->close_reason = "client closed";
	} else if (cmd == 3) {
		query(c, arg);
	} else {
		ok_packet(c, 1, 0);
	}
}

size_t ld_hp_mysql_on_data(ld_hp_conn *c, const char *p, size_t n)
{
	ld_hp_mysql_state *m = &c->st.mysql;
	ld_slice payload;
	uint8_t seq;
	size_t used;
	int rc = ld_mysql_packet(p, n, &payload, &seq, &used);
	if (rc == LD_HP_MORE)
		return 0;
	c->steps++;
	if (rc < 0 || m->stage == ST_DONE) {
		if (rc < 0)
			c->close_reason = "protocol error";
		c->close_reason = rc < 0 ? "protocol error" : "closed by server";
		c->close_after_write = true;
		return n;
	}
	if (m->stage == ST_GREETED) {
		ld_mysql_login l;
		if (ld_mysql_parse_login(&l, payload.ptr, payload.len) != 0 || l.ssl_request) {
			ld_hp_event_begin(c, "mysql.protocol_error");
			ld_jw_kstr(&ld_hp_shared(c->hp)->jw, "error",
				   l.ssl_request ? "TLS requested" : "bad login packet");
			ld_hp_event_payload(c, payload.ptr, payload.len);
			ld_hp_event_end(c);
			c->close_after_write = true;
			m->stage = ST_DONE;
			return n;
		}
		ld_slice_copy(m->user, sizeof(m->user), l.user);
		ld_slice_copy(m->plugin, sizeof(m->plugin), l.plugin);
		hex(m->auth_hex, sizeof(m->auth_hex), l.auth);
		record_client(c, &l);
		if (!l.auth.len) {
			ld_slice empty = LD_SLICE_NULL;
			login_event(c, &empty);
			deny(c, (uint8_t)(seq + 1), false);
		} else if (l.caps & LD_MYSQL_CLIENT_PLUGIN_AUTH) {
			/* AuthSwitchRequest: 0xfe, plugin name, plugin data */
			static const char sw[] = "\xfemysql_clear_password\0";
			packet(c, (uint8_t)(seq + 1), sw, sizeof(sw));
			m->stage = ST_SWITCHED;
		} else {
			login_event(c, NULL);
			deny(c, (uint8_t)(seq + 1), true);
		}
		return used;
	}
		if (m->stage == ST_IN) {
		command(c, payload);
		return used;
	}
	/* ST_SWITCHED: the password in clear, NUL-terminated */
	if (payload.len && payload.ptr[payload.len - 1] == '\0')
		payload.len--;
	login_event(c, &payload);
	if (accepted(ld_hp_shared(c->hp)->mysql_accept, m->user, payload)) {
		static const char ok[] = {0, 0, 0, 2, 0, 0, 0};
		packet(c, (uint8_t)(seq + 1), ok, sizeof(ok));
		m->stage = ST_IN;
	} else {
		deny(c, (uint8_t)(seq + 1), true);
	}
	return used;
}

void ld_hp_mysql_on_close(ld_hp_conn *c)
{
	if (c->st.mysql.stage == ST_SWITCHED)
		login_event(c, NULL); /* the client would not send the password in clear */
}
