/* Kubernetes API source: a kubeconfig's current context (server, CA, bearer token or client
 * certificate), then GET /api/v1/pods of all namespaces, page by page (limit/continue). */
#include "util/common.h"
#include "util/base64.h"
#include "util/http.h"
#include "util/jsonw.h"
#include "util/path.h"
#include "util/proc.h"
#include "util/yaml.h"
#include "source/containers.h"

/* Named limits. */
#define KUBE_MAX_CONFIG_BYTES (4u << 20) /* kubeconfig file */
#define KUBE_MAX_PEM_BYTES (1u << 20)    /* one certificate, key or CA bundle */
#define KUBE_MAX_TOKEN_BYTES LD_KUBE_MAX_TOKEN
#define KUBE_PAGE_LIMIT 500              /* pods asked per request (kubectl's default) */
#define KUBE_MAX_PAGES 10000u            /* 5 million pods */
#define KUBE_MAX_PAGE_BYTES (256u << 20)
#define KUBE_EXEC_TIMEOUT_MS 60000u       /* an exec credential plugin's run */
#define KUBE_EXEC_MAX_OUTPUT (1u << 20)   /* its ExecCredential */
#define KUBE_EXEC_MAX_STDERR 4096u        /* kept of its standard error, for the message */
#define KUBE_EXEC_MAX_ARGS 64
#define KUBE_EXEC_MAX_ENV 64
#define KUBE_EXEC_V1 "client.authentication.k8s.io/v1"
#define KUBE_EXEC_V1BETA1 "client.authentication.k8s.io/v1beta1"


void ld_kube_config_release(ld_kube_cfg *k)
{
	ld_buf_release(&k->ca);
	ld_buf_release(&k->cert);
	ld_buf_release(&k->key);
	explicit_bzero(k->auth, sizeof(k->auth));
	ld_arena_release(&k->arena);
}

static int read_file(const char *path, size_t max, ld_buf *out, lading_ctx *ctx)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char chunk[16384];
	ssize_t n;
	if (fd < 0)
		return ld_error_set_path(ctx, errno == ENOENT ? LADING_ENOTFOUND : LADING_EIO, path, 0,
					 "cannot open %s: %s", path, strerror(errno));
	ld_buf_init(out, max);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (ld_buf_add(out, chunk, (size_t)n))
			break;
	close(fd);
	if (n < 0 || ld_buf_error(out))
		return ld_error_set_path(ctx, n < 0 ? LADING_EIO : LADING_ELIMIT, path, 0, "cannot read %s%s", path,
					 n < 0 ? "" : ": too large");
	return 0;
}

/* The entry called `name` of a kubeconfig list ("clusters", "users", "contexts"). */
static const ld_json *named(const ld_json *root, const char *list, const char *name, const char *inner)
{
	const ld_json *e;
	ld_json_foreach_item(ld_json_get(root, list), i, e) {
		const char *n = ld_json_get_str(e, "name");
		if (n && name && !strcmp(n, name))
			return ld_json_get(e, inner);
	}
	return NULL;
}

/* Paths in a kubeconfig are relative to the file's directory. */
static const char *cfg_path(ld_kube_cfg *k, const char *p)
{
	ld_slice dir;
	if (!p || !*p || p[0] == '/')
		return p;
	dir = ld_path_dir(ld_slice_cstr(k->file));
	return ld_arena_printf(&k->arena, "%.*s%s%s", (int)dir.len, dir.ptr, dir.len ? "/" : "", p);
}

static int pem_data(ld_kube_cfg *k, const ld_json *obj, const char *key, ld_buf *out, lading_ctx *ctx)
{
	const char *v = ld_json_get_str(obj, key);
	if (!v)
		return 0;
	ld_buf_init(out, KUBE_MAX_PEM_BYTES);
	if (ld_base64_decode(out, v, strlen(v)))
		return ld_error_set_path(ctx, LADING_EINVALID, k->file, 0, "%s: %s is not valid base64", k->file, key);
	return 0;
}

