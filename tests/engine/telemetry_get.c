/* Reads one DPDK telemetry command from a running DPDK process, like
 * usertools/dpdk-telemetry.py, and prints the JSON reply.
 *   psp_telemetry_get SOCKET_PATH COMMAND
 * SOCKET_PATH is <runtime dir>/dpdk_telemetry.v2, e.g.
 * /var/run/dpdk/<file-prefix>/dpdk_telemetry.v2 when run as root. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: psp_telemetry_get SOCKET_PATH COMMAND\n");
		return 2;
	}
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", argv[1]);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("psp_telemetry_get: connect");
		return 1;
	}
	static char buf[1 << 16];
	/* The server greets with its version and limits first. */
	if (recv(fd, buf, sizeof(buf) - 1, 0) <= 0) {
		perror("psp_telemetry_get: greeting");
		return 1;
	}
	if (send(fd, argv[2], strlen(argv[2]), 0) < 0) {
		perror("psp_telemetry_get: send");
		return 1;
	}
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0) {
		perror("psp_telemetry_get: reply");
		return 1;
	}
	buf[n] = '\0';
	printf("%s\n", buf);
	close(fd);
	return 0;
}
