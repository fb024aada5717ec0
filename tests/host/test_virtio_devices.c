/*
 * test_virtio_devices.c — virtio-rng, virtio-console and virtio-net
 * (host/virtio_rng.c, _console.c, _net.c) over virtio-mmio with a fake
 * guest RAM; their backends are pipes and a datagram socketpair standing
 * in for stdin/stdout and the UDP peer.  Also the --virtio-* options and
 * the virtio_mmio.device= words pvkit-hv adds to the kernel command line.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/virtio_net.h>

#include "host/options.h"
#include "host/virtio_console.h"
#include "host/virtio_devices.h"
#include "host/virtio_mmio.h"
#include "host/virtio_net.h"
#include "host/virtio_rng.h"
#include "tests/host/fake_driver.h"
#include "tests/host/parse_options.h"
#include "tests/host/suites.h"
#include "tests/unit/check.h"

#define QSIZE   8
#define W       VRING_DESC_F_WRITE
#define N       VRING_DESC_F_NEXT
#define BUF(i)  (FAKE_BUFFERS + (uint64_t)(i) * 0x1000)
#define NET_HDR sizeof(struct virtio_net_hdr_v1)

static struct guest_mem mem;
static struct virtio_mmio mmio;
static struct fake_queue fq[2];
static int line;

static void record_line(void *opaque, unsigned int gsi, int level)
{
	(void)opaque;
	(void)gsi;
	line = level;
}

static void start(struct virtio_device *dev, unsigned int queues)
{
	mem = fake_ram_new();
	virtio_device_set_memory(dev, &mem);
	virtio_mmio_init(&mmio, dev, 0xd0000000, 16, record_line, NULL);
	CHECK(fake_mmio_start(&mmio, &mem, fq, queues, QSIZE, UINT64_MAX) &
	      VIRTIO_CONFIG_S_DRIVER_OK);
}

static void notify(unsigned int q)
{
	virtio_mmio_write(&mmio, VIRTIO_MMIO_QUEUE_NOTIFY, 4, q);
}

static void rng_fills_buffers(void)
{
	char err[128];
	struct virtio_device *dev = virtio_rng_create(0, err, sizeof(err));

	start(dev, 1);
	fake_desc(&mem, fq[0].desc, 0, BUF(0), 100, W | N, 1);
	fake_desc(&mem, fq[0].desc, 1, BUF(1), 3000, W, 0);
	fake_publish(&fq[0], &mem, 0);
	notify(0);
	CHECK_UINT(fake_used_pending(&fq[0], &mem), 1);
	CHECK_UINT(fake_take_used(&fq[0], &mem).len, 3100);
	const uint8_t *p = fake_ptr(&mem, BUF(1));
	unsigned int zeros = 0;

	for (int i = 0; i < 3000; i++)
		zeros += p[i] == 0;
	CHECK(zeros < 100);                     /* ~12 expected from random bytes */
	CHECK_INT(line, 1);
	virtio_device_destroy(dev);
	fake_ram_free(&mem);
}

static void console_transmits_and_receives(void)
{
	char err[128];
	int in[2], out[2];

	CHECK(pipe(in) == 0 && pipe(out) == 0);
	fcntl(in[0], F_SETFL, O_NONBLOCK);
	struct virtio_device *dev = virtio_console_create(0, in[0], out[1], err, sizeof(err));

	start(dev, 2);
	memcpy(fake_ptr(&mem, BUF(0)), "hello, ", 7);
	memcpy(fake_ptr(&mem, BUF(1)), "host\n", 5);
	fake_desc(&mem, fq[1].desc, 0, BUF(0), 7, N, 1);
	fake_desc(&mem, fq[1].desc, 1, BUF(1), 5, 0, 0);
	fake_publish(&fq[1], &mem, 0);
	notify(VIRTIO_CONSOLE_TRANSMITQ);
	char text[32] = "";

	CHECK(read(out[0], text, sizeof(text)) == 12);
	CHECK(memcmp(text, "hello, host\n", 12) == 0);
	CHECK_UINT(fake_take_used(&fq[1], &mem).len, 0);

	/* Input with no receive buffer waits; then one buffer takes it. */
	CHECK(write(in[1], "typed", 5) == 5);
	dev->ops->backend_ready(dev);
	CHECK_UINT(fake_used_pending(&fq[0], &mem), 0);
	fake_desc(&mem, fq[0].desc, 0, BUF(2), 64, W, 0);
	fake_publish(&fq[0], &mem, 0);
	notify(VIRTIO_CONSOLE_RECEIVEQ);
	dev->ops->backend_ready(dev);
	CHECK_UINT(fake_used_pending(&fq[0], &mem), 1);
	CHECK_UINT(fake_take_used(&fq[0], &mem).len, 5);
	CHECK(memcmp(fake_ptr(&mem, BUF(2)), "typed", 5) == 0);
	virtio_device_destroy(dev);
	fake_ram_free(&mem);
	close(in[0]);
	close(in[1]);
	close(out[0]);
	close(out[1]);
}

