/* lading CLI: a thin layer over liblading's public API. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lading <command> [options]\n"
		"\n"
		"commands:\n"
		"  sbom IMAGE       list what is inside an image (packages, OS, layers)\n"
		"  scan IMAGE       find known vulnerabilities in an image\n"
		"  db build|update|info   manage the vulnerability database\n"
		"  vercmp SCHEME A B      compare two versions with an ecosystem's rules\n"
		"  honeypot [report]      emulate cloud-native services, record and analyse attacks\n"
		"  probe TARGET...  read product and version from network services\n"
		"  census import|report|list   exposed-service census: scan data, staleness, risk\n"
		"  inventory add|rescan|query|list|containers|prune|check   the fleet inventory\n"
		"  containers list  the containers of a Docker/Podman host, a cluster or a file\n"
		"  report fleet     the fleet report: per-group vulnerability, staleness and\n"
		"                   container figures over the inventory (table, json, html)\n"
		"  serve            the HTTP API and dashboard over the inventory store\n"
		"  worker           take inventory jobs from the store's queue (PostgreSQL)\n"
		"  token create|list|revoke   API tokens of the service\n"
		"  version          print the version\n"
		"\n"
		"IMAGE: docker-archive:FILE, oci:DIR[:TAG], oci-archive:FILE[:TAG], dir:PATH,\n"
		"       docker:NAME[:TAG] (Docker Engine or Podman API, --docker-host URL),\n"
		"       or a path whose kind is detected.\n"
		"Run 'lading <command> --help' for the options of a command.\n");
}

int main(int argc, char **argv)
{
	const char *cmd;
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("lading %s\n", lading_version_string());
		return EXIT_OK;
	}
	if (!strcmp(cmd, "sbom"))
		return cmd_sbom(argc - 1, argv + 1);
	if (!strcmp(cmd, "scan"))
		return cmd_scan(argc - 1, argv + 1);
	if (!strcmp(cmd, "db"))
		return cmd_db(argc - 1, argv + 1);
	if (!strcmp(cmd, "vercmp"))
		return cmd_vercmp(argc - 1, argv + 1);
	if (!strcmp(cmd, "honeypot"))
		return cmd_honeypot(argc - 1, argv + 1);
	if (!strcmp(cmd, "probe"))
		return cmd_probe(argc - 1, argv + 1);
	if (!strcmp(cmd, "census"))
		return cmd_census(argc - 1, argv + 1);
	if (!strcmp(cmd, "inventory"))
		return cmd_inventory(argc - 1, argv + 1);
	if (!strcmp(cmd, "containers"))
		return cmd_containers(argc - 1, argv + 1);
	if (!strcmp(cmd, "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(cmd, "serve"))
		return cmd_serve(argc - 1, argv + 1);
	if (!strcmp(cmd, "worker"))
		return cmd_worker(argc - 1, argv + 1);
	if (!strcmp(cmd, "token"))
		return cmd_token(argc - 1, argv + 1);
	fprintf(stderr, "lading: unknown command '%s'\n", cmd);
	usage(stderr);
	return EXIT_USAGE;
}