/* "Authorization: Bearer TOKEN" from a token (a trailing newline allowed, as token files have). */
static int set_token(ld_kube_cfg *k, const char *tok, const char *from, lading_ctx *ctx)
{
	size_t n = strcspn(tok, "\r\n");
	bool ok = n > 0 && n <= LD_KUBE_MAX_TOKEN && tok[n + strspn(tok + n, "\r\n")] == '\0';
	for (size_t i = 0; ok && i < n; i++)
		ok = (unsigned char)tok[i] > 0x20 && tok[i] != 0x7f;
	if (!ok)
		return ld_error_set_path(ctx, LADING_EINVALID, k->file, 0,
					 "%s: %s is empty, longer than %u bytes or holds blanks or control "
					 "characters",
					 k->file, from, LD_KUBE_MAX_TOKEN);
	ld_snprintf(k->auth, sizeof(k->auth), "Authorization: Bearer %.*s", (int)n, tok);
	return 0;
}

/* ---- exec credential plugins (client.authentication.k8s.io, as kubectl runs them) ---- */

/* A YAML boolean, read with plain strings: true or "true". */
static bool yaml_true(const ld_json *v)
{
	const char *s = ld_json_str(v);
	return ld_json_bool(v, false) || (s && !strcmp(s, "true"));
}

/* KUBERNETES_EXEC_INFO: the ExecCredential the plugin is given (never interactive here; the
 * cluster when provideClusterInfo asks for it). */
static int exec_info(ld_kube_cfg *k, const ld_json *ex, const char *api, const ld_json *cl, ld_buf *out)
{
	ld_jw w;
	ld_jw_init(&w, out, false);
	ld_buf_adds(out, "KUBERNETES_EXEC_INFO=");
	ld_jw_obj(&w);
	ld_jw_kstr(&w, "apiVersion", api);
	ld_jw_kstr(&w, "kind", "ExecCredential");
	ld_jw_key(&w, "spec");
	ld_jw_obj(&w);
	ld_jw_key(&w, "interactive");
	ld_jw_bool(&w, false);
	if (yaml_true(ld_json_get(ex, "provideClusterInfo")) && cl) {
		const char *ca = ld_json_get_str(cl, "certificate-authority-data");
		ld_jw_key(&w, "cluster");
		ld_jw_obj(&w);
		ld_jw_kstr(&w, "server", k->server);
		if (ca)
			ld_jw_kstr(&w, "certificate-authority-data", ca);
		ld_jw_key(&w, "insecure-skip-tls-verify");
		ld_jw_bool(&w, k->insecure);
		ld_jw_obj_end(&w);
	}
	ld_jw_obj_end(&w);
	ld_jw_obj_end(&w);
	return ld_buf_error(out) ? LADING_ENOMEM : 0;
}

