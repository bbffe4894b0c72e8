/* Kubernetes objects sent as protobuf (kubectl >= 1.30 writes built-in kinds this way): the
 * fields the emulation records (kind, metadata name/generateName/namespace, the pod spec's
 * containers with image, command, args and privileged, volumes' host paths, nodeName,
 * hostNetwork, hostPID; a CronJob's schedule; an access review's attributes) rewritten as the JSON object kubectl would have
 * sent, so one code path reads both. The envelope is "k8s\0" + runtime.Unknown {1 typeMeta
 * {1 apiVersion, 2 kind}, 2 raw object}. Field numbers are those of k8s.io/api's generated.proto.
 * Fuzzed by fuzz/fuzz_honeypot_k8spb.c. */
#include "util/common.h"
#include "util/jsonw.h"
#include "honeypot/kube.h"

#define PB_MAX_ITEMS 64 /* repeated members written per field (nesting is fixed by the code) */

typedef struct pbw {
	ld_jw w;
} pbw;

/* The first length-delimited field `field` of m, or LD_SLICE_NULL. */
static ld_slice sub(ld_slice m, uint32_t field)
{
	uint32_t f;
	int wt;
	uint64_t v;
	ld_slice b;
	while (ld_pb_next(&m, &f, &wt, &v, &b) == LD_HP_DONE)
		if (f == field && wt == 2)
			return b;
	return LD_SLICE_NULL;
}

static bool varint_field(ld_slice m, uint32_t field, uint64_t *out)
{
	uint32_t f;
	int wt;
	uint64_t v;
	ld_slice b;
	while (ld_pb_next(&m, &f, &wt, &v, &b) == LD_HP_DONE)
		if (f == field && wt == 0) {
			*out = v;
			return true;
		}
	return false;
}

static void str_field(pbw *p, const char *key, ld_slice m, uint32_t field)
{
	ld_slice s = sub(m, field);
	if (s.ptr) {
		ld_jw_key(&p->w, key);
		ld_jw_strn(&p->w, s.ptr, s.len);
	}
}

static void bool_field(pbw *p, const char *key, ld_slice m, uint32_t field)
{
	uint64_t v;
	if (varint_field(m, field, &v))
		ld_jw_kbool(&p->w, key, v != 0);
}

/* Every occurrence of a repeated field, each written by `each` (NULL: as a string). */
static void repeated(pbw *p, const char *key, ld_slice m, uint32_t field,
		     void (*each)(pbw *, ld_slice))
{
	uint32_t f;
	int wt;
	uint64_t v;
	ld_slice b;
	size_t n = 0;
	ld_jw_key(&p->w, key);
	ld_jw_arr(&p->w);
	while (ld_pb_next(&m, &f, &wt, &v, &b) == LD_HP_DONE && n < PB_MAX_ITEMS) {
		if (f != field || wt != 2)
			continue;
		if (each)
			each(p, b);
		else
			ld_jw_strn(&p->w, b.ptr, b.len);
		n++;
	}
	ld_jw_arr_end(&p->w);
}

static void container(pbw *p, ld_slice m)
{
	ld_slice sc = sub(m, 15);
	ld_jw_obj(&p->w);
	str_field(p, "name", m, 1);
	str_field(p, "image", m, 2);
	repeated(p, "command", m, 3, NULL);
	repeated(p, "args", m, 4, NULL);
	if (sc.ptr) {
		ld_jw_key(&p->w, "securityContext");
		ld_jw_obj(&p->w);
		bool_field(p, "privileged", sc, 2);
		ld_jw_obj_end(&p->w);
	}
	ld_jw_obj_end(&p->w);
}

static void volume(pbw *p, ld_slice m)
{
	ld_slice hp = sub(sub(m, 2), 1);
	ld_jw_obj(&p->w);
	str_field(p, "name", m, 1);
	if (hp.ptr) {
		ld_jw_key(&p->w, "hostPath");
		ld_jw_obj(&p->w);
		str_field(p, "path", hp, 1);
		ld_jw_obj_end(&p->w);
	}
	ld_jw_obj_end(&p->w);
}

