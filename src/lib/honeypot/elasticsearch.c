/* Elasticsearch emulation: a 1.4.2 node (the version whose dynamic scripting, CVE-2014-3120 and
 * CVE-2015-1427, attack tools still try) with one small index. Searches return no hits; scripts
 * inside a query ("script", "script_fields", "_source" of stored scripts) are extracted and
 * recorded, the whole body being the payload; index creation and deletion (ransom notes) are
 * recorded and acknowledged. */
#include "util/common.h"
#include "util/json.h"
#include "honeypot/hp.h"

#define BODY_JSON_DEPTH 64
#define SCRIPTS_MAX	16   /* scripts recorded per request */
#define WALK_MAX	4096 /* JSON nodes visited looking for scripts */

static const char root_json[] =
	"{\n  \"status\" : 200,\n  \"name\" : \"Blackheart\",\n  \"cluster_name\" : "
	"\"elasticsearch\",\n"
	"  \"version\" : {\n    \"number\" : \"1.4.2\",\n    \"build_hash\" : "
	"\"927caff6f05403e936c20bf4529f144f0c89fd8c\",\n"
	"    \"build_timestamp\" : \"2014-12-16T14:11:12Z\",\n    \"build_snapshot\" : false,\n"
	"    \"lucene_version\" : \"4.10.2\"\n  },\n  \"tagline\" : \"You Know, for Search\"\n}\n";

static const char search_json[] =
	"{\"took\":2,\"timed_out\":false,\"_shards\":{\"total\":5,\"successful\":5,\"failed\":0},"
	"\"hits\":{\"total\":0,\"max_score\":null,\"hits\":[]}}";

static const char indices_txt[] = "green open logstash-2023.05.01 5 1 184233 0 88.1mb 44mb\n"
				  "green open .kibana            1 1      4 0 31.2kb 15.6kb\n"
				  "green open customers          5 1  12877 3 14.9mb 7.4mb\n";

/* The request's body as JSON (NULL when absent or not JSON: recorded as raw body anyway). */
static const ld_json *body_json(ld_arena *a, const ld_http_req *r)
{
	return ld_hp_json_body(a, r->body, BODY_JSON_DEPTH);
}

/* Strings under any "script"/"inline"/"source" key (1.x: {"script": "..."}; later:
 * {"script": {"source": "..."}}), depth-first with an explicit stack. */
static void scripts(ld_hp_conn *c, const ld_json *root)
{
	const ld_json *stack[BODY_JSON_DEPTH + 1];
	bool in_script[BODY_JSON_DEPTH + 1];
	size_t sp = 0, visited = 0, found = 0;
	struct ld_hp_shared *sh = ld_hp_shared(c->hp);
	if (!root)
		return;
	ld_jw_key(&sh->jw, "scripts");
	ld_jw_arr(&sh->jw);
	stack[sp] = root;
	in_script[sp++] = false;
	while (sp && visited++ < WALK_MAX && found < SCRIPTS_MAX) {
		const ld_json *v = stack[--sp];
		bool sc = in_script[sp];
		const ld_json_member *m;
		const ld_json *it;
		ld_json_foreach_member(v, i, m)
		{
			bool key_script =
				!strcmp(m->key, "script") ||
				(sc && (!strcmp(m->key, "inline") || !strcmp(m->key, "source")));
			if (ld_json_is(&m->value, LD_JSON_STRING) && key_script &&
			    found < SCRIPTS_MAX) {
				ld_slice s = ld_json_slice(&m->value);
				ld_hp_str(c, s.ptr, s.len);
				found++;
			} else if ((ld_json_is(&m->value, LD_JSON_OBJECT) ||
				    ld_json_is(&m->value, LD_JSON_ARRAY)) &&
				   sp < BODY_JSON_DEPTH) {
				stack[sp] = &m->value;
				in_script[sp++] = key_script || !strcmp(m->key, "script_fields");
			}
		}
		ld_json_foreach_item(v, i, it)
		{
			if ((ld_json_is(it, LD_JSON_OBJECT) || ld_json_is(it, LD_JSON_ARRAY)) &&
			    sp < BODY_JSON_DEPTH) {
				stack[sp] = it;
				in_script[sp++] = sc;
			}
		}
	}
	ld_jw_arr_end(&sh->jw);
}

