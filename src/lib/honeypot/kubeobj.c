/* The cluster the Kubernetes emulation shows: API discovery as a v1.21 API server answers it
 * (/api, /api/v1, /apis, /apis/GROUP/VERSION), and the decoy objects of a small cluster (three
 * nodes, five namespaces, pods, secrets with service-account tokens, config maps, service
 * accounts, services, workloads) in every representation kubectl asks for: a List, one object,
 * or a server-side Table (Accept: ...;as=Table). Objects a source created (kube.c) appear in its
 * later lists. Every value here is made up; tokens and keys are random-looking but not real. */
#include <time.h>

#include "util/common.h"
#include "util/hash.h"
#include "util/jsonw.h"
#include "honeypot/hp.h"
#include "honeypot/kube.h"

#define REPLY_MAX ((size_t)512 * 1024) /* one list or discovery document */

#define COL(n, t, f, p)                                                                           \
	"{\"name\":\"" n "\",\"type\":\"" t "\",\"format\":\"" f "\",\"description\":\"\","      \
	"\"priority\":" #p "}"
#define COLS_NAME_AGE COL("Name", "string", "name", 0) "," COL("Age", "string", "", 0)

#define VERBS_RW                                                                                 \
	"[\"create\",\"delete\",\"deletecollection\",\"get\",\"list\",\"patch\",\"update\","     \
	"\"watch\"]"

static const ld_kube_res resources[] = {
	{"pods", "pod", "Pod", "v1", "\"po\"", true, VERBS_RW,
	 COL("Name", "string", "name", 0) "," COL("Ready", "string", "", 0) "," COL(
		 "Status", "string", "", 0) "," COL("Restarts", "integer", "", 0) "," COL("Age", "string", "", 0) "," COL("IP", "string", "", 1) "," COL("Node", "string", "", 1)},
	{"pods/exec", "", "PodExecOptions", "v1", "", true, "[\"create\",\"get\"]", NULL},
	{"pods/attach", "", "PodAttachOptions", "v1", "", true, "[\"create\",\"get\"]", NULL},
	{"pods/log", "", "Pod", "v1", "", true, "[\"get\"]", NULL},
	{"pods/portforward", "", "PodPortForwardOptions", "v1", "", true, "[\"create\",\"get\"]",
	 NULL},
	{"secrets", "secret", "Secret", "v1", "", true, VERBS_RW,
	 COL("Name", "string", "name", 0) "," COL("Type", "string", "", 0) "," COL(
		 "Data", "string", "", 0) "," COL("Age", "string", "", 0)},
	{"configmaps", "configmap", "ConfigMap", "v1", "\"cm\"", true, VERBS_RW,
	 COL("Name", "string", "name", 0) "," COL("Data", "string", "", 0) "," COL(
		 "Age", "string", "", 0)},
	{"serviceaccounts", "serviceaccount", "ServiceAccount", "v1", "\"sa\"", true, VERBS_RW,
	 COL("Name", "string", "name", 0) "," COL("Secrets", "string", "", 0) "," COL(
		 "Age", "string", "", 0)},
	{"services", "service", "Service", "v1", "\"svc\"", true, VERBS_RW,
	 COL("Name", "string", "name", 0) "," COL("Type", "string", "", 0) "," COL(
		 "Cluster-IP", "string", "", 0) "," COL("External-IP", "string", "", 0) "," COL("Port(s)", "string", "", 0) "," COL("Age", "string", "", 0)},
	{"nodes", "node", "Node", "v1", "\"no\"", false, VERBS_RW,
	 COL("Name", "string", "name", 0) "," COL("Status", "string", "", 0) "," COL(
		 "Roles", "string", "", 0) "," COL("Age", "string", "", 0) "," COL("Version", "string", "", 0)},
	{"namespaces", "namespace", "Namespace", "v1", "\"ns\"", false, VERBS_RW,
	 COL("Name", "string", "name", 0) "," COL("Status", "string", "", 0) "," COL(
		 "Age", "string", "", 0)},
	{"deployments", "deployment", "Deployment", "apps/v1", "\"deploy\"", true, VERBS_RW,
	 COL("Name", "string", "name", 0) "," COL("Ready", "string", "", 0) "," COL(
		 "Up-to-date", "string", "", 0) "," COL("Available", "string", "", 0) "," COL("Age", "string", "", 0)},
	{"daemonsets", "daemonset", "DaemonSet", "apps/v1", "\"ds\"", true, VERBS_RW,
	 COL("Name", "string", "name", 0) "," COL("Desired", "integer", "", 0) "," COL(
		 "Current", "integer", "", 0) "," COL("Ready", "integer", "", 0) "," COL("Up-to-date", "integer", "", 0) "," COL("Available", "integer", "", 0) "," COL("Node Selector", "string", "", 0) "," COL("Age", "string", "", 0)},
	{"replicasets", "replicaset", "ReplicaSet", "apps/v1", "\"rs\"", true, VERBS_RW,
	 COLS_NAME_AGE},
	{"statefulsets", "statefulset", "StatefulSet", "apps/v1", "\"sts\"", true, VERBS_RW,
	 COLS_NAME_AGE},
	{"jobs", "job", "Job", "batch/v1", "", true, VERBS_RW, COLS_NAME_AGE},
	{"cronjobs", "cronjob", "CronJob", "batch/v1", "\"cj\"", true, VERBS_RW,
	 COL("Name", "string", "name", 0) "," COL("Schedule", "string", "", 0) "," COL(
		 "Suspend", "boolean", "", 0) "," COL("Active", "integer", "", 0) "," COL("Last Schedule", "string", "", 0) "," COL("Age", "string", "", 0)},
	{"roles", "role", "Role", "rbac.authorization.k8s.io/v1", "", true, VERBS_RW,
	 COLS_NAME_AGE},
	{"rolebindings", "rolebinding", "RoleBinding", "rbac.authorization.k8s.io/v1", "", true,
	 VERBS_RW, COLS_NAME_AGE},
	{"clusterroles", "clusterrole", "ClusterRole", "rbac.authorization.k8s.io/v1", "", false,
	 VERBS_RW, COLS_NAME_AGE},
	{"clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding",
	 "rbac.authorization.k8s.io/v1", "", false, VERBS_RW, COLS_NAME_AGE},
	{"selfsubjectaccessreviews", "", "SelfSubjectAccessReview", "authorization.k8s.io/v1", "",
	 false, "[\"create\"]", NULL},
	{"selfsubjectrulesreviews", "", "SelfSubjectRulesReview", "authorization.k8s.io/v1", "",
	 true, "[\"create\"]", NULL},
};