/* A receive buffer of len bytes at BUF(buf), as descriptor desc. */
static void post_receive_buffer(uint16_t desc, unsigned int buf, uint32_t len)
{
	fake_desc(&mem, fq[0].desc, desc, BUF(buf), len, W, 0);
	fake_publish(&fq[0], &mem, desc);
	notify(VIRTIO_CONSOLE_RECEIVEQ);
}

/* in=FILE with a regular file: epoll cannot watch it, so the device reads
 * it as buffers come, one buffer per read, until its end. */
static void console_reads_a_regular_file(void)
{
	char err[128];
	char path[] = "/tmp/pvkit-console-in-XXXXXX";
	char text[100];
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	for (int i = 0; i < (int)sizeof(text); i++)
		text[i] = (char)('a' + i % 26);
	CHECK(write(fd, text, sizeof(text)) == (ssize_t)sizeof(text));
	close(fd);
	fd = open(path, O_RDONLY);
	unlink(path);
	struct virtio_device *dev = virtio_console_create(0, fd, -1, err, sizeof(err));

	CHECK_INT(dev->backend_fd, -1);         /* not for the I/O thread's epoll */
	start(dev, 2);
	post_receive_buffer(0, 0, 64);
	CHECK_UINT(fake_take_used(&fq[0], &mem).len, 64);
	post_receive_buffer(1, 1, 64);
	CHECK_UINT(fake_take_used(&fq[0], &mem).len, 36);
	CHECK(memcmp(fake_ptr(&mem, BUF(0)), text, 64) == 0);
	CHECK(memcmp(fake_ptr(&mem, BUF(1)), text + 64, 36) == 0);
	post_receive_buffer(2, 2, 64);          /* at the end: the buffer stays posted */
	CHECK_UINT(fake_used_pending(&fq[0], &mem), 0);
	CHECK_INT(line, 1);
	virtio_device_destroy(dev);             /* closes fd */
	fake_ram_free(&mem);
}

/* /dev/null cannot be polled either, and ends at once: buffers stay posted. */
static void console_empty_input(void)
{
	char err[128];
	struct virtio_device *dev = virtio_console_create(0, open("/dev/null", O_RDONLY), -1,
							  err, sizeof(err));

	CHECK_INT(dev->backend_fd, -1);
	start(dev, 2);
	post_receive_buffer(0, 0, 64);
	CHECK_UINT(fake_used_pending(&fq[0], &mem), 0);
	virtio_device_destroy(dev);
	fake_ram_free(&mem);
}