/* argv and environment from the exec section (strings in k's arena). */
static int exec_argv(ld_kube_cfg *k, const ld_json *ex, const char **argv, const char **env, size_t *nenv,
		     lading_ctx *ctx)
{
	const char *cmd = ld_json_get_str(ex, "command");
	const ld_json *args = ld_json_get(ex, "args"), *e, *vars = ld_json_get(ex, "env");
	size_t n = 0;

	if (!cmd || !*cmd)
		return ld_error_set_path(ctx, LADING_EINVALID, k->file, 0, "%s: the exec plugin has no command",
					 k->file);
	/* a relative path is the kubeconfig's directory's; a bare name is looked up in PATH */
	argv[n++] = strchr(cmd, '/') ? cfg_path(k, cmd) : cmd;
	if ((args && !ld_json_is(args, LD_JSON_ARRAY)) || (args && args->n > KUBE_EXEC_MAX_ARGS) ||
	    (vars && !ld_json_is(vars, LD_JSON_ARRAY)) || (vars && vars->n > KUBE_EXEC_MAX_ENV))
		return ld_error_set_path(ctx, LADING_EINVALID, k->file, 0,
					 "%s: the exec plugin's args and env are lists (of at most %d)", k->file,
					 KUBE_EXEC_MAX_ARGS);
	ld_json_foreach_item(args, i, e) {
		if (!(argv[n++] = ld_json_str(e)))
			return ld_error_set_path(ctx, LADING_EINVALID, k->file, 0,
						 "%s: an exec plugin argument is not a string", k->file);
	}
	argv[n] = NULL;
	*nenv = 0;
	ld_json_foreach_item(vars, i, e) {
		const char *nm = ld_json_get_str(e, "name"), *v = ld_json_get_str(e, "value");
		if (!nm || !*nm || strchr(nm, '=') || !v)
			return ld_error_set_path(ctx, LADING_EINVALID, k->file, 0,
						 "%s: an exec plugin env entry needs a name and a value", k->file);
		if (!(env[(*nenv)++] = ld_arena_printf(&k->arena, "%s=%s", nm, v)))
			return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	return 0;
}

/* The plugin's standard error for a message: its last non-empty line, printable ASCII only. */
static void last_line(const ld_buf *err, char *out, size_t n)
{
	const char *p = err->ptr ? err->ptr : "";
	size_t len = err->len, k = 0, start;
	while (len && (p[len - 1] == '\n' || p[len - 1] == '\r' || p[len - 1] == ' '))
		len--;
	start = len;
	while (start && p[start - 1] != '\n')
		start--;
	for (size_t i = start; i < len && k + 1 < n && k < 200; i++)
		out[k++] = (unsigned char)p[i] >= 0x20 && (unsigned char)p[i] < 0x7f ? p[i] : '?';
	out[k] = '\0';
}

/* The ExecCredential printed: a token, or a client certificate and key (PEM). */
static int exec_result(ld_kube_cfg *k, const char *cmd, const char *api, const ld_buf *out, lading_ctx *ctx)
{
	ld_json_limits lim = {.max_depth = 16};
	ld_arena a;
	ld_json *doc;
	const ld_json *st;
	const char *tok, *cert, *key, *dapi;
	int rc;

	ld_arena_init(&a, 0);
	if ((rc = ld_json_parse(&doc, &a, out->ptr ? out->ptr : "", out->len, &lim, ctx, cmd)))
		goto out;
	dapi = ld_json_get_str(doc, "apiVersion");
	st = ld_json_get(doc, "status");
	if (!dapi || strcmp(dapi, api) || strcmp(ld_json_get_str(doc, "kind") ? ld_json_get_str(doc, "kind") : "",
						 "ExecCredential") || !ld_json_is(st, LD_JSON_OBJECT)) {
		rc = ld_error_set_path(ctx, LADING_EINVALID, k->file, 0,
				       "%s: the exec plugin %s did not print an ExecCredential of %s with a status",
				       k->file, cmd, api);
		goto out;
	}
	tok = ld_json_get_str(st, "token");
	cert = ld_json_get_str(st, "clientCertificateData");
	key = ld_json_get_str(st, "clientKeyData");
	if (tok && *tok) {
		rc = set_token(k, tok, "the exec plugin's token", ctx);
	} else if (cert && *cert && key && *key) {
		ld_buf_init(&k->cert, KUBE_MAX_PEM_BYTES);
		ld_buf_init(&k->key, KUBE_MAX_PEM_BYTES);
		if (ld_buf_adds(&k->cert, cert) || ld_buf_adds(&k->key, key))
			rc = ld_error_set(ctx, LADING_ELIMIT, "%s: the exec plugin's certificate is too large", k->file);
	} else {
		rc = ld_error_set_path(ctx, LADING_EINVALID, k->file, 0,
				       "%s: the exec plugin %s gave neither a token nor a client certificate and key",
				       k->file, cmd);
	}
out:
	ld_arena_release(&a);
	return rc;
}

static int exec_auth(ld_kube_cfg *k, const ld_json *ex, const ld_json *cl, lading_ctx *ctx)
{
	const char *api = ld_json_get_str(ex, "apiVersion"), *mode = ld_json_get_str(ex, "interactiveMode");
	const char *argv[KUBE_EXEC_MAX_ARGS + 2], *env[KUBE_EXEC_MAX_ENV + 1];
	ld_buf info = LD_BUF_INIT, out = LD_BUF_INIT, err = LD_BUF_INIT;
	size_t nenv = 0;
	char line[256];
	int st, rc;

	if (k->no_files)
		return ld_error_set_path(ctx, LADING_EUNSUPPORTED, k->file, 0, "%s: exec plugins not run here", k->file);
	if (!api || (strcmp(api, KUBE_EXEC_V1) && strcmp(api, KUBE_EXEC_V1BETA1)))
		return ld_error_set_path(ctx, LADING_EUNSUPPORTED, k->file, 0,
					 "%s: the exec plugin's apiVersion is not %s (nor v1beta1)", k->file,
					 KUBE_EXEC_V1);
	if (mode && !strcmp(mode, "Always"))
		return ld_error_set_path(ctx, LADING_EUNSUPPORTED, k->file, 0,
					 "%s: the exec plugin wants a terminal (interactiveMode: Always), which "
					 "lading does not give it",
					 k->file);
	if ((rc = exec_argv(k, ex, argv, env, &nenv, ctx)))
		return rc;
	if ((rc = exec_info(k, ex, api, cl, &info)))
		return ld_error_set(ctx, rc, "out of memory");
	env[nenv++] = ld_buf_cstr(&info);
	{
		ld_proc_opts po = {argv, env, nenv, KUBE_EXEC_MAX_OUTPUT, KUBE_EXEC_MAX_STDERR, KUBE_EXEC_TIMEOUT_MS};
		rc = ld_proc_run(&po, &out, &err, &st, ctx);
	}
	if (rc) {
		ld_error_prefix(ctx, "%s: exec plugin: ", k->file);
	} else if (st != 0) {
		last_line(&err, line, sizeof(line));
		rc = ld_error_set_path(ctx, LADING_EAUTH, k->file, 0, "%s: the exec plugin %s exited with status %d%s%s",
				       k->file, argv[0], st, line[0] ? ": " : "", line);
	} else {
		rc = exec_result(k, argv[0], api, &out, ctx);
	}
	if (out.ptr)
		explicit_bzero(out.ptr, out.cap);
	ld_buf_release(&out);
	ld_buf_release(&err);
	ld_buf_release(&info);
	return rc;
}

static int user_auth(ld_kube_cfg *k, const ld_json *user, const ld_json *cl, lading_ctx *ctx)
{
	const char *tok = ld_json_get_str(user, "token"), *tf = ld_json_get_str(user, "tokenFile");
	ld_buf b = LD_BUF_INIT;
	int rc;
	bool statics = tok || tf || ld_json_get(user, "client-certificate") || ld_json_get(user, "client-certificate-data");
	if (ld_json_get(user, "exec") && !statics)
		return exec_auth(k, ld_json_get(user, "exec"), cl, ctx);
	if (ld_json_get(user, "auth-provider") && !statics)
		return ld_error_set_path(ctx, LADING_EUNSUPPORTED, k->file, 0,
					 "%s: the user authenticates with an auth-provider plugin, which lading "
					 "does not run; give a token, a client certificate or an exec plugin",
					 k->file);
	if (!tok && tf && k->no_files)
		return ld_error_set_path(ctx, LADING_EUNSUPPORTED, k->file, 0, "%s: tokenFile not read here", k->file);
	if (!tok && tf) {
		if ((rc = read_file(cfg_path(k, tf), KUBE_MAX_TOKEN_BYTES, &b, ctx)))
			return rc;
		tok = ld_buf_cstr(&b);
	}
	if (tok && (rc = set_token(k, tok, "the user's token", ctx))) {
		ld_buf_release(&b);
		return rc;
	}
	ld_buf_release(&b);
	k->cert_file = cfg_path(k, ld_json_get_str(user, "client-certificate"));
	k->key_file = cfg_path(k, ld_json_get_str(user, "client-key"));
	if ((rc = pem_data(k, user, "client-certificate-data", &k->cert, ctx)) ||
	    (rc = pem_data(k, user, "client-key-data", &k->key, ctx)))
		return rc;
	return 0;
}

int ld_kube_config_parse(ld_kube_cfg *k, const char *p, size_t len, const char *file, const char *context,
			 lading_ctx *ctx)
{
	ld_json *root;
	const ld_json *cx, *cl, *user;
	ld_yaml_limits lim = {.max_input = KUBE_MAX_CONFIG_BYTES, .flags = LD_YAML_PLAIN_STRINGS};
	const char *cname, *uname;
	int rc;

	k->file = ld_arena_strdup(&k->arena, file);
	if (!k->file)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	if ((rc = ld_yaml_parse(&root, &k->arena, p, len, &lim, ctx, file)))
		return rc;
	if (!context)
		context = ld_json_get_str(root, "current-context");
	if (!context || !(cx = named(root, "contexts", context, "context")))
		return ld_error_set_path(ctx, LADING_EINVALID, file, 0, "%s: no context %s%s%s", file,
					 context ? "'" : "(current-context is not set)", context ? context : "",
					 context ? "'" : "");
	cname = ld_json_get_str(cx, "cluster");
	uname = ld_json_get_str(cx, "user");
	if (!(cl = named(root, "clusters", cname, "cluster")) || !(k->server = ld_json_get_str(cl, "server")))
		return ld_error_set_path(ctx, LADING_EINVALID, file, 0, "%s: context '%s' names cluster '%s', "
					 "which has no server", file, context, cname ? cname : "");
	if (strncmp(k->server, "https://", 8) && strncmp(k->server, "http://", 7))
		return ld_error_set_path(ctx, LADING_EINVALID, file, 0, "%s: server '%s' is not an http(s) URL",
					 file, k->server);
	k->cluster = cname;
	k->insecure = yaml_true(ld_json_get(cl, "insecure-skip-tls-verify"));
	k->ca_file = cfg_path(k, ld_json_get_str(cl, "certificate-authority"));
	if ((rc = pem_data(k, cl, "certificate-authority-data", &k->ca, ctx)))
		return rc;
	user = uname ? named(root, "users", uname, "user") : NULL;
	if (uname && !user)
		return ld_error_set_path(ctx, LADING_EINVALID, file, 0, "%s: context '%s' names user '%s', who is "
					 "not in the file", file, context, uname);
	return user ? user_auth(k, user, cl, ctx) : 0;
}

static int http_for(ld_kube_cfg *k, ld_http **out, int insecure, lading_ctx *ctx)
{
	ld_http_options ho = {0};
	char host[300], hostport[320];
	long port;
	/* insecure-skip-tls-verify covers the cluster's own server only */
	if ((k->insecure || insecure) && ld_http_url_host(k->server, host, sizeof(host), &port) == 0) {
		ld_snprintf(hostport, sizeof(hostport), strchr(host, ':') ? "[%s]:%ld" : "%s:%ld", host, port);
		ho.insecure_host = hostport;
	}
	ho.ca_file = k->ca_file;
	ho.ca_pem = ld_buf_slice(&k->ca);
	ho.cert_file = k->cert_file;
	ho.key_file = k->key_file;
	ho.cert_pem = ld_buf_slice(&k->cert);
	ho.key_pem = ld_buf_slice(&k->key);
	ho.connect_timeout_ms = 10000;
	ho.read_timeout_ms = 60000;
	return ld_http_new(out, &ho, ctx);
}

static void url_escape(ld_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~", c))
			ld_buf_addc(b, (char)c);
		else
			ld_buf_addf(b, "%%%02X", c);
	}
}