/* groups in the order a v1.21 server lists them (the core group is /api) */
static const char *const groups[] = {"apps/v1", "batch/v1", "rbac.authorization.k8s.io/v1",
				     "authorization.k8s.io/v1"};

/* One decoy object: metadata is built from ns/name/age/labels; `body` is the rest of the object
 * (spec, status, data...); `cells` the Table row after the name (age included, in days). */
typedef struct decoy {
	const char *res, *ns, *name;
	unsigned age_days;
	const char *labels, *body, *cells;
} decoy;

#define CA_B64                                                                                   \
	"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM1ekNDQWMrZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwKY201bGRHVnpNQjRYRFRJeU1EWXhOVEUwTURrek5sb1hEVE15TURZeE1qRTBNRGt6Tmxvd0ZURVRNQkVHQTFVRQpBeE1LYTNWaVpYSnVaWFJsY3pDQ0FTSXdEUVlKS29aSWh2Y05BUUVCQlFBRGdnRVBBRENDQVFvQ2dnRUJBTFhwCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K"
#define TOKEN_B64(ns)                                                                            \
	"ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNklrRXhXbDlyVmpOM1QzRklUa1ZaTW10alVFZDZSMVJ5V1hCRGNFMTBaWEpuSW4wLmV5SnBjM01pT2lKcmRXSmxjbTVsZEdWekwzTmxjblpwWTJWaFkyTnZkVzUwSWl3aWEzVmlaWEp1WlhSbGN5NXBieTl6WlhKMmFXTmxZV05qYjNWdWRDOXVZVzFsYzNCaFkyVWlPaUk" ns "In0.c2lnbmF0dXJl"
