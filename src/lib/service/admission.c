/* Kubernetes AdmissionReview (admission.k8s.io/v1) requests: the uid and the images of the pod
 * (spec.containers, initContainers, ephemeralContainers). Parser over (ptr,len) with named limits. */
#include "util/common.h"
#include "util/json.h"
#include "service/service.h"

#define ADM_MAX_DEPTH 64           /* a Pod is deep, but not this deep */
#define ADM_MAX_ARENA (8u << 20)
#define ADM_UID_MAX 128

static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers"};

int ld_svc_admission_parse(ld_svc_admission *out, ld_arena *a, const char *p, size_t len, lading_ctx *ctx)
{
	ld_json *doc = NULL;
	const ld_json *req, *spec;
	const char *uid, *v;
	ld_json_limits lim = {ADM_MAX_DEPTH, ADM_MAX_ARENA};
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = ld_json_parse(&doc, a, p, len, &lim, ctx, "AdmissionReview")))
		return rc;
	if (!(v = ld_json_get_str(doc, "kind")) || strcmp(v, "AdmissionReview") ||
	    !(v = ld_json_get_str(doc, "apiVersion")) || strcmp(v, "admission.k8s.io/v1"))
		return ld_error_set(ctx, LADING_EINVALID, "not an admission.k8s.io/v1 AdmissionReview");
	req = ld_json_get(doc, "request");
	uid = ld_json_get_str(req, "uid");
	if (!uid || !uid[0] || strlen(uid) > ADM_UID_MAX)
		return ld_error_set(ctx, LADING_EINVALID, "AdmissionReview: request.uid missing or too long");
	out->uid = uid;
	if ((v = ld_json_get_str(ld_json_get(req, "object"), "kind")) && strcmp(v, "Pod"))
		return ld_error_set(ctx, LADING_EUNSUPPORTED, "AdmissionReview: object of kind %.40s, not Pod", v);
	spec = ld_json_getp(req, "object", "spec", NULL);
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		const ld_json *arr = ld_json_get(spec, lists[l]);
		for (size_t i = 0; i < ld_json_len(arr); i++) {
			const char *img = ld_json_get_str(ld_json_at(arr, i), "image");
			if (!img || !img[0])
				continue;
			if (out->nimages >= LD_SVC_ADM_MAX_IMAGES)
				return ld_error_set(ctx, LADING_ELIMIT, "AdmissionReview: more than %d images",
						    LD_SVC_ADM_MAX_IMAGES);
			out->images[out->nimages++] = img;
		}
	}
	return 0;
}

/* "10s", "10", "1m" -> seconds; 0 when not a duration */
unsigned ld_svc_timeout_parse(const char *s)
{
	uint64_t v;
	size_t n = s ? strlen(s) : 0;
	unsigned mul = 1;
	if (n && s[n - 1] == 's')
		n--;
	else if (n && s[n - 1] == 'm')
		n--, mul = 60;
	if (!n || !ld_slice_to_u64(ld_slice_make(s, n), 3600, &v))
		return 0;
	return (unsigned)v * mul;
}
