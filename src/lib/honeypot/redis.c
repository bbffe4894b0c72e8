/* Redis emulation: an unprotected Redis 5.0.7 (the version Ubuntu 20.04 ships, a favourite
 * target) that accepts what attacks do next and keeps nothing: CONFIG SET dir/dbfilename are
 * remembered per connection only so that CONFIG GET shows them back, SET/SAVE succeed without
 * storing, SLAVEOF/REPLICAOF say OK without ever connecting to the master, MODULE LOAD fails as a
 * missing file would, EVAL fails as a patched server does. Every command is an event
 * ("redis.command"; AUTH is "redis.login"); values and scripts are payloads (sha256 + size). */
#include <fnmatch.h>
#include <time.h>

#include "util/common.h"
#include "honeypot/hp.h"

#define REPLY_ARG_MAX 128 /* bytes of an argument echoed back in an error */

static void simple(ld_hp_conn *c, const char *s)
{
	ld_hp_outf(c, "%s\r\n", s);
}

static void bulk(ld_hp_conn *c, const void *p, size_t n)
{
	ld_hp_outf(c, "$%zu\r\n", n);
	ld_hp_out(c, p, n);
	ld_hp_out(c, "\r\n", 2);
}

static void bulks(ld_hp_conn *c, const char *s)
{
	bulk(c, s, strlen(s));
}

/* Attacker bytes inside a one-line reply: no CR/LF, bounded. */
static void clean(char *out, size_t outsz, ld_slice s)
{
	size_t n = LD_MIN(s.len, outsz - 1);
	for (size_t i = 0; i < n; i++) {
		char ch = s.ptr[i];
		out[i] = (ch == '\r' || ch == '\n' || ch == '\0') ? ' ' : ch;
	}
	out[n] = '\0';
}

static bool is(ld_slice s, const char *name)
{
	return ld_slice_case_eq_cstr(s, name);
}