static void net_frames_both_ways(void)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
	char err[128];
	int sv[2];

	CHECK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv) == 0);
	struct virtio_device *dev = virtio_net_create_on_fd(sv[0], mac, 0, err, sizeof(err));

	start(dev, 2);
	CHECK_UINT(virtio_mmio_read(&mmio, VIRTIO_MMIO_CONFIG + 3, 1), 0xab);
	CHECK_UINT(virtio_mmio_read(&mmio, VIRTIO_MMIO_CONFIG + 6, 2), VIRTIO_NET_S_LINK_UP);

	/* Transmit: header + a 60-byte frame split over two buffers. */
	memset(fake_ptr(&mem, BUF(0)), 0, NET_HDR);
	memset(fake_ptr(&mem, BUF(1)), 0x11, 60);
	fake_desc(&mem, fq[1].desc, 0, BUF(0), NET_HDR, N, 1);
	fake_desc(&mem, fq[1].desc, 1, BUF(1), 60, 0, 0);
	fake_publish(&fq[1], &mem, 0);
	notify(VIRTIO_NET_TRANSMITQ);
	uint8_t frame[128];

	CHECK(recv(sv[1], frame, sizeof(frame), 0) == 60);
	CHECK_UINT(frame[59], 0x11);

	/* Receive: one frame from the peer into a 1526-byte buffer. */
	memset(frame, 0x22, 70);
	CHECK(send(sv[1], frame, 70, 0) == 70);
	fake_desc(&mem, fq[0].desc, 0, BUF(2), NET_HDR + 1514, W, 0);
	fake_publish(&fq[0], &mem, 0);
	notify(VIRTIO_NET_RECEIVEQ);
	dev->ops->backend_ready(dev);
	CHECK_UINT(fake_used_pending(&fq[0], &mem), 1);
	CHECK_UINT(fake_take_used(&fq[0], &mem).len, NET_HDR + 70);
	const struct virtio_net_hdr_v1 *h = fake_ptr(&mem, BUF(2));

	CHECK_UINT(h->num_buffers, 1);
	CHECK_UINT(*(uint8_t *)fake_ptr(&mem, BUF(2) + NET_HDR + 69), 0x22);

	/* A buffer too small for the frame: the frame is dropped, the
	 * buffer kept for the next one. */
	CHECK(send(sv[1], frame, 100, 0) == 100);
	fake_desc(&mem, fq[0].desc, 1, BUF(3), NET_HDR + 50, W, 0);
	fake_publish(&fq[0], &mem, 1);
	puts("# the next message, about a receive buffer too small, is expected:");
	dev->ops->backend_ready(dev);
	CHECK_UINT(fake_used_pending(&fq[0], &mem), 0);
	CHECK(send(sv[1], frame, 40, 0) == 40);
	dev->ops->backend_ready(dev);
	CHECK_UINT(fake_used_pending(&fq[0], &mem), 1);
	CHECK_UINT(fake_take_used(&fq[0], &mem).len, NET_HDR + 40);
	virtio_device_destroy(dev);                     /* closes sv[0] */
	close(sv[1]);
	fake_ram_free(&mem);
}