#define SA_SECRET(ns, nsb64, tok, age)                                                           \
	{"secrets",                                                                              \
	 ns,                                                                                     \
	 "default-token-" tok,                                                                   \
	 age,                                                                                    \
	 "",                                                                                     \
	 "\"type\":\"kubernetes.io/service-account-token\",\"data\":{\"ca.crt\":\"" CA_B64       \
	 "\",\"namespace\":\"" nsb64 "\",\"token\":\"" TOKEN_B64(nsb64) "\"}",                   \
	 "\"kubernetes.io/service-account-token\",\"3\",\"" #age "d\""},                         \
		{"serviceaccounts",                                                              \
		 ns,                                                                             \
		 "default",                                                                      \
		 age,                                                                            \
		 "",                                                                             \
		 "\"secrets\":[{\"name\":\"default-token-" tok "\"}]",                          \
		 "\"1\",\"" #age "d\""},                                                         \
	{                                                                                        \
		"configmaps", ns, "kube-root-ca.crt", age, "",                                   \
			"\"data\":{\"ca.crt\":\"-----BEGIN CERTIFICATE-----\\nMIIC5zCCAc+gAwIBAgIBADANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwprdWJl\\n-----END CERTIFICATE-----\\n\"}", \
			"\"1\",\"" #age "d\""                                                    \
	}

#define POD(ns, name, age, labels, image, node, ip, extra)                                       \
	{"pods",                                                                                 \
	 ns,                                                                                     \
	 name,                                                                                   \
	 age,                                                                                    \
	 labels,                                                                                 \
	 "\"spec\":{\"containers\":[{\"name\":\"main\",\"image\":\"" image                       \
	 "\"" extra "}],\"nodeName\":\"" node "\",\"serviceAccountName\":\"default\"},"          \
	 "\"status\":{\"phase\":\"Running\",\"hostIP\":\"10.0.1.1" node                          \
	 "\",\"podIP\":\"" ip "\",\"containerStatuses\":[{\"name\":\"main\",\"ready\":true,"     \
	 "\"restartCount\":0,\"image\":\"" image "\",\"state\":{\"running\":{}}}]}",             \
	 "\"1/1\",\"Running\",0,\"" #age "d\",\"" ip "\",\"" node "\""}

static const decoy decoys[] = {
	{"namespaces", NULL, "default", 412, "", "\"status\":{\"phase\":\"Active\"}",
	 "\"Active\",\"412d\""},
	{"namespaces", NULL, "kube-system", 412, "", "\"status\":{\"phase\":\"Active\"}",
	 "\"Active\",\"412d\""},
	{"namespaces", NULL, "kube-public", 412, "", "\"status\":{\"phase\":\"Active\"}",
	 "\"Active\",\"412d\""},
	{"namespaces", NULL, "kube-node-lease", 412, "", "\"status\":{\"phase\":\"Active\"}",
	 "\"Active\",\"412d\""},
	{"namespaces", NULL, "monitoring", 388, "", "\"status\":{\"phase\":\"Active\"}",
	 "\"Active\",\"388d\""},
	{"nodes", NULL, "control-plane-1", 412,
	 "\"kubernetes.io/hostname\":\"control-plane-1\",\"node-role.kubernetes.io/"
	 "control-plane\":\"\",\"node-role.kubernetes.io/master\":\"\"",
	 "\"spec\":{\"podCIDR\":\"10.244.0.0/24\"},\"status\":{\"addresses\":[{\"type\":"
	 "\"InternalIP\",\"address\":\"10.0.1.10\"}],\"conditions\":[{\"type\":\"Ready\",\"status\":"
	 "\"True\"}],\"nodeInfo\":{\"kubeletVersion\":\"v1.21.14\",\"osImage\":\"Ubuntu 20.04.6 "
	 "LTS\",\"kernelVersion\":\"5.4.0-150-generic\",\"containerRuntimeVersion\":"
	 "\"docker://20.10.24\",\"architecture\":\"amd64\",\"operatingSystem\":\"linux\"}}",
	 "\"Ready\",\"control-plane,master\",\"412d\",\"v1.21.14\""},
	{"nodes", NULL, "worker-1", 411, "\"kubernetes.io/hostname\":\"worker-1\"",
	 "\"spec\":{\"podCIDR\":\"10.244.1.0/24\"},\"status\":{\"addresses\":[{\"type\":"
	 "\"InternalIP\",\"address\":\"10.0.1.11\"}],\"conditions\":[{\"type\":\"Ready\",\"status\":"
	 "\"True\"}],\"nodeInfo\":{\"kubeletVersion\":\"v1.21.14\",\"osImage\":\"Ubuntu 20.04.6 "
	 "LTS\",\"kernelVersion\":\"5.4.0-150-generic\",\"containerRuntimeVersion\":"
	 "\"docker://20.10.24\",\"architecture\":\"amd64\",\"operatingSystem\":\"linux\"}}",
	 "\"Ready\",\"<none>\",\"411d\",\"v1.21.14\""},
	{"nodes", NULL, "worker-2", 411, "\"kubernetes.io/hostname\":\"worker-2\"",
	 "\"spec\":{\"podCIDR\":\"10.244.2.0/24\"},\"status\":{\"addresses\":[{\"type\":"
	 "\"InternalIP\",\"address\":\"10.0.1.12\"}],\"conditions\":[{\"type\":\"Ready\",\"status\":"
	 "\"True\"}],\"nodeInfo\":{\"kubeletVersion\":\"v1.21.14\",\"osImage\":\"Ubuntu 20.04.6 "
	 "LTS\",\"kernelVersion\":\"5.4.0-150-generic\",\"containerRuntimeVersion\":"
	 "\"docker://20.10.24\",\"architecture\":\"amd64\",\"operatingSystem\":\"linux\"}}",
	 "\"Ready\",\"<none>\",\"411d\",\"v1.21.14\""},
	POD("default", "web-7d4b9c6f5d-x2lqp", 41, "\"app\":\"web\"", "nginx:1.23", "worker-1",
	    "10.244.1.17", ""),
	POD("default", "web-7d4b9c6f5d-q8mzt", 41, "\"app\":\"web\"", "nginx:1.23", "worker-2",
	    "10.244.2.9", ""),
	POD("default", "postgres-0", 203, "\"app\":\"postgres\"", "postgres:13.11", "worker-2",
	    "10.244.2.4", ",\"env\":[{\"name\":\"POSTGRES_PASSWORD\",\"valueFrom\":{"
			  "\"secretKeyRef\":{\"name\":\"db-credentials\",\"key\":\"password\"}}}]"),
	POD("default", "db-backup-27810540-kq2vx", 1, "\"job-name\":\"db-backup-27810540\"",
	    "postgres:13.11", "worker-1", "10.244.1.40", ""),
	POD("kube-system", "coredns-558bd4d5db-8vhnz", 412, "\"k8s-app\":\"kube-dns\"",
	    "k8s.gcr.io/coredns/coredns:v1.8.0", "control-plane-1", "10.244.0.2", ""),
	POD("kube-system", "etcd-control-plane-1", 412, "\"component\":\"etcd\"",
	    "k8s.gcr.io/etcd:3.4.13-0", "control-plane-1", "10.0.1.10", ""),
	POD("kube-system", "kube-apiserver-control-plane-1", 412,
	    "\"component\":\"kube-apiserver\"", "k8s.gcr.io/kube-apiserver:v1.21.14",
	    "control-plane-1", "10.0.1.10", ""),
	POD("kube-system", "kube-proxy-4xk2p", 411, "\"k8s-app\":\"kube-proxy\"",
	    "k8s.gcr.io/kube-proxy:v1.21.14", "worker-1", "10.0.1.11", ""),
	POD("monitoring", "prometheus-0", 388, "\"app\":\"prometheus\"", "prom/prometheus:v2.41.0",
	    "worker-1", "10.244.1.5", ""),
	SA_SECRET("default", "ZGVmYXVsdA==", "x7k2p", 412),
	SA_SECRET("kube-system", "a3ViZS1zeXN0ZW0=", "m4qzt", 412),
	SA_SECRET("kube-public", "a3ViZS1wdWJsaWM=", "2hwnc", 412),
	SA_SECRET("kube-node-lease", "a3ViZS1ub2RlLWxlYXNl", "v9fjd", 412),
	SA_SECRET("monitoring", "bW9uaXRvcmluZw==", "b5lrs", 388),
	{"secrets", "default", "db-credentials", 203, "\"app\":\"postgres\"",
	 "\"type\":\"Opaque\",\"data\":{\"username\":\"YXBw\",\"password\":"
	 "\"VGgzLVAwc3RncjNzLVBhc3M=\"}",
	 "\"Opaque\",\"2\",\"203d\""},
	{"secrets", "default", "registry-pull", 198, "",
	 "\"type\":\"kubernetes.io/dockerconfigjson\",\"data\":{\".dockerconfigjson\":"
	 "\"eyJhdXRocyI6eyJyZWdpc3RyeS5pbnRlcm5hbDo1MDAwIjp7ImF1dGgiOiJZMms2WTJrdGNIVnNiQzB5TURJeSJ9fX0=\"}",
	 "\"kubernetes.io/dockerconfigjson\",\"1\",\"198d\""},
	{"configmaps", "default", "app-config", 41, "\"app\":\"web\"",
	 "\"data\":{\"DATABASE_HOST\":\"postgres.default.svc\",\"LOG_LEVEL\":\"info\"}",
	 "\"2\",\"41d\""},
	{"configmaps", "kube-system", "coredns", 412, "",
	 "\"data\":{\"Corefile\":\".:53 {\\n    errors\\n    health\\n    kubernetes cluster.local "
	 "in-addr.arpa ip6.arpa {\\n       pods insecure\\n    }\\n    forward . "
	 "/etc/resolv.conf\\n    cache 30\\n}\\n\"}",
	 "\"1\",\"412d\""},
	{"serviceaccounts", "kube-system", "coredns", 412, "",
	 "\"secrets\":[{\"name\":\"coredns-token-8wq2d\"}]", "\"1\",\"412d\""},
	{"services", "default", "kubernetes", 412, "\"component\":\"apiserver\"",
	 "\"spec\":{\"type\":\"ClusterIP\",\"clusterIP\":\"10.96.0.1\",\"ports\":[{\"name\":"
	 "\"https\",\"port\":443,\"protocol\":\"TCP\",\"targetPort\":6443}]}",
	 "\"ClusterIP\",\"10.96.0.1\",\"<none>\",\"443/TCP\",\"412d\""},
	{"services", "default", "web", 41, "\"app\":\"web\"",
	 "\"spec\":{\"type\":\"ClusterIP\",\"clusterIP\":\"10.96.142.7\",\"ports\":[{\"port\":80,"
	 "\"protocol\":\"TCP\"}]}",
	 "\"ClusterIP\",\"10.96.142.7\",\"<none>\",\"80/TCP\",\"41d\""},
	{"services", "kube-system", "kube-dns", 412, "\"k8s-app\":\"kube-dns\"",
	 "\"spec\":{\"type\":\"ClusterIP\",\"clusterIP\":\"10.96.0.10\",\"ports\":[{\"name\":"
	 "\"dns\",\"port\":53,\"protocol\":\"UDP\"}]}",
	 "\"ClusterIP\",\"10.96.0.10\",\"<none>\",\"53/UDP,53/TCP,9153/TCP\",\"412d\""},
	{"deployments", "default", "web", 41, "\"app\":\"web\"",
	 "\"spec\":{\"replicas\":2,\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\","
	 "\"image\":\"nginx:1.23\"}]}}},\"status\":{\"replicas\":2,\"readyReplicas\":2,"
	 "\"availableReplicas\":2}",
	 "\"2/2\",\"2\",\"2\",\"41d\""},
	{"deployments", "kube-system", "coredns", 412, "\"k8s-app\":\"kube-dns\"",
	 "\"spec\":{\"replicas\":1,\"template\":{\"spec\":{\"containers\":[{\"name\":\"coredns\","
	 "\"image\":\"k8s.gcr.io/coredns/coredns:v1.8.0\"}]}}},\"status\":{\"replicas\":1,"
	 "\"readyReplicas\":1,\"availableReplicas\":1}",
	 "\"1/1\",\"1\",\"1\",\"412d\""},
	{"daemonsets", "kube-system", "kube-proxy", 412, "\"k8s-app\":\"kube-proxy\"",
	 "\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"kube-proxy\",\"image\":"
	 "\"k8s.gcr.io/kube-proxy:v1.21.14\"}]}}},\"status\":{\"desiredNumberScheduled\":3,"
	 "\"currentNumberScheduled\":3,\"numberReady\":3}",
	 "3,3,3,3,3,\"kubernetes.io/os=linux\",\"412d\""},
	{"cronjobs", "default", "db-backup", 203, "",
	 "\"spec\":{\"schedule\":\"0 3 * * *\",\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{"
	 "\"containers\":[{\"name\":\"backup\",\"image\":\"postgres:13.11\",\"command\":["
	 "\"/bin/sh\",\"-c\",\"pg_dump -h postgres app | gzip > /backup/app.sql.gz\"]}]}}}}}",
	 "\"0 3 * * *\",false,0,\"17h\",\"203d\""},
};

const ld_kube_res *ld_hp_kube_res(ld_slice gv, ld_slice name)
{
	for (size_t i = 0; i < LD_ARRAY_LEN(resources); i++)
		if (ld_slice_eq_cstr(gv, resources[i].gv) && ld_slice_eq_cstr(name, resources[i].name))
			return &resources[i];
	return NULL;
}

/* ---- discovery ---- */

static void resource_list(ld_buf *b, const char *gv)
{
	bool first = true;
	ld_buf_addf(b, "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\"%s\","
		       "\"resources\":[",
		    gv);
	for (size_t i = 0; i < LD_ARRAY_LEN(resources); i++) {
		const ld_kube_res *r = &resources[i];
		if (strcmp(r->gv, gv))
			continue;
		ld_buf_addf(b,
			    "%s{\"name\":\"%s\",\"singularName\":\"%s\",\"namespaced\":%s,\"kind\":"
			    "\"%s\",\"verbs\":%s",
			    first ? "" : ",", r->name, r->singular, r->namespaced ? "true" : "false",
			    r->kind, r->verbs);
		if (r->shorts[0])
			ld_buf_addf(b, ",\"shortNames\":[%s]", r->shorts);
		ld_buf_adds(b, "}");
		first = false;
	}
	ld_buf_adds(b, "]}");
}

static void group_json(ld_buf *b, const char *gv)
{
	const char *slash = strchr(gv, '/');
	int glen = (int)(slash - gv);
	ld_buf_addf(b,
		    "{\"name\":\"%.*s\",\"versions\":[{\"groupVersion\":\"%s\",\"version\":\"%s\"}],"
		    "\"preferredVersion\":{\"groupVersion\":\"%s\",\"version\":\"%s\"}}",
		    glen, gv, gv, slash + 1, gv, slash + 1);
}

/* /api, /api/v1, /apis, /apis/GROUP, /apis/GROUP/VERSION into b; false: not a discovery path.
 * A v1.21 server knows no aggregated discovery: clients asking for it (Accept
 * ...;as=APIGroupDiscoveryList) get the plain documents, as from the real one, and fall back. */
bool ld_hp_kube_discovery(ld_buf *b, const ld_slice *seg, size_t n)
{
	char gv[96];
	if (n == 1 && ld_slice_eq_cstr(seg[0], "api")) {
		ld_buf_adds(b, "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],"
			       "\"serverAddressByClientCIDRs\":[{\"clientCIDR\":\"0.0.0.0/0\","
			       "\"serverAddress\":\"10.0.1.10:6443\"}]}");
		return true;
	}
	if (n == 2 && ld_slice_eq_cstr(seg[0], "api") && ld_slice_eq_cstr(seg[1], "v1")) {
		resource_list(b, "v1");
		return true;
	}
	if (n == 1 && ld_slice_eq_cstr(seg[0], "apis")) {
		ld_buf_adds(b, "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[");
		for (size_t i = 0; i < LD_ARRAY_LEN(groups); i++) {
			if (i)
				ld_buf_addc(b, ',');
			group_json(b, groups[i]);
		}
		ld_buf_adds(b, "]}");
		return true;
	}
	if ((n != 2 && n != 3) || !ld_slice_eq_cstr(seg[0], "apis") || seg[1].len > 64 ||
	    (n == 3 && seg[2].len > 16))
		return false;
	for (size_t i = 0; i < LD_ARRAY_LEN(groups); i++) {
		size_t glen = (size_t)(strchr(groups[i], '/') - groups[i]);
		if (seg[1].len != glen || memcmp(seg[1].ptr, groups[i], glen))
			continue;
		if (n == 2) {
			ld_buf_adds(b, "{\"kind\":\"APIGroup\",\"apiVersion\":\"v1\",\"name\":");
			ld_buf_addf(b, "\"%.*s\",\"versions\":[{\"groupVersion\":\"%s\",\"version\":"
				       "\"%s\"}],\"preferredVersion\":{\"groupVersion\":\"%s\","
				       "\"version\":\"%s\"}}",
				    (int)glen, groups[i], groups[i], groups[i] + glen + 1, groups[i],
				    groups[i] + glen + 1);
			return true;
		}
		ld_snprintf(gv, sizeof(gv), "%.*s/%.*s", (int)seg[1].len, seg[1].ptr,
			    (int)seg[2].len, seg[2].ptr);
		if (strcmp(gv, groups[i]))
			return false;
		resource_list(b, gv);
		return true;
	}
	return false;
}

/* ---- objects ---- */

static void iso_time(int64_t t, char out[32])
{
	struct tm tm;
	time_t tt = (time_t)t;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Ages as kubectl prints them. */
static void age(int64_t secs, char out[16])
{
	if (secs < 0)
		secs = 0;
	if (secs < 120)
		ld_snprintf(out, 16, "%llds", (long long)secs);
	else if (secs < 3 * 3600)
		ld_snprintf(out, 16, "%lldm", (long long)(secs / 60));
	else if (secs < 2 * 86400)
		ld_snprintf(out, 16, "%lldh", (long long)(secs / 3600));
	else
		ld_snprintf(out, 16, "%lldd", (long long)(secs / 86400));
}

static void metadata(ld_buf *b, const char *ns, const char *name, int64_t created,
		     const char *labels)
{
	char ts[32], uid[LD_DIGEST_STR_LEN], key[200];
	ld_snprintf(key, sizeof(key), "%s/%s", ns ? ns : "", name);
	ld_sha256_buf(key, strlen(key), uid); /* the same object has the same uid every time */
	iso_time(created, ts);
	ld_buf_adds(b, "\"metadata\":{\"name\":\"");
	ld_hp_json_inner(b, name);
	ld_buf_adds(b, "\",");
	if (ns) {
		ld_buf_adds(b, "\"namespace\":\"");
		ld_hp_json_inner(b, ns);
		ld_buf_adds(b, "\",");
	}
	ld_buf_addf(b,
		    "\"uid\":\"%.8s-%.4s-%.4s-%.4s-%.12s\",\"resourceVersion\":\"%u\","
		    "\"creationTimestamp\":\"%s\"",
		    uid + 7, uid + 15, uid + 19, uid + 23, uid + 27,
		    (unsigned)(48210000u + (unsigned)(ld_hash64(key, strlen(key)) % 9000)), ts);
	if (labels && labels[0])
		ld_buf_addf(b, ",\"labels\":{%s}", labels);
	ld_buf_adds(b, "}");
}

/* Decoys are as old as their age in days, counted back from today's midnight. */
static int64_t decoy_created(const decoy *d)
{
	int64_t now = (int64_t)time(NULL);
	return (now / 86400 - (int64_t)d->age_days) * 86400 + 3600 * 9 + 1234;
}

static void decoy_item(ld_buf *b, const ld_kube_res *r, const decoy *d)
{
	ld_buf_addf(b, "{\"kind\":\"%s\",\"apiVersion\":\"%s\",", r->kind, r->gv);
	metadata(b, d->ns, d->name, decoy_created(d), d->labels);
	ld_buf_addf(b, ",%s}", d->body);
}

/* A new pod is Pending for its first seconds, as while its image is pulled. */
static bool starting(const ld_hp_obj *o)
{
	return (int64_t)time(NULL) - o->created < 3;
}

/* An object the source created, as the API would show it back. */
static void created_item(ld_buf *b, const ld_kube_res *r, const ld_hp_obj *o)
{
	bool pod = !strcmp(o->kind, "pods");
	ld_buf_addf(b, "{\"kind\":\"%s\",\"apiVersion\":\"%s\",", r->kind, r->gv);
	metadata(b, o->ns, o->name, o->created, NULL);
	ld_buf_adds(b, pod ? ",\"spec\":{\"containers\":[{\"name\":\"" : ",\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"");
	ld_hp_json_inner(b, o->name);
	ld_buf_adds(b, "\",\"image\":\"");
	ld_hp_json_inner(b, o->image);
	ld_buf_adds(b, "\"}]");
	if (pod)
		ld_buf_addf(b, ",\"nodeName\":\"worker-1\"},\"status\":{\"phase\":\"%s\","
			       "\"podIP\":\"10.244.1.%u\",\"containerStatuses\":[{\"name\":\"main\","
			       "\"ready\":true,\"restartCount\":0,\"state\":{\"running\":{}}}]}}",
			    starting(o) ? "Pending" : "Running", 50 + (unsigned)(o->created % 150));
	else if (!strcmp(o->kind, "cronjobs"))
		ld_buf_adds(b, "}}},\"status\":{}}");
	else
		ld_buf_adds(b, "}}},\"status\":{\"replicas\":1,\"readyReplicas\":1,"
			       "\"availableReplicas\":1}}");
}

static void created_cells(ld_buf *b, const ld_hp_obj *o)
{
	char a[16];
	age((int64_t)time(NULL) - o->created, a);
	if (!strcmp(o->kind, "pods"))
		ld_buf_addf(b, "\"%s\",0,\"%s\",\"10.244.1.%u\",\"worker-1\"",
			    starting(o) ? "0/1\",\"ContainerCreating" : "1/1\",\"Running", a,
			    50 + (unsigned)(o->created % 150));
	else if (!strcmp(o->kind, "deployments"))
		ld_buf_addf(b, "\"1/1\",\"1\",\"1\",\"%s\"", a);
	else if (!strcmp(o->kind, "daemonsets"))
		ld_buf_addf(b, "3,3,3,3,3,\"<none>\",\"%s\"", a);
	else if (!strcmp(o->kind, "cronjobs"))
		ld_buf_addf(b, "\"%s\",false,0,\"<none>\",\"%s\"", o->extra[0] ? o->extra : "* * * * *", a);
	else
		ld_buf_addf(b, "\"%s\"", a);
}

static void row(ld_buf *b, const char *name, bool first)
{
	ld_buf_addf(b, "%s{\"cells\":[\"", first ? "" : ",");
	ld_hp_json_inner(b, name);
	ld_buf_adds(b, "\",");
}

static void row_end(ld_buf *b, const char *ns, const char *name)
{
	/* the object as metadata only: kubectl takes the namespace column from it */
	ld_buf_adds(b, "],\"object\":{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":"
		       "\"meta.k8s.io/v1\",\"metadata\":{\"name\":\"");
	ld_hp_json_inner(b, name);
	ld_buf_adds(b, "\"");
	if (ns) {
		ld_buf_adds(b, ",\"namespace\":\"");
		ld_hp_json_inner(b, ns);
		ld_buf_adds(b, "\"");
	}
	ld_buf_adds(b, "}}}");
}

static bool ns_match(const char *want, const char *ns)
{
	return !want || (ns && !strcmp(want, ns));
}

/* The source deleted this decoy (a "deleted" object of its state names it). */
static bool deleted(const ld_hp_src_state *st, const char *res, const char *ns, const char *name)
{
	for (unsigned i = 0; st && i < st->n; i++) {
		const ld_hp_obj *o = &st->obj[i];
		if (!strcmp(o->kind, "deleted") && !strcmp(o->image, res) &&
		    !strcmp(o->ns, ns ? ns : "") && !strcmp(o->name, name))
			return true;
	}
	return false;
}

uint64_t ld_hp_kube_list_rv(const ld_hp_src_state *st)
{
	return LD_HP_KUBE_RV_BASE + (st ? st->seq : 0);
}

/* The objects of resource r a source sees, decoys first, then its own: *i is the cursor
 * (start at 0); false at the end. */
typedef struct kobj {
	const decoy *d;
	const ld_hp_obj *o;
	const char *ns, *name;
} kobj;

static bool next_obj(const ld_kube_res *r, const char *ns, const char *name,
		     const ld_hp_src_state *st, size_t *i, kobj *k)
{
	for (; *i < LD_ARRAY_LEN(decoys); ++*i) {
		const decoy *d = &decoys[*i];
		if (strcmp(d->res, r->name) || !ns_match(ns, d->ns) ||
		    (name && strcmp(name, d->name)) || deleted(st, d->res, d->ns, d->name))
			continue;
		*k = (kobj){d, NULL, d->ns, d->name};
		++*i;
		return true;
	}
	for (; st && *i - LD_ARRAY_LEN(decoys) < st->n; ++*i) {
		const ld_hp_obj *o = &st->obj[*i - LD_ARRAY_LEN(decoys)];
		if (strcmp(o->kind, r->name) || !ns_match(ns, o->ns) ||
		    (name && strcmp(name, o->name)))
			continue;
		*k = (kobj){NULL, o, o->ns, o->name};
		++*i;
		return true;
	}
	return false;
}

static void table_head(ld_buf *b, const ld_kube_res *r, const ld_hp_src_state *st)
{
	ld_buf_addf(b, "{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":{"
		       "\"resourceVersion\":\"%" PRIu64 "\"},\"columnDefinitions\":[%s],\"rows\":[",
		    ld_hp_kube_list_rv(st), r->cols ? r->cols : COLS_NAME_AGE);
}

/* One object: a Table row or the object itself. */
static void obj_json(ld_buf *b, const ld_kube_res *r, const kobj *k, bool table, bool first)
{
	if (table) {
		row(b, k->name, first);
		if (k->d)
			ld_buf_adds(b, k->d->cells);
		else
			created_cells(b, k->o);
		row_end(b, k->ns, k->name);
		return;
	}
	if (!first)
		ld_buf_addc(b, ',');
	if (k->d)
		decoy_item(b, r, k->d);
	else
		created_item(b, r, k->o);
}

size_t ld_hp_kube_list(ld_buf *b, const ld_kube_res *r, const char *ns, const char *name,
		       bool single, bool table, const ld_hp_src_state *st)
{
	size_t count = 0, i = 0;
	kobj k;
	if (table)
		table_head(b, r, st);
	else if (!single)
		ld_buf_addf(b, "{\"kind\":\"%sList\",\"apiVersion\":\"%s\",\"metadata\":{"
			       "\"resourceVersion\":\"%" PRIu64 "\"},\"items\":[",
			    r->kind, r->gv, ld_hp_kube_list_rv(st));
	while (next_obj(r, ns, name, st, &i, &k)) {
		obj_json(b, r, &k, table, !count);
		if (++count && single)
			break;
	}
	if (table || !single)
		ld_buf_adds(b, "]}");
	return count;
}

size_t ld_hp_kube_watch_events(ld_buf *b, const ld_kube_res *r, const char *ns, const char *name,
			       bool table, const ld_hp_src_state *st, bool decoys_too,
			       uint32_t after)
{
	size_t count = 0, i = decoys_too ? 0 : LD_ARRAY_LEN(decoys);
	kobj k;
	while (next_obj(r, ns, name, st, &i, &k)) {
		if (k.o && k.o->seq <= after)
			continue;
		ld_buf_adds(b, "{\"type\":\"ADDED\",\"object\":");
		if (table)
			table_head(b, r, st);
		obj_json(b, r, &k, table, true);
		ld_buf_adds(b, table ? "]}}\n" : "}\n");
		count++;
	}
	return count;
}