static void info(ld_hp_conn *c, ld_slice section)
{
	char buf[3072];
	char sec[32];
	long now = (long)time(NULL);
	ld_buf b;
	static const char *const sections[][2] = {
		{"server",
		 "# "
		 "Server\r\nredis_version:5.0.7\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\n"
		 "redis_build_id:66bd629f924ac924\r\nredis_mode:standalone\r\nos:Linux "
		 "5.4.0-150-generic x86_64\r\n"
		 "arch_bits:64\r\nmultiplexing_api:epoll\r\natomicvar_api:atomic-builtin\r\ngcc_"
		 "version:9.3.0\r\n"
		 "process_id:1029\r\nrun_id:5b9e1c54dbc1e0f3c4a1b0a9e5d6f7a8b9c0d1e2\r\ntcp_port:"
		 "6379\r\n"
		 "uptime_in_seconds:8035712\r\nuptime_in_days:93\r\nhz:10\r\nconfigured_hz:"
		 "10\r\nlru_clock:%ld\r\n"
		 "executable:/usr/bin/redis-server\r\nconfig_file:/etc/redis/redis.conf\r\n\r\n"},
		{"clients",
		 "# Clients\r\nconnected_clients:1\r\nclient_recent_max_input_buffer:2\r\n"
		 "client_recent_max_output_buffer:0\r\nblocked_clients:0\r\n\r\n"},
		{"memory", "# "
			   "Memory\r\nused_memory:859112\r\nused_memory_human:838.98K\r\nused_"
			   "memory_rss:3923968\r\n"
			   "used_memory_peak:881016\r\nused_memory_peak_human:860.37K\r\ntotal_"
			   "system_memory:4127342592\r\n"
			   "total_system_memory_human:3.84G\r\nmaxmemory:0\r\nmaxmemory_human:"
			   "0B\r\nmaxmemory_policy:noeviction\r\n"
			   "mem_fragmentation_ratio:4.57\r\nmem_allocator:jemalloc-5.2.1\r\n\r\n"},
		{"persistence",
		 "# "
		 "Persistence\r\nloading:0\r\nrdb_changes_since_last_save:0\r\nrdb_bgsave_in_"
		 "progress:0\r\n"
		 "rdb_last_save_time:%ld\r\nrdb_last_bgsave_status:ok\r\naof_enabled:0\r\n"
		 "aof_rewrite_in_progress:0\r\naof_last_write_status:ok\r\n\r\n"},
		{"stats",
		 "# Stats\r\ntotal_connections_received:1873\r\ntotal_commands_processed:9312\r\n"
		 "instantaneous_ops_per_sec:0\r\nrejected_connections:0\r\nexpired_keys:"
		 "0\r\nevicted_keys:0\r\n"
		 "keyspace_hits:12\r\nkeyspace_misses:31\r\n\r\n"},
		{"replication", "# Replication\r\nrole:master\r\nconnected_slaves:0\r\n"
				"master_replid:8c5ab6a0e5f1b3c2d4e6f8a0b2c4d6e8f0a2b4c6\r\nmaster_"
				"repl_offset:0\r\n"
				"repl_backlog_active:0\r\nrepl_backlog_size:1048576\r\n\r\n"},
		{"cpu", "# CPU\r\nused_cpu_sys:6101.324871\r\nused_cpu_user:5423.118920\r\n\r\n"},
		{"cluster", "# Cluster\r\ncluster_enabled:0\r\n\r\n"},
		{"keyspace", "# Keyspace\r\n"},
	};
	ld_buf_init(&b, 16384);
	clean(sec, sizeof(sec), section);
	for (size_t i = 0; i < LD_ARRAY_LEN(sections); i++) {
		if (section.len && strcasecmp(sec, "all") && strcasecmp(sec, "everything") &&
		    strcasecmp(sec, "default") && strcasecmp(sec, sections[i][0]))
			continue;
		ld_snprintf(buf, sizeof(buf), sections[i][1], i == 0 ? now / 60 % 16777216 : now);
		ld_buf_adds(&b, buf);
	}
	bulk(c, ld_buf_cstr(&b), b.len);
	ld_buf_release(&b);
}

static void config_get(ld_hp_conn *c, ld_slice pattern)
{
	char pat[128];
	const char *params[][2] = {
		{"dir", c->st.redis.dir[0] ? c->st.redis.dir : "/var/lib/redis"},
		{"dbfilename", c->st.redis.dbfilename[0] ? c->st.redis.dbfilename : "dump.rdb"},
		{"requirepass", ""},
		{"masterauth", ""},
		{"protected-mode", "no"},
		{"bind", "0.0.0.0"},
		{"port", "6379"},
		{"save", "900 1 300 10 60 10000"},
		{"appendonly", "no"},
		{"maxmemory", "0"},
		{"daemonize", "yes"},
		{"logfile", "/var/log/redis/redis-server.log"},
		{"slave-read-only", "yes"},
		{"replica-read-only", "yes"},
	};
	size_t n = 0;
	clean(pat, sizeof(pat), pattern);
	for (size_t i = 0; i < LD_ARRAY_LEN(params); i++)
		n += fnmatch(pat, params[i][0], FNM_CASEFOLD) == 0;
	ld_hp_outf(c, "*%zu\r\n", n * 2);
	for (size_t i = 0; i < LD_ARRAY_LEN(params); i++) {
		if (fnmatch(pat, params[i][0], FNM_CASEFOLD) != 0)
			continue;
		bulks(c, params[i][0]);
		bulks(c, params[i][1]);
	}
}

