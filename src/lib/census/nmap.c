/* nmap XML (-oX, with -sV): <host> <address addr addrtype/> <hostnames><hostname name/>
 * <ports><port protocol portid><state state/><service name product version extrainfo ostype
 * servicefp><cpe>...</cpe></service></port></ports></host>. One record per open port. Read with
 * expat (called from this file only): streaming, no DTD, entity declarations refused (no entity
 * expansion bombs), nesting and element counts capped. A file cut short (an interrupted scan)
 * keeps the hosts read before the cut, with a warning. */
#include <expat.h>

#include "util/common.h"
#include "census/census.h"

/* Named limits. */
#define NMAP_MAX_DEPTH 64
#define NMAP_MAX_ELEMENTS 50000000u
#define NMAP_MAX_PORTS 140000 /* open ports of one host (tcp + udp, twice over) */
#define NMAP_MAX_TEXT 1024    /* bytes of one <cpe> text */
#define NMAP_CHUNK (1 << 20)
#define NMAP_HOST_ARENA ((size_t)256 << 20)

typedef struct nport {
	const char *proto, *state, *name, *product, *version, *extrainfo, *ostype, *fp, *tunnel, *cpe;
	unsigned port;
} nport;

typedef struct nparse {
	XML_Parser xp;
	ld_census_sink *sink;
	lading_ctx *ctx;
	const char *what;
	ld_arena host; /* strings of the current host */
	const char *addr, *hostname, *starttime, *run_start;
	bool addr_is_mac;
	nport *ports;
	size_t nports, cap;
	bool in_host, in_port, in_service, in_cpe;
	char cpe[NMAP_MAX_TEXT];
	size_t cpe_len;
	unsigned depth;
	uint64_t elements;
	size_t hosts;
	int rc;	       /* an error from the sink (stops the parse) */
	bool refused;  /* entity declaration */
	bool limited;
} nparse;

static const char *attr(const XML_Char **a, const char *name)
{
	for (; a && a[0]; a += 2)
		if (!strcmp(a[0], name))
			return a[1];
	return NULL;
}

static const char *keep(nparse *np, const char *s)
{
	return s ? ld_arena_strndup(&np->host, s, strnlen(s, LD_CENSUS_ATTR_MAX)) : NULL;
}