static void pod_spec(pbw *p, ld_slice m)
{
	ld_jw_key(&p->w, "spec");
	ld_jw_obj(&p->w);
	repeated(p, "volumes", m, 1, volume);
	repeated(p, "containers", m, 2, container);
	repeated(p, "initContainers", m, 20, container);
	str_field(p, "nodeName", m, 10);
	bool_field(p, "hostNetwork", m, 11);
	bool_field(p, "hostPID", m, 12);
	ld_jw_obj_end(&p->w);
}

/* {"spec": {"template": {"spec": POD}}} for a workload spec whose template is field tf. */
static void template_spec(pbw *p, ld_slice spec, uint32_t tf)
{
	ld_jw_key(&p->w, "template");
	ld_jw_obj(&p->w);
	pod_spec(p, sub(sub(spec, tf), 2));
	ld_jw_obj_end(&p->w);
}

static void metadata(pbw *p, ld_slice m)
{
	ld_jw_key(&p->w, "metadata");
	ld_jw_obj(&p->w);
	str_field(p, "name", m, 1);
	str_field(p, "generateName", m, 2);
	str_field(p, "namespace", m, 3);
	ld_jw_obj_end(&p->w);
}

int ld_hp_kube_pb_json(ld_slice body, ld_buf *out)
{
	ld_slice unknown, tm, raw, kind, spec;
	pbw p;
	if (body.len < 4 || memcmp(body.ptr, "k8s\0", 4))
		return LADING_EINVALID;
	unknown = ld_slice_sub(body, 4, SIZE_MAX);
	tm = sub(unknown, 1);
	raw = sub(unknown, 2);
	kind = sub(tm, 2);
	if (!kind.ptr || !raw.ptr)
		return LADING_EINVALID;
	memset(&p, 0, sizeof(p));
	ld_jw_init(&p.w, out, false);
	ld_jw_obj(&p.w);
	ld_jw_key(&p.w, "apiVersion");
	{
		ld_slice av = sub(tm, 1);
		ld_jw_strn(&p.w, av.ptr ? av.ptr : "", av.len);
	}
	ld_jw_key(&p.w, "kind");
	ld_jw_strn(&p.w, kind.ptr, kind.len);
	metadata(&p, sub(raw, 1));
	spec = sub(raw, 2);
	if (ld_slice_eq_cstr(kind, "Pod")) {
		pod_spec(&p, spec);
	} else {
		ld_jw_key(&p.w, "spec");
		ld_jw_obj(&p.w);
		if (ld_slice_eq_cstr(kind, "Deployment") || ld_slice_eq_cstr(kind, "ReplicaSet") ||
		    ld_slice_eq_cstr(kind, "StatefulSet"))
			template_spec(&p, spec, 3);
		else if (ld_slice_eq_cstr(kind, "DaemonSet"))
			template_spec(&p, spec, 2);
		else if (ld_slice_eq_cstr(kind, "Job"))
			template_spec(&p, spec, 6);
		else if (ld_slice_eq_cstr(kind, "SelfSubjectAccessReview")) {
			/* kubectl auth can-i: spec {1 resourceAttributes {1 namespace, 2 verb, 3
			 * group, 4 version, 5 resource, 6 subresource, 7 name}} */
			ld_slice ra = sub(spec, 1);
			ld_jw_key(&p.w, "resourceAttributes");
			ld_jw_obj(&p.w);
			str_field(&p, "namespace", ra, 1);
			str_field(&p, "verb", ra, 2);
			str_field(&p, "group", ra, 3);
			str_field(&p, "version", ra, 4);
			str_field(&p, "resource", ra, 5);
			str_field(&p, "subresource", ra, 6);
			str_field(&p, "name", ra, 7);
			ld_jw_obj_end(&p.w);
		} else if (ld_slice_eq_cstr(kind, "CronJob")) {
			str_field(&p, "schedule", spec, 1);
			ld_jw_key(&p.w, "jobTemplate");
			ld_jw_obj(&p.w);
			ld_jw_key(&p.w, "spec");
			ld_jw_obj(&p.w);
			template_spec(&p, sub(sub(spec, 5), 2), 6);
			ld_jw_obj_end(&p.w);
			ld_jw_obj_end(&p.w);
		}
		ld_jw_obj_end(&p.w);
	}
	ld_jw_obj_end(&p.w);
	return ld_buf_error(out) ? LADING_ELIMIT : 0;
}
