/* Listen addresses: "PORT" (127.0.0.1), "IPV4:PORT", "[IPV6]:PORT", "*:PORT" (all IPv4). */
#ifndef LD_NETADDR_H
#define LD_NETADDR_H

#include <stddef.h>
#include <sys/socket.h>

/* 0, or -1 for anything else (port above 65535, host not a literal address). */
int ld_net_parse_addr(const char *s, struct sockaddr_storage *ss, size_t *len);

#endif
