/* A PSP_MB client no DPDK code touches: plain Linux UDP sockets, for the tap
 * tests.  Sends COUNT requests to SERVER:PORT at RATE per second, cycling
 * through the given wire type ids, and waits for every reply; the kernel
 * resolves the server's MAC by ARP.
 *
 *   psp_udp_client SERVER_IP PORT COUNT [RATE] [TYPES] [RUN_NS] [TIMEOUT_MS]
 *   e.g. psp_udp_client 198.18.0.2 6789 1000 500 1,2 1000
 * Exit: 0 every request answered correctly; 1 otherwise; 2 usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: psp_udp_client SERVER_IP PORT COUNT [RATE] [TYPES] "
				"[RUN_NS] [TIMEOUT_MS]\n");
		return 2;
	}
	struct sockaddr_in srv = {.sin_family = AF_INET,
				  .sin_port = htons((uint16_t)atoi(argv[2]))};
	if (inet_pton(AF_INET, argv[1], &srv.sin_addr) != 1) {
		fprintf(stderr, "psp_udp_client: bad address %s\n", argv[1]);
		return 2;
	}
	uint32_t count = (uint32_t)strtoul(argv[3], NULL, 10);
	double rate = argc > 4 ? strtod(argv[4], NULL) : 500;
	uint32_t types[16], ntypes = 0;
	char *list = strdup(argc > 5 ? argv[5] : "1,2");
	for (char *tok = strtok(list, ","); tok && ntypes < 16; tok = strtok(NULL, ","))
		types[ntypes++] = (uint32_t)strtoul(tok, NULL, 10);
	free(list);
	uint32_t run_ns = argc > 6 ? (uint32_t)strtoul(argv[6], NULL, 10) : 1000;
	uint32_t timeout_ms = argc > 7 ? (uint32_t)strtoul(argv[7], NULL, 10) : 3000;
	if (count == 0 || ntypes == 0 || !(rate > 0)) {
		fprintf(stderr, "psp_udp_client: COUNT, RATE and TYPES must be positive\n");
		return 2;
	}
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&srv, sizeof(srv)) < 0) {
		perror("psp_udp_client: socket/connect");
		return 1;
	}
	uint8_t *answered = calloc(count, 1);
	if (!answered)
		return 1;
	uint32_t sent = 0, got = 0, bad = 0, dup = 0;
	uint64_t start = now_ns(), gap = (uint64_t)(1e9 / rate), deadline = 0;
	while (got < count) {
		uint64_t t = now_ns();
		if (sent < count && t >= start + sent * gap) {
			uint8_t req[16];
			put_le32(req, sent);
			put_le32(req + 4, types[sent % ntypes]);
			put_le32(req + 8, 4);
			put_le32(req + 12, run_ns);
			if (send(fd, req, sizeof(req), 0) == (ssize_t)sizeof(req))
				sent++;
			else if (errno != EAGAIN && errno != ENOBUFS && errno != ECONNREFUSED)
				perror("psp_udp_client: send");
			if (sent == count)
				deadline = now_ns() + (uint64_t)timeout_ms * 1000000ull;
			continue;
		}
		if (deadline && t > deadline)
			break;
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, 1) <= 0)
			continue;
		uint8_t rep[64];
		ssize_t n = recv(fd, rep, sizeof(rep), 0);
		if (n < 12) {
			bad += n >= 0;
			continue;
		}
		uint32_t id = get_le32(rep), type = get_le32(rep + 4);
		if (id >= sent || type != types[id % ntypes] || get_le32(rep + 8) != 4) {
			bad++;
		} else if (answered[id]) {
			dup++;
		} else {
			answered[id] = 1;
			got++;
		}
	}
	printf("udp_client: sent=%u answered=%u bad=%u duplicate=%u\n", sent, got, bad, dup);
	free(answered);
	close(fd);
	return sent == count && got == count && bad == 0 && dup == 0 ? 0 : 1;
}
