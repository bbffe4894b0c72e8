/* lading_inventory_snapshot_images: after a snapshot of a host or cluster is recorded, the images
 * its containers run that the store does not know yet are read and recorded, so that a container
 * is never in the store without its image. From the engine itself for a Docker/Podman API
 * snapshot (docker:ID, no registry needed), from their registry by digest for a Kubernetes
 * snapshot (REPO@sha256:..., the manifest the kubelet pulled). Snapshots read from files name
 * images the reader cannot fetch reliably (a config digest is no registry reference): recorded as
 * they are. */
#include "util/common.h"
#include "api/api.h"
#include "lading/inventory.h"
#include "source/registry.h"
#include "store/store.h"

/* Named limits. */
#define SNAP_MAX_IMAGES 100000 /* distinct images of one snapshot handled */

/* "sha256:" and 64 lowercase hex digits. */
static bool is_digest(const char *d)
{
	if (!d || strncmp(d, "sha256:", 7) || strlen(d) != 71)
		return false;
	for (size_t i = 7; i < 71; i++)
		if (!strchr("0123456789abcdef", d[i]))
			return false;
	return true;
}

/* "REPO@DIGEST" from an image reference ("nginx:1.25", "reg:5000/a/b@sha256:...", "a/b") and the
 * digest: the tag and any digest of the reference are dropped. 0, or -1 when it does not fit. */
static int by_digest(const char *ref, const char *digest, char *out, size_t outsz)
{
	size_t n = strcspn(ref, "@");
	const char *slash;
	char repo[LD_REF_MAX_LEN];
	if (n >= sizeof(repo))
		return -1;
	memcpy(repo, ref, n);
	repo[n] = '\0';
	slash = strrchr(repo, '/');
	{
		char *colon = strrchr(slash ? slash : repo, ':');
		if (colon)
			*colon = '\0';
	}
	if (!*repo)
		return -1;
	return (size_t)snprintf(out, outsz, "%s@%s", repo, digest) < outsz ? 0 : -1;
}

/* The reference to read container `c`'s image from, by the kind of snapshot; 0 when there is one. */
static int image_ref_of(const char *format, const lading_container *c, char *out, size_t outsz)
{
	if (!is_digest(c->image_digest))
		return -1;
	if (!strcmp(format, "docker-api"))
		return (size_t)snprintf(out, outsz, "docker:%s", c->image_digest) < outsz ? 0 : -1;
	if (!strcmp(format, "kubernetes") && c->image_ref)
		return by_digest(c->image_ref, c->image_digest, out, outsz);
	return -1;
}

int lading_inventory_snapshot_images(lading_store *s, lading_ctx *ctx, const lading_containers *snap,
				     const lading_inventory_options *opts, size_t *added, size_t *failed)
{
	const char *format = lading_containers_format(snap);
	const lading_container *items = lading_containers_items(snap);
	size_t n = lading_containers_count(snap), done = 0;
	ld_map seen;
	int rc = 0;

	*added = *failed = 0;
	if (!format)
		return 0;
	ld_map_init(&seen);
	for (size_t i = 0; i < n && done < SNAP_MAX_IMAGES; i++) {
		const lading_container *c = &items[i];
		char ref[LD_REF_MAX_LEN + 80];
		bool known = false, matched = false;
		lading_inventory_added res;
		if (image_ref_of(format, c, ref, sizeof(ref)) || ld_map_gets(&seen, c->image_digest))
			continue;
		if (ld_map_put(&seen, ld_slice_cstr(c->image_digest), (void *)1, NULL)) {
			rc = ld_error_set(ctx, LADING_ENOMEM, "out of memory");
			break;
		}
		done++;
		/* an engine's image known by its config digest is not exported again */
		s->ctx = ctx;
		if (!strcmp(format, "docker-api") &&
		    (rc = ld_store_image_known(s, c->image_digest, NULL, &known, &matched)))
			break;
		if (known)
			continue;
		if (lading_inventory_add(s, ctx, ref, opts, &res)) {
			ld_warn(ctx, "image of container %s (%s) not recorded: %s", c->name ? c->name : c->id, ref,
				ctx->err.msg);
			ld_error_clear(ctx);
			(*failed)++;
			continue;
		}
		if (res.new_image)
			(*added)++;
	}
	ld_map_release(&seen);
	return rc;
}
