/* lading containers list: one snapshot of the containers of a host, a cluster or a file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

extern const cli_command cli_cmd_containers;

static int run_list(int argc, char **argv)
{
	lading_containers_options o = LADING_CONTAINERS_OPTIONS_INIT;
	const char *format = "table", *output = NULL, *val;
	lading_ctx *ctx = NULL;
	lading_containers *snap = NULL;
	char *out = NULL;
	size_t len = 0;
	bool docker_default = false;
	int rc, ret;

	for (int i = 1; i < argc; i++) {
		if (cli_flag(argv, i, "-h") || cli_flag(argv, i, "--help")) {
			cli_help(stdout, &cli_cmd_containers);
			return EXIT_OK;
		} else if (cli_opt(argc, argv, &i, "--docker-host", &val)) {
			if (!val)
				return cli_usage("--docker-host needs a URL");
			o.docker_host = val;
		} else if (cli_flag(argv, i, "--docker")) {
			docker_default = true;
		} else if (cli_flag(argv, i, "--tls-verify")) {
			cli_docker_tls_verify();
		} else if (cli_opt(argc, argv, &i, "--kubeconfig", &val)) {
			if (!val)
				return cli_usage("--kubeconfig needs a file");
			o.kubeconfig = val;
		} else if (cli_opt(argc, argv, &i, "--from", &val)) {
			if (!val)
				return cli_usage("--from needs a file or -");
			o.from_file = val;
		} else if (cli_opt(argc, argv, &i, "--source", &val)) {
			if (!val)
				return cli_usage("--source needs a name");
			o.source_name = val;
		} else if (cli_opt(argc, argv, &i, "--context", &val)) {
			if (!val)
				return cli_usage("--context needs a name");
			o.kube_context = val;
		} else if (cli_flag(argv, i, "--insecure")) {
			o.insecure = 1;
		} else if (cli_opt(argc, argv, &i, "--format", &val) || cli_opt(argc, argv, &i, "-f", &val)) {
			if (!val || (strcmp(val, "table") && strcmp(val, "json")))
				return cli_usage("--format is table or json");
			format = val;
		} else if (cli_opt(argc, argv, &i, "--output", &val) || cli_opt(argc, argv, &i, "-o", &val)) {
			if (!val)
				return cli_usage("-o needs a file name");
			output = val;
		} else {
			cli_help(stderr, &cli_cmd_containers);
			return cli_usage("unknown argument %s", argv[i]);
		}
	}
	if (docker_default && !o.docker_host)
		o.docker_host = lading_docker_host_default();
	if (!!o.docker_host + !!o.kubeconfig + !!o.from_file != 1)
		return cli_usage("name one source: --docker-host URL, --docker, --kubeconfig FILE or --from FILE");
	if (lading_ctx_new(&ctx))
		return cli_usage("out of memory");
	rc = lading_containers_read(&snap, ctx, &o);
	if (!rc)
		rc = lading_containers_render(snap, !strcmp(format, "json"), &out, &len, ctx);
	if (rc) {
		ret = cli_fail(ctx, rc);
	} else {
		ret = cli_write_output(output, out, len);
	}
	free(out);
	lading_containers_free(snap);
	lading_ctx_free(ctx);
	return ret;
}

static const cli_option list_options[] = {
	{"--docker-host", NULL, "URL", "Docker Engine or Podman API: unix:///PATH or tcp://HOST:PORT",
	 CLI_C_NONE, NULL},
	{"--docker", NULL, NULL,
	 "the default Docker host: $DOCKER_HOST, else\n"
	 "unix:///var/run/docker.sock",
	 CLI_C_NONE, NULL},
	{"--tls-verify", NULL, NULL,
	 "a tcp:// engine over TLS, verified with $DOCKER_CERT_PATH/ca.pem\n"
	 "and authenticated by its cert.pem and key.pem (as DOCKER_TLS_VERIFY=1)",
	 CLI_C_NONE, NULL},
	{"--kubeconfig", NULL, "FILE", "Kubernetes API: the pods of all namespaces (current context)",
	 CLI_C_FILE, NULL},
	{"--context", NULL, "NAME", "kubeconfig context to use instead of the current one", CLI_C_NONE,
	 NULL},
	{"--from", NULL, "FILE|-",
	 "a file of `docker ps --format json`, `docker inspect`,\n"
	 "`crictl ps -o json` or `kubectl get pods -o json` of all namespaces",
	 CLI_C_FILE, NULL},
	{"--source", NULL, "NAME", "name of the host or cluster in the records", CLI_C_NONE, NULL},
	{"--insecure", NULL, NULL, "Kubernetes: do not verify the server's certificate", CLI_C_NONE,
	 NULL},
	{"--format", "-f", "F", "table (default) or json", CLI_C_WORDS, "table json"},
	{"--output", "-o", "FILE", "write the list to FILE instead of standard output", CLI_C_FILE,
	 NULL},
	{0},
};

static const cli_command containers_list = {
	.name = "list",
	.summary = "one snapshot of the containers of a host, a cluster or a file",
	.synopsis = "(--docker-host URL | --docker | --kubeconfig FILE | --from FILE|-)\n"
		    " [--source NAME] [--context NAME] [--insecure]\n"
		    " [--format table|json] [-o FILE]",
	.options = list_options,
	.run = run_list,
};

static const cli_command *const containers_subs[] = {&containers_list, NULL};

const cli_command cli_cmd_containers = {
	.name = "containers",
	.summary = "the containers of a Docker/Podman host, a cluster or a file",
	.subs = containers_subs,
};