static void unknown(ld_hp_conn *c, const ld_resp_cmd *cmd)
{
	char name[REPLY_ARG_MAX], arg[REPLY_ARG_MAX];
	ld_buf b;
	ld_buf_init(&b, 4096);
	clean(name, sizeof(name), cmd->argv[0]);
	ld_buf_addf(&b, "-ERR unknown command `%s`, with args beginning with: ", name);
	for (size_t i = 1; i < cmd->argc && i < 8; i++) {
		clean(arg, sizeof(arg), cmd->argv[i]);
		ld_buf_addf(&b, "`%s`, ", arg);
	}
	ld_buf_adds(&b, "\r\n");
	ld_hp_out(c, b.ptr, b.len);
	ld_buf_release(&b);
}

static void wrong_args(ld_hp_conn *c, ld_slice cmd)
{
	char name[REPLY_ARG_MAX];
	clean(name, sizeof(name), cmd);
	for (char *p = name; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	ld_hp_outf(c, "-ERR wrong number of arguments for '%s' command\r\n", name);
}

/* Record one command. */
static void record(ld_hp_conn *c, const ld_resp_cmd *cmd)
{
	ld_jw *w;
	ld_slice name = cmd->argv[0];
	if (is(name, "AUTH")) {
		w = ld_hp_event_begin(c, "redis.login");
		if (cmd->argc >= 3) {
			ld_hp_kslice(c, "username", cmd->argv[1]);
			ld_hp_kslice(c, "password", cmd->argv[2]);
		} else if (cmd->argc == 2) {
			ld_hp_kslice(c, "password", cmd->argv[1]);
		}
		ld_hp_event_end(c);
		return;
	}
	w = ld_hp_event_begin(c, "redis.command");
	ld_hp_kslice(c, "command", name);
	ld_jw_key(w, "args");
	ld_jw_arr(w);
	for (size_t i = 1; i < cmd->argc; i++)
		ld_hp_str(c, cmd->argv[i].ptr, cmd->argv[i].len);
	ld_jw_arr_end(w);
	if (cmd->inline_form)
		ld_jw_kbool(w, "inline", true);
	/* the payload: a stored value (cron line, SSH key, script) or a script to run */
	if ((is(name, "SET") || is(name, "SETNX") || is(name, "GETSET") || is(name, "APPEND") ||
	     is(name, "LPUSH") || is(name, "RPUSH")) &&
	    cmd->argc >= 3)
		ld_hp_event_payload(c, cmd->argv[2].ptr, cmd->argv[2].len);
	else if ((is(name, "SETEX") || is(name, "PSETEX") || is(name, "HSET")) && cmd->argc >= 4)
		ld_hp_event_payload(c, cmd->argv[3].ptr, cmd->argv[3].len);
	else if ((is(name, "EVAL") || is(name, "EVAL_RO")) && cmd->argc >= 2)
		ld_hp_event_payload(c, cmd->argv[1].ptr, cmd->argv[1].len);
	else if ((is(name, "SCRIPT") || is(name, "FUNCTION")) && cmd->argc >= 3)
		ld_hp_event_payload(c, cmd->argv[cmd->argc - 1].ptr, cmd->argv[cmd->argc - 1].len);
	ld_hp_event_end(c);
}

/* CONFIG GET/SET (dir and dbfilename remembered for the session: the file-write attack). */
static void config_cmd(ld_hp_conn *c, size_t argc, const ld_slice *a)
{
	if (argc >= 3 && is(a[1], "GET")) {
		config_get(c, a[2]);
	} else if (argc >= 4 && is(a[1], "SET")) {
		if (is(a[2], "dir"))
			ld_slice_copy(c->st.redis.dir, sizeof(c->st.redis.dir), a[3]);
		else if (is(a[2], "dbfilename"))
			ld_slice_copy(c->st.redis.dbfilename,
				      sizeof(c->st.redis.dbfilename), a[3]);
		simple(c, "+OK");
	} else if (argc >= 2 && (is(a[1], "RESETSTAT") || is(a[1], "REWRITE"))) {
		simple(c, "+OK");
	} else {
		simple(c, "-ERR Unknown subcommand or wrong number of arguments for "
			  "'CONFIG'. Try CONFIG HELP.");
	}
}

/* MODULE LOAD fails as with a file that is not a module; nothing is loaded. */
static void module_cmd(ld_hp_conn *c, size_t argc, const ld_slice *a)
{
	if (argc >= 3 && is(a[1], "LOAD"))
		simple(c,
		       "-ERR Error loading the extension. Please check the server logs.");
	else if (argc >= 2 && is(a[1], "LIST"))
		simple(c, "*0");
	else if (argc >= 3 && is(a[1], "UNLOAD"))
		simple(c, "-ERR Error unloading module: no such module with that name");
	else
		simple(c, "-ERR Unknown subcommand or wrong number of arguments for "
			  "'MODULE'. Try MODULE HELP.");
}

/* EVAL fails as the Lua sandbox escape (CVE-2022-0543) fails on a patched server. */
static void eval_cmd(ld_hp_conn *c, size_t argc, const ld_slice *a)
{
	ld_slice name = a[0];
	if (argc < 3)
		wrong_args(c, name);
	else if (is(name, "EVALSHA"))
		simple(c, "-NOSCRIPT No matching script. Please use EVAL.");
	else
		simple(c, "-ERR Error running script (call to "
			  "f_3c1a2b0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b): "
			  "@user_script:1: user_script:1: attempt to call field 'loadlib' "
			  "(a nil value)");
}

static void client_cmd(ld_hp_conn *c, size_t argc, const ld_slice *a)
{
	if (argc >= 2 && is(a[1], "LIST"))
		bulks(c, "id=1873 addr=127.0.0.1:51334 fd=8 name= age=0 idle=0 flags=N "
			 "db=0 sub=0 psub=0 "
			 "multi=-1 qbuf=26 qbuf-free=32742 obl=0 oll=0 omem=0 events=r "
			 "cmd=client\n");
	else if (argc >= 2 && is(a[1], "GETNAME"))
		simple(c, "$-1");
	else if (argc >= 2 && is(a[1], "ID"))
		simple(c, ":1873");
	else
		simple(c, "+OK");
}

static void answer(ld_hp_conn *c, const ld_resp_cmd *cmd)
{
	ld_slice name = cmd->argv[0];
	size_t argc = cmd->argc;
	const ld_slice *a = cmd->argv;

	if (is(name, "PING")) {
		if (argc > 1)
			bulk(c, a[1].ptr, a[1].len);
		else
			simple(c, "+PONG");
	} else if (is(name, "ECHO")) {
		if (argc != 2)
			wrong_args(c, name);
		else
			bulk(c, a[1].ptr, a[1].len);
	} else if (is(name, "AUTH")) {
		simple(c, "-ERR Client sent AUTH, but no password is set");
	} else if (is(name, "INFO")) {
		info(c, argc > 1 ? a[1] : LD_SLICE_NULL);
	} else if (is(name, "CONFIG")) {
		config_cmd(c, argc, a);
	} else if (is(name, "SET") || is(name, "SETEX") || is(name, "PSETEX") || is(name, "MSET") ||
		   is(name, "SELECT") || is(name, "FLUSHALL") || is(name, "FLUSHDB") ||
		   is(name, "SAVE") || is(name, "MONITOR") || is(name, "SCRIPT") ||
		   is(name, "RESTORE") || is(name, "MIGRATE")) {
		if ((is(name, "SET") && argc < 3) || (is(name, "SELECT") && argc != 2))
			wrong_args(c, name);
		else
			simple(c, "+OK");
	} else if (is(name, "SLAVEOF") || is(name, "REPLICAOF")) {
		if (argc != 3) {
			wrong_args(c, name);
		} else {
			/* never connects: the rogue master waits for a replica that does not come
			 */
			c->st.redis.replica = !is(a[1], "NO");
			simple(c, "+OK");
		}
	} else if (is(name, "BGSAVE")) {
		simple(c, "+Background saving started");
	} else if (is(name, "BGREWRITEAOF")) {
		simple(c, "+Background append only file rewriting started");
	} else if (is(name, "LASTSAVE")) {
		ld_hp_outf(c, ":%ld\r\n", (long)time(NULL) - 3600);
	} else if (is(name, "MODULE")) {
		module_cmd(c, argc, a);
	} else if (is(name, "EVAL") || is(name, "EVALSHA")) {
		eval_cmd(c, argc, a);
	} else if (is(name, "GET") || is(name, "GETSET") || is(name, "HGET") || is(name, "LPOP") ||
		   is(name, "RPOP") || is(name, "SPOP")) {
		simple(c, "$-1");
	} else if (is(name, "DEL") || is(name, "EXISTS") || is(name, "UNLINK") ||
		   is(name, "EXPIRE") || is(name, "PERSIST") || is(name, "HDEL") ||
		   is(name, "SETNX") || is(name, "HSET") || is(name, "DBSIZE")) {
		simple(c, is(name, "SETNX") || is(name, "HSET") ? ":1" : ":0");
	} else if (is(name, "APPEND") || is(name, "LPUSH") || is(name, "RPUSH") ||
		   is(name, "SADD")) {
		ld_hp_outf(c, ":%zu\r\n",
			   argc >= 3 && is(name, "APPEND") ? a[2].len
							   : (size_t)(argc > 2 ? argc - 2 : 0));
	} else if (is(name, "TTL") || is(name, "PTTL")) {
		simple(c, ":-2");
	} else if (is(name, "TYPE")) {
		simple(c, "+none");
	} else if (is(name, "KEYS") || is(name, "SMEMBERS") || is(name, "HGETALL") ||
		   is(name, "LRANGE") || is(name, "COMMAND") || is(name, "SLOWLOG")) {
		simple(c, "*0");
	} else if (is(name, "SCAN")) {
		ld_hp_outs(c, "*2\r\n$1\r\n0\r\n*0\r\n");
	} else if (is(name, "ROLE")) {
		ld_hp_outs(c, "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n");
	} else if (is(name, "TIME")) {
		char secs[24];
		ld_snprintf(secs, sizeof(secs), "%ld", (long)time(NULL));
		ld_hp_outs(c, "*2\r\n");
		bulks(c, secs);
		bulks(c, "412733");
	} else if (is(name, "CLIENT")) {
		client_cmd(c, argc, a);
	} else if (is(name, "CLUSTER")) {
		simple(c, "-ERR This instance has cluster support disabled");
	} else if (is(name, "DEBUG")) {
		simple(c, "-ERR DEBUG command not allowed.");
	} else if (is(name, "QUIT")) {
		simple(c, "+OK");
		c->close_after_write = true;
	} else if (is(name, "SHUTDOWN")) {
		c->close_after_write = true; /* a real server goes away without a reply */
	} else {
		unknown(c, cmd);
	}
}

size_t ld_hp_redis_on_data(ld_hp_conn *c, const char *p, size_t n)
{
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	ld_resp_cmd *cmd = &sh->resp;
	const char *why = NULL;
	size_t used = 0;
	int rc = ld_resp_parse(cmd, p, n, sh->scratch, &used, &why);
	if (rc == LD_HP_MORE)
		return 0;
	if (rc < 0) {
		c->steps++;
		ld_hp_event_begin(c, "redis.protocol_error");
		ld_jw_kstr(&sh->jw, "error", why ? why : "protocol error");
		ld_hp_kstr(c, "data", p, LD_MIN(n, (size_t)256));
		ld_hp_event_payload(c, p, n);
		ld_hp_event_end(c);
		ld_hp_outf(c, "-ERR Protocol error: %s\r\n", why ? why : "invalid request");
		c->close_after_write = true;
		return n;
	}
	if (cmd->argc == 0)
		return used;
	c->steps++;
	record(c, cmd);
	answer(c, cmd);
	return used;
}
