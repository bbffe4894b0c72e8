/* Plausible output for the first commands of an attack inside a container (exec, attached run,
 * stdin of a shell): the answers of an Alpine container running as root. Nothing is run: a
 * command line is split at ; && || | and newlines, each simple command is looked up by its
 * first word in a table, and unknown commands print nothing (as most download-and-run chains
 * would on success). */
#include "util/common.h"
#include "honeypot/hp.h"

#define SHELL_MAX_PIECES 32  /* simple commands answered per line */
#define SHELL_MAX_WORD	 256 /* bytes of a command's first word looked at */

typedef struct canned {
	const char *cmd, *arg, *out; /* arg: must appear in the rest of the line, or NULL */
} canned;

static const canned table[] = {
	{"id", NULL,
	 "uid=0(root) gid=0(root) groups=0(root),1(bin),2(daemon),3(sys),4(adm),6(disk),10(wheel),"
	 "11(floppy),20(dialout),26(tape),27(video)\n"},
	{"whoami", NULL, "root\n"},
	{"uname", "-a",
	 "Linux 4c01db0b339c 5.4.0-150-generic #167-Ubuntu SMP Mon May 15 17:35:05 UTC 2023 x86_64 "
	 "Linux\n"},
	{"uname", "-r", "5.4.0-150-generic\n"},
	{"uname", "-m", "x86_64\n"},
	{"uname", NULL, "Linux\n"},
	{"hostname", NULL, "4c01db0b339c\n"},
	{"pwd", NULL, "/\n"},
	{"nproc", NULL, "4\n"},
	{"cat", "/etc/passwd",
	 "root:x:0:0:root:/root:/bin/ash\nbin:x:1:1:bin:/bin:/sbin/nologin\ndaemon:x:2:2:daemon:/"
	 "sbin:/sbin/nologin\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n"},
	{"cat", "/etc/hostname", "4c01db0b339c\n"},
	{"cat", "serviceaccount/token",
	 "eyJhbGciOiJSUzI1NiIsImtpZCI6IkExWl9rVjN3T3FITkVZMmtjUEd6R1RyWXBDcE10ZXJnIn0.eyJpc3MiOiJrd"
	 "WJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwic3ViIjoic3lzdGVtOnNlcnZpY2VhY2NvdW50OmRlZmF1bHQ6ZGVmYX"
	 "VsdCJ9.c2lnbmF0dXJl"},
	{"cat", "serviceaccount/namespace", "default"},
	{"cat", "/etc/os-release",
	 "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.18.4\nPRETTY_NAME=\"Alpine Linux "
	 "v3.18\"\n"},
	{"cat", "/proc/1/cgroup",
	 "12:cpuset:/docker/4c01db0b339c7a9b8e1e5d6e0f3a2b1c4d5e6f708192a3b4c5d6e7f8091a2b3c\n"},
	{"ls", NULL,
	 "bin\ndev\netc\nhome\nlib\nmedia\nmnt\nopt\nproc\nroot\nrun\nsbin\nsrv\nsys\ntmp\nusr\nvar"
	 "\n"},
	{"ps", NULL, "PID   USER     TIME  COMMAND\n    1 root      0:00 sh\n   12 root      0:00 ps\n"},
	{"free", NULL,
	 "              total        used        free      shared  buff/cache   available\nMem:    "
	 "     8145104     2381240     1532996        1724     4230868     5471432\n"},
	{"df", NULL,
	 "Filesystem           1K-blocks      Used Available Use% Mounted on\noverlay               "
	 "81106868  23401416  57689068  29% /\n"},
};

static ld_slice trim(ld_slice s)
{
	while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t' || s.ptr[0] == '('))
		s = ld_slice_sub(s, 1, SIZE_MAX);
	while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t' ||
			 s.ptr[s.len - 1] == '\r' || s.ptr[s.len - 1] == ')'))
		s.len--;
	return s;
}

static bool contains(ld_slice s, const char *needle)
{
	return ld_slice_find_str(s, ld_slice_cstr(needle)) >= 0;
}

/* "echo a b" prints its words (quotes dropped). */
static void echo(ld_slice args, ld_buf *out)
{
	for (size_t i = 0; i < args.len; i++)
		if (args.ptr[i] != '"' && args.ptr[i] != '\'')
			ld_buf_addc(out, args.ptr[i]);
	ld_buf_addc(out, '\n');
}