/* A UDP socket on 127.0.0.1 at a port the kernel picks; its port. */
static int udp_socket(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	CHECK(getsockname(fd, (struct sockaddr *)&a, &len) == 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/* The real UDP backend: frames to and from a peer socket on loopback, one
 * datagram each, nothing added (QEMU's -netdev socket,udp= encapsulation). */
static void net_udp_backend(void)
{
	char err[256] = "";
	uint16_t peer_port, free_port;
	int peer = udp_socket(&peer_port);
	int probe = udp_socket(&free_port);

	close(probe);                   /* a port that was free a moment ago */
	struct virtio_net_params p = {
		.link = { .kind = PACKET_LINK_UDP, .local_port = free_port,
			  .remote_host = "127.0.0.1", .remote_port = peer_port },
		.mac = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 },
	};
	struct virtio_device *dev = virtio_net_create(&p, 0, err, sizeof(err));

	CHECK(dev != NULL);
	if (dev == NULL) {
		printf("# %s\n", err);
		close(peer);
		return;
	}
	start(dev, 2);
	memset(fake_ptr(&mem, BUF(0)), 0, NET_HDR);
	memcpy(fake_ptr(&mem, BUF(0) + NET_HDR), "frame-from-guest", 16);
	fake_desc(&mem, fq[1].desc, 0, BUF(0), NET_HDR + 16, 0, 0);
	fake_publish(&fq[1], &mem, 0);
	notify(VIRTIO_NET_TRANSMITQ);
	char buf[64] = "";
	struct sockaddr_in from;
	socklen_t from_len = sizeof(from);

	CHECK(recvfrom(peer, buf, sizeof(buf), 0, (struct sockaddr *)&from, &from_len) == 16);
	CHECK(memcmp(buf, "frame-from-guest", 16) == 0);
	CHECK_UINT(ntohs(from.sin_port), free_port);
	/* The peer answers to where the frame came from. */
	CHECK(sendto(peer, "frame-from-host", 15, 0, (struct sockaddr *)&from, from_len) == 15);
	fake_desc(&mem, fq[0].desc, 0, BUF(1), NET_HDR + 1514, W, 0);
	fake_publish(&fq[0], &mem, 0);
	notify(VIRTIO_NET_RECEIVEQ);
	for (int tries = 0; tries < 100 && fake_used_pending(&fq[0], &mem) == 0; tries++) {
		dev->ops->backend_ready(dev);
		usleep(1000);
	}
	CHECK_UINT(fake_used_pending(&fq[0], &mem), 1);
	CHECK_UINT(fake_take_used(&fq[0], &mem).len, NET_HDR + 15);
	CHECK(memcmp(fake_ptr(&mem, BUF(1) + NET_HDR), "frame-from-host", 15) == 0);
	virtio_device_destroy(dev);
	fake_ram_free(&mem);

	/* A port that is taken (the peer's): a clear error. */
	p.link.local_port = peer_port;
	dev = virtio_net_create(&p, 0, err, sizeof(err));
	CHECK(dev == NULL);
	CHECK(strstr(err, "cannot bind local port") != NULL);
	if (dev != NULL)
		virtio_device_destroy(dev);
	close(peer);
}

/* ---- options and placement ------------------------------------------------ */

static struct options opts;
static char err[256];

static void virtio_options(void)
{
	CHECK(PARSE("--virtio-blk", "a.img", "--virtio-rng", "--virtio-blk=b.img,transport=pci",
		    "--virtio-console=transport=mmio,out=console.out,in=console.in",
		    "--virtio-rng=transport=pci",
		    "--virtio-net", "udp=5555:127.0.0.1:5556,mac=52:54:00:aa:bb:cc", "k.elf",
		    "--virtio-net=tap=tap0,transport=pci"));
	CHECK_UINT(opts.virtio_count, 7);
	CHECK_INT(opts.virtio[0].kind, VIRTIO_OPTION_BLK);
	CHECK_STR(opts.virtio[0].path, "a.img");
	CHECK_INT(opts.virtio[0].transport, VIRTIO_TRANSPORT_MMIO);
	CHECK_INT(opts.virtio[1].kind, VIRTIO_OPTION_RNG);
	CHECK_STR(opts.virtio[2].path, "b.img");
	CHECK_INT(opts.virtio[2].transport, VIRTIO_TRANSPORT_PCI);
	CHECK_INT(opts.virtio[3].kind, VIRTIO_OPTION_CONSOLE);
	CHECK_STR(opts.virtio[3].console_out, "console.out");
	CHECK_STR(opts.virtio[3].console_in, "console.in");
	CHECK_INT(opts.virtio[4].transport, VIRTIO_TRANSPORT_PCI);
	CHECK_INT(opts.virtio[5].kind, VIRTIO_OPTION_NET);
	CHECK(!opts.virtio[5].net_tap);
	CHECK_UINT(opts.virtio[5].local_port, 5555);
	CHECK_STR(opts.virtio[5].remote_host, "127.0.0.1");
	CHECK_UINT(opts.virtio[5].remote_port, 5556);
	CHECK(opts.virtio[5].mac_set);
	CHECK_UINT(opts.virtio[5].mac[5], 0xcc);
	CHECK(opts.virtio[6].net_tap);
	CHECK_STR(opts.virtio[6].tap_name, "tap0");
	CHECK_STR(opts.kernel, "k.elf");

	CHECK(PARSE("--virtio-net", "udp=0:127.0.0.1:9", "k.elf"));  /* any free local port */
	CHECK_UINT(opts.virtio_count, 1);
	CHECK_UINT(opts.virtio[0].local_port, 0);
}

static void bad_virtio_options(void)
{
	CHECK_REJECTED("--virtio-blk needs a value", "k", "--virtio-blk");
	CHECK_REJECTED("transport 'usb' is not mmio or pci", "--virtio-blk", "a,transport=usb", "k");
	CHECK_REJECTED("unknown parameter 'speed=9'", "--virtio-rng=speed=9", "k");
	CHECK_REJECTED("needs a file name", "--virtio-blk", ",transport=pci", "k");
	CHECK_REJECTED("empty parameter", "--virtio-blk", "a.img,", "k");
	CHECK_REJECTED("needs udp=", "--virtio-net", "mac=52:54:00:00:00:01", "k");
	CHECK_REJECTED("is not LOCALPORT:REMOTEHOST:REMOTEPORT", "--virtio-net", "udp=5555:x", "k");
	CHECK_REJECTED("is not LOCALPORT", "--virtio-net", "udp=1:h:0", "k");
	CHECK_REJECTED("is not LOCALPORT", "--virtio-net", "udp=1:h:70000", "k");
	CHECK_REJECTED("is not LOCALPORT", "--virtio-net", "udp=1::2", "k");
	CHECK_REJECTED("not a unicast MAC", "--virtio-net", "udp=1:h:2,mac=01:00:5e:00:00:01", "k");
	CHECK_REJECTED("not a unicast MAC", "--virtio-net", "udp=1:h:2,mac=52:54:00", "k");
	CHECK_REJECTED("interface name", "--virtio-net", "tap=", "k");
	CHECK_REJECTED("interface name", "--virtio-net", "tap=a-very-long-interface-name", "k");
	CHECK_REJECTED("only one", "--virtio-console", "--virtio-console", "k");
	CHECK_REJECTED("in=: a file name is 1 to", "--virtio-console=in=", "k");
	CHECK_REJECTED("known: in, out, transport", "--virtio-console=input=x", "k");
	CHECK_REJECTED("at most 8", "--virtio-rng", "--virtio-rng", "--virtio-rng", "--virtio-rng",
		       "--virtio-rng", "--virtio-rng", "--virtio-rng", "--virtio-rng",
		       "--virtio-rng", "k");
	CHECK_REJECTED("unknown option '--virtio-rngx'", "--virtio-rngx", "k");
	CHECK_REJECTED("msix=off needs transport=pci", "--virtio-rng=msix=off", "k");
	CHECK_REJECTED("msix 'maybe' is not on or off", "--virtio-rng=transport=pci,msix=maybe", "k");
	CHECK(PARSE("--virtio-rng=transport=pci,msix=off", "k"));
	CHECK(opts.virtio[0].no_msix);
}

static void mmio_devices_on_the_command_line(void)
{
	char cmdline[LAYOUT_CMDLINE_SIZE] = "test=all";

	CHECK(PARSE("--virtio-rng", "--virtio-blk", "a,transport=pci", "--virtio-console", "k"));
	CHECK(virtio_devices_cmdline(&opts, cmdline, sizeof(cmdline), err, sizeof(err)));
	CHECK_STR(cmdline, "test=all virtio_mmio.device=512@0xd0000000:16 "
		  "virtio_mmio.device=512@0xd0000200:18");
	cmdline[0] = '\0';
	CHECK(virtio_devices_cmdline(&opts, cmdline, sizeof(cmdline), err, sizeof(err)));
	CHECK_STR(cmdline, "virtio_mmio.device=512@0xd0000000:16 "
		  "virtio_mmio.device=512@0xd0000200:18");
	char small[60] = "test=all";

	CHECK(!virtio_devices_cmdline(&opts, small, sizeof(small), err, sizeof(err)));
	CHECK(strstr(err, "longer than") != NULL);
}

void virtio_devices_tests(void)
{
	check_run("virtio_devices.rng_fills_buffers", rng_fills_buffers);
	check_run("virtio_devices.console_transmits_and_receives", console_transmits_and_receives);
	check_run("virtio_devices.console_reads_a_regular_file", console_reads_a_regular_file);
	check_run("virtio_devices.console_empty_input", console_empty_input);
	check_run("virtio_devices.net_frames_both_ways", net_frames_both_ways);
	check_run("virtio_devices.net_udp_backend", net_udp_backend);
	check_run("virtio_devices.virtio_options", virtio_options);
	check_run("virtio_devices.bad_virtio_options", bad_virtio_options);
	check_run("virtio_devices.mmio_devices_on_the_command_line",
		  mmio_devices_on_the_command_line);
}