static void search(ld_hp_conn *c, const ld_http_req *r, ld_slice index)
{
	ld_arena a;
	char q[1024];
	ld_arena_init(&a, LD_HP_BODY_JSON_ARENA);
	ld_hp_http_event(c, "elasticsearch.search", r);
	if (index.len)
		ld_hp_kslice(c, "index", index);
	if (ld_http_query_get(r->query, "q", q, sizeof(q)))
		ld_hp_kstr(c, "q", q, strlen(q));
	scripts(c, body_json(&a, r));
	ld_hp_event_end(c);
	ld_arena_release(&a);
	ld_hp_http_json(c, r, 200, search_json);
}

static void simple(ld_hp_conn *c, const ld_http_req *r, const char *eventid, ld_slice index,
		   int status, const char *ctype, const char *body)
{
	ld_hp_http_event(c, eventid, r);
	if (index.len)
		ld_hp_kslice(c, "index", index);
	ld_hp_event_end(c);
	ld_hp_http_reply(c, r, status, ctype, NULL, body, strlen(body));
}

static void route(ld_hp_conn *c, const ld_http_req *r)
{
	ld_slice seg[6];
	size_t n = ld_hp_http_segments(r->path, seg, LD_ARRAY_LEN(seg));
	bool get = ld_slice_eq_cstr(r->method, "GET") || ld_slice_eq_cstr(r->method, "HEAD");
	const char *json = "application/json; charset=UTF-8";

	if (n == 0 && get) {
		simple(c, r, "elasticsearch.info", LD_SLICE_NULL, 200, json, root_json);
	} else if (n >= 1 && ld_slice_eq_cstr(seg[n - 1], "_search")) {
		search(c, r, n >= 2 ? seg[0] : LD_SLICE_NULL);
	} else if (n >= 2 && ld_slice_eq_cstr(seg[0], "_cat") &&
		   ld_slice_eq_cstr(seg[1], "indices")) {
		simple(c, r, "elasticsearch.cat", LD_SLICE_NULL, 200, "text/plain; charset=UTF-8",
		       indices_txt);
	} else if (n >= 1 &&
		   (ld_slice_eq_cstr(seg[0], "_nodes") || ld_slice_eq_cstr(seg[0], "_cluster") ||
		    ld_slice_eq_cstr(seg[0], "_cat") || ld_slice_eq_cstr(seg[0], "_stats"))) {
		simple(c, r, "elasticsearch.request", LD_SLICE_NULL, 200, json,
		       "{\"cluster_name\":\"elasticsearch\",\"status\":\"green\",\"timed_out\":"
		       "false,"
		       "\"number_of_nodes\":1,\"number_of_data_nodes\":1}");
	} else if (n >= 1 && ld_slice_eq_cstr(r->method, "DELETE")) {
		simple(c, r, "elasticsearch.delete", seg[0], 200, json, "{\"acknowledged\":true}");
	} else if (n >= 1 &&
		   (ld_slice_eq_cstr(r->method, "PUT") || ld_slice_eq_cstr(r->method, "POST")) &&
		   seg[0].len && seg[0].ptr[0] != '_') {
		simple(c, r, "elasticsearch.index", seg[0], n == 1 ? 200 : 201, json,
		       n == 1 ? "{\"acknowledged\":true}"
			      : "{\"_index\":\"x\",\"_type\":\"doc\",\"_id\":\"AVx1\",\"_version\":"
				"1,\"created\":true}");
	} else {
		simple(c, r, "elasticsearch.request", LD_SLICE_NULL, 404, json,
		       "{\"error\":\"IndexMissingException[[_all] missing]\",\"status\":404}");
	}
}

size_t ld_hp_es_on_data(ld_hp_conn *c, const char *p, size_t n)
{
	return ld_hp_http_on_data(c, p, n, route);
}
