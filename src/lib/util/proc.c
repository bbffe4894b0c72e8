/* ld_proc_run: posix_spawnp (no fork of a threaded process), pipes read with poll until both
 * close or the deadline, the child in its own process group so that a plugin's own children die
 * with it. */
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>

#include "util/common.h"
#include "util/proc.h"

#define PROC_MAX_ENV 4096 /* entries of the caller's environment passed on */

extern char **environ;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The caller's environment without the names `o` sets, then `o`'s entries. */
static char **make_env(const ld_proc_opts *o)
{
	size_t n = 0, k = 0;
	char **v;
	while (environ && environ[n] && n < PROC_MAX_ENV)
		n++;
	if (!(v = calloc(n + o->nenv + 1, sizeof(*v))))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t nl = strcspn(environ[i], "=");
		bool over = false;
		for (size_t j = 0; j < o->nenv && !over; j++)
			over = !strncmp(o->env[j], environ[i], nl) && o->env[j][nl] == '=';
		if (!over)
			v[k++] = environ[i];
	}
	for (size_t j = 0; j < o->nenv; j++)
		v[k++] = (char *)o->env[j];
	return v;
}

/* One read from a pipe into b (cap: `max`; over it, *over is set and the bytes dropped). */
static int drain(int fd, ld_buf *b, size_t max, bool *over, bool *eof)
{
	char chunk[8192];
	ssize_t r = read(fd, chunk, sizeof(chunk));
	if (r < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : LADING_EIO;
	if (r == 0) {
		*eof = true;
		return 0;
	}
	if (b->len + (size_t)r > max) {
		size_t room = max > b->len ? max - b->len : 0;
		*over = true;
		return room ? (ld_buf_add(b, chunk, room) ? LADING_ENOMEM : 0) : 0;
	}
	return ld_buf_add(b, chunk, (size_t)r) ? LADING_ENOMEM : 0;
}

/* Read both pipes until they close, the output cap or the deadline. */
static int collect(const ld_proc_opts *o, int fo, int fe, ld_buf *out, ld_buf *err, bool *late, bool *big)
{
	uint64_t deadline = now_ms() + o->timeout_ms;
	bool eo = false, ee = false, err_over = false;
	int rc = 0;

	while (!(eo && ee) && !rc && !*big) {
		struct pollfd p[2] = {{eo ? -1 : fo, POLLIN, 0}, {ee ? -1 : fe, POLLIN, 0}};
		uint64_t t = now_ms();
		if (t >= deadline) {
			*late = true;
			break;
		}
		if (poll(p, 2, (int)(deadline - t)) < 0) {
			if (errno != EINTR)
				rc = LADING_EIO;
			continue;
		}
		if (!eo && (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			rc = drain(fo, out, o->max_out, big, &eo);
		if (!rc && !ee && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			rc = drain(fe, err, o->max_err, &err_over, &ee);
	}
	return rc;
}

static int spawn(const ld_proc_opts *o, int po[2], int pe[2], pid_t *pid, lading_ctx *ctx)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	char **env = make_env(o);
	int e;

	if (!env)
		return ld_error_set(ctx, LADING_ENOMEM, "out of memory");
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	e = posix_spawnp(pid, o->argv[0], &fa, &at, (char *const *)o->argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	free(env);
	if (e)
		return ld_error_set(ctx, LADING_ENOTFOUND, "cannot run %s: %s", o->argv[0], strerror(e));
	return 0;
}

int ld_proc_run(const ld_proc_opts *o, ld_buf *out, ld_buf *err, int *status, lading_ctx *ctx)
{
	int po[2] = {-1, -1}, pe[2] = {-1, -1}, ws = 0, rc;
	bool late = false, big = false;
	pid_t pid;

	*status = -1;
	if (!o->argv || !o->argv[0] || !*o->argv[0])
		return ld_error_set(ctx, LADING_EUSAGE, "no program to run");
	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC)) {
		rc = ld_error_set(ctx, LADING_EIO, "pipe: %s", strerror(errno));
		goto out;
	}
	if ((rc = spawn(o, po, pe, &pid, ctx)))
		goto out;
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	rc = collect(o, po[0], pe[0], out, err, &late, &big);
	if (rc || late || big)
		kill(-pid, SIGKILL); /* its group: children of the plugin too */
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (rc)
		rc = ld_error_set(ctx, rc, "%s: cannot read its output", o->argv[0]);
	else if (late)
		rc = ld_error_set(ctx, LADING_ELIMIT, "%s did not finish within %u ms (killed)", o->argv[0],
				  o->timeout_ms);
	else if (big)
		rc = ld_error_set(ctx, LADING_ELIMIT, "%s wrote more than %zu bytes (killed)", o->argv[0], o->max_out);
	else
		*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
out:
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	return rc;
}