/* One page: parse, add its pods, return the continue token (in *a) or NULL. */
static int one_page(lading_containers *s, ld_http *h, ld_kube_cfg *k, const char *cont, ld_arena *a,
		    const char **next, lading_ctx *ctx)
{
	ld_buf url = LD_BUF_INIT, body = LD_BUF_INIT;
	const char *hdr[1] = {k->auth};
	ld_http_request req = {0};
	ld_http_response resp;
	ld_json_limits lim = {.max_depth = LD_SNAP_MAX_JSON_DEPTH};
	ld_json *doc;
	char what[1200], logurl[1024];
	size_t sl = strlen(k->server);
	int rc;

	while (sl && k->server[sl - 1] == '/')
		sl--;
	*next = NULL;
	ld_buf_addf(&url, "%.*s/api/v1/pods?limit=%d", (int)sl, k->server, KUBE_PAGE_LIMIT);
	if (cont) {
		ld_buf_adds(&url, "&continue=");
		url_escape(&url, cont);
	}
	ld_buf_init(&body, KUBE_MAX_PAGE_BYTES);
	req.url = ld_buf_cstr(&url);
	req.headers = hdr;
	req.nheaders = k->auth[0] ? 1 : 0;
	req.max_bytes = KUBE_MAX_PAGE_BYTES;
	req.body = &body;
	ld_http_url_for_log(req.url, logurl, sizeof(logurl));
	ld_snprintf(what, sizeof(what), "%s%s", logurl, cont ? " (continued page)" : "");
	rc = ld_http_get(h, &req, &resp, ctx);
	if (rc == LADING_EAUTH)
		ld_error_prefix(ctx, "Kubernetes API refused the credentials of %s: ", k->file);
	if (!rc)
		rc = ld_json_parse(&doc, a, body.ptr ? body.ptr : "", body.len, &lim, ctx, what);
	if (!rc && !ld_json_is(ld_json_get(doc, "items"), LD_JSON_ARRAY))
		rc = ld_error_set_path(ctx, LADING_EINVALID, what, 0, "%s: answer at byte 0 is not a pod list (kind %s)",
				       what, ld_json_get_str(doc, "kind") ? ld_json_get_str(doc, "kind") : "none");
	if (!rc)
		rc = ld_snap_add_pods(s, ld_json_get(doc, "items"), what, ctx);
	if (!rc) {
		const char *c = ld_json_str(ld_json_getp(doc, "metadata", "continue", NULL));
		*next = c && *c ? c : NULL;
	}
	ld_buf_release(&url);
	ld_buf_release(&body);
	return rc;
}

