/* Sends malformed (and one kind of odd but valid) frames into an interface
 * with an AF_PACKET socket: the kernel side of psp-engine's tap, inside the
 * test's network namespace.  Kinds, COUNT of each:
 *   runt           IPv4 ethertype, 10 bytes after the Ethernet header
 *   bad_ether      ethertype 0x88b5 (IEEE local experimental)
 *   bad_ip         IHL 4
 *   not_udp        IPv4 protocol 6 (TCP)
 *   bad_port       UDP to port+1
 *   short_payload  UDP payload of 8 bytes
 *   unknown_type   a valid request with wire type 99: the engine must answer
 *                  it (on the spillway core under DARC); replies are received
 *                  on a UDP socket bound to SRC_IP:7001
 *
 *   psp_inject_frames IFACE DST_MAC SRC_IP DST_IP PORT COUNT
 * Exit: 0 all sent and every unknown_type request answered; 1 otherwise.
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define REPLY_PORT 7001

static uint16_t cksum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)((p[i] << 8) | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A frame to the engine: Ethernet + IPv4 (ihl) + UDP + payload_len bytes. */
static size_t build(uint8_t *f, const uint8_t dst[6], const uint8_t src[6], uint32_t sip,
		    uint32_t dip, uint8_t proto, uint16_t dport, uint32_t payload_len,
		    uint32_t type, uint32_t id)
{
	memset(f, 0, 128);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, 0x0800);
	uint8_t *ip = f + 14;
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + 8 + payload_len));
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, &sip, 4); /* network order already */
	memcpy(ip + 16, &dip, 4);
	put16(ip + 10, cksum(ip, 20));
	uint8_t *udp = ip + 20;
	put16(udp, REPLY_PORT);
	put16(udp + 2, dport);
	put16(udp + 4, (uint16_t)(8 + payload_len));
	uint8_t *pl = udp + 8;
	for (int i = 0; i < 4; i++) {
		pl[i] = (uint8_t)(id >> (8 * i));
		if (payload_len >= 8)
			pl[4 + i] = (uint8_t)(type >> (8 * i));
	}
	if (payload_len >= 16) {
		pl[8] = 4;
		pl[12] = 0xe8; /* run_ns = 1000 */
		pl[13] = 0x03;
	}
	size_t len = 14 + 20 + 8 + payload_len;
	return len < 60 ? 60 : len;
}

int main(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: psp_inject_frames IFACE DST_MAC SRC_IP DST_IP PORT COUNT\n");
		return 2;
	}
	const char *ifname = argv[1];
	uint8_t dst[6];
	unsigned m[6];
	if (sscanf(argv[2], "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
		return 2;
	for (int i = 0; i < 6; i++)
		dst[i] = (uint8_t)m[i];
	uint32_t sip, dip;
	if (inet_pton(AF_INET, argv[3], &sip) != 1 || inet_pton(AF_INET, argv[4], &dip) != 1)
		return 2;
	uint16_t port = (uint16_t)atoi(argv[5]);
	int count = atoi(argv[6]);

	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0) {
		perror("psp_inject_frames: AF_PACKET socket");
		return 1;
	}
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		perror("psp_inject_frames: SIOCGIFHWADDR");
		return 1;
	}
	uint8_t src[6];
	memcpy(src, ifr.ifr_hwaddr.sa_data, 6);
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex(ifname),
				  .sll_halen = 6};
	memcpy(sll.sll_addr, dst, 6);

	/* Replies to the unknown-type requests come here. */
	int ufd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons(REPLY_PORT),
				 .sin_addr.s_addr = sip};
	if (ufd < 0 || bind(ufd, (struct sockaddr *)&me, sizeof(me)) < 0) {
		perror("psp_inject_frames: bind reply socket");
		return 1;
	}

	static const char *const kinds[] = {"runt", "bad_ether", "bad_ip", "not_udp",
					    "bad_port", "short_payload", "unknown_type"};
	int failed = 0;
	for (int k = 0; k < 7; k++) {
		for (int i = 0; i < count; i++) {
			uint8_t f[128];
			size_t len = build(f, dst, src, sip, dip, 17, port, 16, 1, (uint32_t)i);
			switch (k) {
			case 0:
				len = 14 + 10; /* no room for IPv4 + UDP */
				break;
			case 1:
				put16(f + 12, 0x88b5);
				break;
			case 2:
				f[14] = 0x44;
				f[24] = f[25] = 0;
				put16(f + 24, cksum(f + 14, 20));
				break;
			case 3:
				len = build(f, dst, src, sip, dip, 6, port, 16, 1, (uint32_t)i);
				break;
			case 4:
				len = build(f, dst, src, sip, dip, 17, (uint16_t)(port + 1), 16, 1,
					    (uint32_t)i);
				break;
			case 5:
				len = build(f, dst, src, sip, dip, 17, port, 8, 1, (uint32_t)i);
				break;
			case 6:
				len = build(f, dst, src, sip, dip, 17, port, 16, 99, (uint32_t)i);
				break;
			}
			if (sendto(fd, f, len, 0, (struct sockaddr *)&sll, sizeof(sll)) != (ssize_t)len) {
				perror("psp_inject_frames: sendto");
				failed++;
			}
			usleep(1000);
		}
		printf("inject: %s x%d\n", kinds[k], count);
	}
	int replies = 0;
	for (int waited = 0; replies < count && waited < 3000;) {
		struct pollfd p = {.fd = ufd, .events = POLLIN};
		if (poll(&p, 1, 100) <= 0) {
			waited += 100;
			continue;
		}
		uint8_t rep[64];
		ssize_t n = recv(ufd, rep, sizeof(rep), 0);
		if (n >= 12 && rep[4] == 99)
			replies++;
	}
	printf("inject: unknown_type_replies=%d of %d\n", replies, count);
	close(ufd);
	close(fd);
	return failed == 0 && replies == count ? 0 : 1;
}