static void emit_host(nparse *np)
{
	for (size_t i = 0; i < np->nports && !np->rc; i++) {
		nport *p = &np->ports[i];
		ld_census_obs o;
		if (!p->state || strcmp(p->state, "open")) {
			np->sink->ignored++;
			continue;
		}
		if (!np->addr) {
			ld_warn(np->ctx, "%s: host %zu has no IP address: skipped", np->what, np->hosts);
			np->sink->skipped++;
			break;
		}
		ld_census_obs_init(&o, &np->host);
		ld_census_obs_service(&o, ld_slice_cstr(p->name));
		if (p->tunnel && !strcmp(p->tunnel, "ssl"))
			ld_census_obs_attr(&o, "tunnel", ld_slice_cstr("ssl"));
		if (p->product)
			ld_census_obs_product(&o, ld_slice_cstr(p->product));
		if (p->version)
			ld_census_obs_version(&o, ld_slice_cstr(p->version));
		if (p->extrainfo) {
			/* "(Debian)" for Apache, "protocol 2.0" for SSH */
			ld_slice x = ld_slice_trim(ld_slice_cstr(p->extrainfo));
			if (x.len >= 2 && x.ptr[0] == '(' && x.ptr[x.len - 1] == ')')
				x = ld_slice_sub(x, 1, x.len - 2);
			if (ld_census_is_distro_hint(x) && !o.distro)
				ld_census_obs_set(&o, &o.distro, x);
			else
				ld_census_obs_attr(&o, "extrainfo", ld_slice_cstr(p->extrainfo));
		}
		if (p->ostype)
			ld_census_obs_attr(&o, "os", ld_slice_cstr(p->ostype));
		if (p->cpe)
			ld_census_obs_attr(&o, "nmap_cpe", ld_slice_cstr(p->cpe));
		if (p->fp)
			ld_census_obs_evidence(&o, ld_slice_cstr(p->fp));
		if (np->hostname)
			ld_census_obs_attr(&o, "host", ld_slice_cstr(np->hostname));
		if (!o.service && !o.product)
			o.note = "nmap did not recognize the service";
		np->rc = ld_census_emit(np->sink, &o, np->addr, p->port, p->proto,
					np->starttime ? np->starttime : np->run_start, "nmap");
	}
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	nparse *np = ud;
	if (++np->depth > NMAP_MAX_DEPTH || ++np->elements > NMAP_MAX_ELEMENTS) {
		np->limited = true;
		XML_StopParser(np->xp, XML_FALSE);
		return;
	}
	if (!strcmp(name, "nmaprun")) {
		const char *s = attr(a, "start");
		free((void *)np->run_start);
		np->run_start = s ? ld_strndup(s, strnlen(s, 32)) : NULL;
	} else if (!strcmp(name, "host")) {
		ld_arena_release(&np->host);
		ld_arena_init(&np->host, NMAP_HOST_ARENA);
		np->in_host = true;
		/* a <host> inside a <port> is malformed; never carry port state across hosts */
		np->in_port = np->in_service = np->in_cpe = false;
		np->addr = np->hostname = NULL;
		np->addr_is_mac = false;
		np->nports = 0;
		np->starttime = keep(np, attr(a, "starttime"));
	} else if (!np->in_host) {
		return;
	} else if (!strcmp(name, "address")) {
		const char *type = attr(a, "addrtype"), *addr = attr(a, "addr");
		if (addr && type && strcmp(type, "mac") && (!np->addr || np->addr_is_mac)) {
			np->addr = keep(np, addr);
			np->addr_is_mac = false;
		}
	} else if (!strcmp(name, "hostname")) {
		if (!np->hostname)
			np->hostname = keep(np, attr(a, "name"));
	} else if (!strcmp(name, "port")) {
		const char *id = attr(a, "portid");
		uint64_t port;
		nport *p;
		np->in_port = false;
		if (!id || !ld_slice_to_u64(ld_slice_cstr(id), 65535, &port) || !port) {
			ld_warn(np->ctx, "%s: a <port> without a valid portid: skipped", np->what);
			np->sink->skipped++;
			return;
		}
		if (np->nports >= NMAP_MAX_PORTS) {
			np->sink->skipped++;
			return;
		}
		if (np->nports == np->cap) {
			size_t ncap = np->cap ? np->cap * 2 : 64;
			nport *n = realloc(np->ports, ncap * sizeof(*n));
			if (!n) {
				np->rc = LADING_ENOMEM;
				XML_StopParser(np->xp, XML_FALSE);
				return;
			}
			np->ports = n;
			np->cap = ncap;
		}
		p = &np->ports[np->nports++];
		memset(p, 0, sizeof(*p));
		p->port = (unsigned)port;
		p->proto = keep(np, attr(a, "protocol"));
		np->in_port = true;
	} else if (!np->in_port || !np->nports) {
		return;
	} else if (!strcmp(name, "state")) {
		np->ports[np->nports - 1].state = keep(np, attr(a, "state"));
	} else if (!strcmp(name, "service")) {
		nport *p = &np->ports[np->nports - 1];
		p->name = keep(np, attr(a, "name"));
		p->product = keep(np, attr(a, "product"));
		p->version = keep(np, attr(a, "version"));
		p->extrainfo = keep(np, attr(a, "extrainfo"));
		p->ostype = keep(np, attr(a, "ostype"));
		p->tunnel = keep(np, attr(a, "tunnel"));
		p->fp = keep(np, attr(a, "servicefp"));
		np->in_service = true;
	} else if (!strcmp(name, "cpe") && np->in_service) {
		np->in_cpe = true;
		np->cpe_len = 0;
	}
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	nparse *np = ud;
	if (np->depth)
		np->depth--;
	if (!strcmp(name, "host") && np->in_host) {
		np->hosts++;
		emit_host(np);
		np->in_host = false;
		if (np->rc)
			XML_StopParser(np->xp, XML_FALSE);
	} else if (!strcmp(name, "port")) {
		np->in_port = np->in_service = false;
	} else if (!strcmp(name, "service")) {
		np->in_service = false;
	} else if (!strcmp(name, "cpe") && np->in_cpe && np->nports) {
		nport *p = &np->ports[np->nports - 1];
		np->in_cpe = false;
		if (!p->cpe && np->cpe_len)
			p->cpe = ld_arena_strndup(&np->host, np->cpe, np->cpe_len);
	}
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	nparse *np = ud;
	size_t n;
	if (!np->in_cpe || len <= 0)
		return;
	n = LD_MIN((size_t)len, sizeof(np->cpe) - np->cpe_len);
	memcpy(np->cpe + np->cpe_len, s, n);
	np->cpe_len += n;
}

