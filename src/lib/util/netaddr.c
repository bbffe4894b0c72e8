/* Listen addresses as the honeypot and the service take them. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "util/common.h"
#include "util/netaddr.h"

int ld_net_parse_addr(const char *s, struct sockaddr_storage *ss, size_t *len)
{
	char host[64];
	const char *port_s;
	uint64_t port;
	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(host))
			return -1;
		ld_slice_copy(host, sizeof(host), ld_slice_make(s + 1, (size_t)(close - s - 1)));
		port_s = close + 2;
	} else {
		const char *colon = strrchr(s, ':');
		if (!colon) {
			ld_strlcpy(host, "127.0.0.1", sizeof(host));
			port_s = s;
		} else {
			if ((size_t)(colon - s) >= sizeof(host))
				return -1;
			ld_slice_copy(host, sizeof(host), ld_slice_make(s, (size_t)(colon - s)));
			port_s = colon + 1;
		}
	}
	if (!ld_slice_to_u64(ld_slice_cstr(port_s), 65535, &port))
		return -1;
	if (!strcmp(host, "*"))
		ld_strlcpy(host, "0.0.0.0", sizeof(host));
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return -1;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -1;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*len = sizeof(*a);
	}
	return 0;
}
