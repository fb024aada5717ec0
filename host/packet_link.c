/*
 * packet_link.c — the UDP and TAP frame links of the network backends
 * (see host/packet_link.h).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/if_tun.h>

#include "host/error.h"
#include "host/packet_link.h"

static bool is_loopback(const struct sockaddr_in *a)
{
	return (ntohl(a->sin_addr.s_addr) >> 24) == 127;
}

/* The UDP socket: bound to LOCALPORT, frames sent to REMOTEHOST:REMOTEPORT. */
static int open_udp(const struct packet_link_params *p, struct sockaddr_storage *remote,
		    socklen_t *remote_len, char *err, size_t err_len)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_DGRAM };
	struct addrinfo *found = NULL;
	char port[8];

	snprintf(port, sizeof(port), "%u", p->remote_port);
	int rc = getaddrinfo(p->remote_host, port, &hints, &found);

	if (rc != 0) {
		error_set(err, err_len, "udp: remote host '%s': %s", p->remote_host,
			  gai_strerror(rc));
		return -1;
	}
	memcpy(remote, found->ai_addr, found->ai_addrlen);
	*remote_len = found->ai_addrlen;
	freeaddrinfo(found);

	struct sockaddr_in local = {
		.sin_family = AF_INET, .sin_port = htons(p->local_port),
		.sin_addr.s_addr = htonl(is_loopback((struct sockaddr_in *)remote) ?
					 INADDR_LOOPBACK : INADDR_ANY),
	};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0) {
		error_set(err, err_len, "udp: cannot bind local port %u: %s", p->local_port,
			  strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int open_tap(const char *name, char *err, size_t err_len)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) {
		error_set(err, err_len, "tap: cannot create TAP interface '%s': %s%s", name,
			  strerror(errno), errno == EPERM ? " (needs CAP_NET_ADMIN; use udp= "
			  "instead without privileges)" : "");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

bool packet_link_open(struct packet_link *link, const struct packet_link_params *params,
		      char *err, size_t err_len)
{
	*link = (struct packet_link){ .fd = -1 };
	link->fd = params->kind == PACKET_LINK_UDP ?
		open_udp(params, &link->remote, &link->remote_len, err, err_len) :
		open_tap(params->tap_name, err, err_len);
	return link->fd >= 0;
}

void packet_link_on_fd(struct packet_link *link, int fd)
{
	*link = (struct packet_link){ .fd = fd };
}

void packet_link_close(struct packet_link *link)
{
	if (link->fd >= 0)
		close(link->fd);
	link->fd = -1;
}

ssize_t packet_link_send(const struct packet_link *link, const void *frame, size_t len)
{
	if (link->remote_len > 0)
		return sendto(link->fd, frame, len, 0, (const struct sockaddr *)&link->remote,
			      link->remote_len);
	return write(link->fd, frame, len);
}

ssize_t packet_link_receive(const struct packet_link *link, void *buf, size_t size)
{
	return read(link->fd, buf, size);
}