static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
			      int value_len, const XML_Char *base, const XML_Char *system_id,
			      const XML_Char *public_id, const XML_Char *notation)
{
	nparse *np = ud;
	(void)name, (void)is_param, (void)value, (void)value_len, (void)base, (void)system_id;
	(void)public_id, (void)notation;
	np->refused = true;
	XML_StopParser(np->xp, XML_FALSE);
}

int ld_census_import_nmap(ld_slice data, ld_census_sink *sink, lading_ctx *ctx, const char *what)
{
	nparse np;
	int rc = 0;
	size_t off = 0;
	memset(&np, 0, sizeof(np));
	np.sink = sink;
	np.ctx = ctx;
	np.what = what;
	ld_arena_init(&np.host, NMAP_HOST_ARENA);
	if (!(np.xp = XML_ParserCreate(NULL))) {
		ld_arena_release(&np.host);
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	}
	XML_SetUserData(np.xp, &np);
	XML_SetElementHandler(np.xp, on_start, on_end);
	XML_SetCharacterDataHandler(np.xp, on_text);
	XML_SetEntityDeclHandler(np.xp, on_entity);
	do {
		size_t n = LD_MIN(data.len - off, (size_t)NMAP_CHUNK);
		bool last = off + n >= data.len;
		if (XML_Parse(np.xp, data.ptr + off, (int)n, last) == XML_STATUS_ERROR) {
			unsigned long line = (unsigned long)XML_GetCurrentLineNumber(np.xp);
			if (np.rc) {
				rc = ld_error_set(ctx, np.rc, "%s: cannot store the records", what);
			} else if (np.refused) {
				rc = ld_error_set(ctx, LADING_EINVALID,
						  "%s: line %lu: XML entity declarations are refused", what,
						  line);
			} else if (np.limited) {
				rc = ld_error_set(ctx, LADING_ELIMIT,
						  "%s: line %lu: more than %d levels or %u elements", what,
						  line, NMAP_MAX_DEPTH, NMAP_MAX_ELEMENTS);
			} else if (np.hosts) {
				ld_warn(ctx, "%s: XML error at line %lu (%s): the %zu hosts before it are "
					     "kept",
					what, line, XML_ErrorString(XML_GetErrorCode(np.xp)), np.hosts);
				sink->skipped++;
			} else {
				rc = ld_error_set(ctx, LADING_EINVALID, "%s: not nmap XML: line %lu: %s",
						  what, line, XML_ErrorString(XML_GetErrorCode(np.xp)));
			}
			break;
		}
		off += n;
	} while (off < data.len);
	if (!rc && np.rc)
		rc = ld_error_set(ctx, np.rc, "%s: cannot store the records", what);
	XML_ParserFree(np.xp);
	ld_arena_release(&np.host);
	free(np.ports);
	free((void *)np.run_start);
	return rc;
}
