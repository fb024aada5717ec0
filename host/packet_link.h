/*
 * packet_link.h — where a network backend's Ethernet frames go and come
 * from: a UDP socket or a TAP interface, shared by virtio-net
 * (host/virtio_net.c) and Xen's netback (host/xen_netback.c).
 *
 * Either way one send is one frame and one receive is one frame:
 *   udp  every frame is one datagram, no header added (QEMU's
 *        "-netdev socket,udp=..." encapsulation).  Frames go to
 *        REMOTEHOST:REMOTEPORT and are taken from any sender to LOCALPORT
 *        (0: any free port).  The socket is bound to 127.0.0.1 when the
 *        remote host is a loopback address, to all addresses otherwise.
 *   tap  a Linux TAP interface (needs CAP_NET_ADMIN and /dev/net/tun).
 * The descriptor is non-blocking: a receive with nothing waiting fails
 * with EAGAIN.
 */
#ifndef PVKIT_HOST_PACKET_LINK_H
#define PVKIT_HOST_PACKET_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#define PACKET_LINK_FRAME_MAX   65536   /* the largest datagram or TAP frame we carry */

enum packet_link_kind { PACKET_LINK_UDP, PACKET_LINK_TAP };

struct packet_link_params {
	enum packet_link_kind kind;
	uint16_t local_port;            /* udp */
	const char *remote_host;        /* udp */
	uint16_t remote_port;           /* udp */
	const char *tap_name;           /* tap */
};

struct packet_link {
	int fd;                         /* -1: closed */
	struct sockaddr_storage remote; /* udp: where frames go */
	socklen_t remote_len;           /* 0: tap, or a descriptor given as is */
};

/* Opens the socket or the TAP interface; false + a message otherwise. */
bool packet_link_open(struct packet_link *link, const struct packet_link_params *params,
		      char *err, size_t err_len);
/* A descriptor already open (tests: one end of a socketpair of datagrams). */
void packet_link_on_fd(struct packet_link *link, int fd);
void packet_link_close(struct packet_link *link);

/* One frame out: its length, or -1 with errno (a peer that is not
 * listening, a full queue: the frame is lost, as on a cable). */
ssize_t packet_link_send(const struct packet_link *link, const void *frame, size_t len);
/* One frame in, at most size bytes: its length, or -1 with errno
 * (EAGAIN: none waiting). */
ssize_t packet_link_receive(const struct packet_link *link, void *buf, size_t size);

#endif