int ld_kube_snapshot(lading_containers **out, const lading_containers_options *o, lading_ctx *ctx)
{
	ld_kube_cfg k;
	ld_buf cfgtext = LD_BUF_INIT;
	ld_http *h = NULL;
	lading_containers *s = NULL;
	ld_arena pages[2];
	const char *cont = NULL;
	char src[700];
	unsigned n = 0;
	int rc;

	*out = NULL;
	memset(&k, 0, sizeof(k));
	ld_arena_init(&k.arena, 0);
	ld_arena_init(&pages[0], 0);
	ld_arena_init(&pages[1], 0);
	if ((rc = read_file(o->kubeconfig, KUBE_MAX_CONFIG_BYTES, &cfgtext, ctx)) ||
	    (rc = ld_kube_config_parse(&k, cfgtext.ptr ? cfgtext.ptr : "", cfgtext.len, o->kubeconfig, o->kube_context,
				       ctx)) ||
	    (rc = http_for(&k, &h, o->insecure, ctx)))
		goto out;
	ld_snprintf(src, sizeof(src), "kube:%s", k.cluster ? k.cluster : k.server);
	if ((rc = ld_snap_new(&s, o->source_name ? o->source_name : src, "kubernetes", ctx)))
		goto out;
	do {
		/* the continue token lives in the previous page's tree: alternate two arenas */
		ld_arena *a = &pages[n % 2];
		if (n >= KUBE_MAX_PAGES) {
			rc = ld_error_set(ctx, LADING_ELIMIT, "%s: more than %u pages of pods", k.server, KUBE_MAX_PAGES);
			goto out;
		}
		ld_arena_release(a);
		ld_arena_init(a, 0);
		if ((rc = one_page(s, h, &k, cont, a, &cont, ctx)))
			goto out;
		n++;
	} while (cont);
	ld_snap_finish(s);
	*out = s;
	s = NULL;
out:
	lading_containers_free(s);
	ld_http_free(h);
	ld_arena_release(&pages[0]);
	ld_arena_release(&pages[1]);
	ld_kube_config_release(&k);
	ld_buf_release(&cfgtext);
	return rc;
}