static void simple(ld_slice cmd, ld_buf *out)
{
	ld_slice word, rest;
	size_t n = 0;
	cmd = trim(cmd);
	while (n < cmd.len && cmd.ptr[n] != ' ' && cmd.ptr[n] != '\t')
		n++;
	word = ld_slice_sub(cmd, 0, LD_MIN(n, (size_t)SHELL_MAX_WORD));
	rest = ld_slice_sub(cmd, n, SIZE_MAX);
	/* /usr/bin/id is id */
	for (size_t i = word.len; i > 0; i--)
		if (word.ptr[i - 1] == '/') {
			word = ld_slice_sub(word, i, SIZE_MAX);
			break;
		}
	if (ld_slice_eq_cstr(word, "echo")) {
		echo(trim(rest), out);
		return;
	}
	for (size_t i = 0; i < LD_ARRAY_LEN(table); i++)
		if (ld_slice_eq_cstr(word, table[i].cmd) && (!table[i].arg || contains(rest, table[i].arg))) {
			ld_buf_adds(out, table[i].out);
			return;
		}
}

/* "head [-n] N" / "tail [-n] N" on the output of the pipeline so far, from `from` on. */
static void filter(ld_slice cmd, ld_buf *out, size_t from)
{
	ld_slice word;
	uint64_t keep = 10;
	bool head;
	size_t lines = 0, cut;
	cmd = trim(cmd);
	ld_slice_cut(&cmd, ' ', &word);
	head = ld_slice_eq_cstr(word, "head");
	if ((!head && !ld_slice_eq_cstr(word, "tail")) || !out->ptr || out->len <= from)
		return;
	cmd = trim(cmd);
	if (cmd.len > 2 && cmd.ptr[0] == '-' && cmd.ptr[1] == 'n')
		cmd = trim(ld_slice_sub(cmd, 2, SIZE_MAX));
	else if (cmd.len && cmd.ptr[0] == '-')
		cmd = ld_slice_sub(cmd, 1, SIZE_MAX);
	if (cmd.len)
		ld_slice_to_u64(cmd, 1000000, &keep);
	for (size_t i = from; i < out->len; i++)
		lines += out->ptr[i] == '\n';
	if (lines <= keep)
		return;
	if (head) {
		for (cut = from; cut < out->len && keep; cut++)
			keep -= out->ptr[cut] == '\n';
		out->len = cut;
	} else {
		size_t skip = (size_t)(lines - keep);
		for (cut = from; cut < out->len && skip; cut++)
			skip -= out->ptr[cut] == '\n';
		memmove(out->ptr + from, out->ptr + cut, out->len - cut);
		out->len = from + (out->len - cut);
	}
	out->ptr[out->len] = '\0';
}

void ld_hp_shell_output(ld_slice line, ld_buf *out)
{
	size_t start = 0, pieces = 0, pipeline = out->len;
	bool piped = false;
	for (size_t i = 0; i <= line.len && pieces < SHELL_MAX_PIECES; i++) {
		bool pipe, end = i == line.len || line.ptr[i] == ';' || line.ptr[i] == '\n' ||
				 line.ptr[i] == '|' || line.ptr[i] == '&';
		size_t before = out->len;
		if (!end)
			continue;
		pipe = i < line.len && line.ptr[i] == '|' &&
		       (i + 1 >= line.len || line.ptr[i + 1] != '|') && (i == 0 || line.ptr[i - 1] != '|');
		if (i > start) {
			simple(ld_slice_sub(line, start, i - start), out);
			if (piped && out->len == before)
				filter(ld_slice_sub(line, start, i - start), out, pipeline);
			pieces++;
		}
		/* "a | b": what b prints replaces what a printed; a b that prints nothing of its
		 * own here (head, grep, sh) lets a's output through, roughly as a filter would */
		if (piped && out->len > before && before > pipeline && out->ptr) {
			memmove(out->ptr + pipeline, out->ptr + before, out->len - before);
			out->len = pipeline + (out->len - before);
			out->ptr[out->len] = '\0';
		}
		piped = pipe;
		if (!pipe)
			pipeline = out->len;
		start = i + 1;
	}
}
