/* Port set-up; see port.h. */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_errno.h>

#include "port.h"
#include "yconf.h"

/* The device name of a port spec: a vdev string "net_memif0,role=..." names
 * "net_memif0"; a PCI address names itself. */
static void port_dev_name(const char *spec, char *name, size_t cap)
{
	size_t n = strcspn(spec, ",");
	if (n >= cap)
		n = cap - 1;
	memcpy(name, spec, n);
	name[n] = '\0';
}

int port_lookup(const char *spec, uint16_t *port_id, struct psp_err *err)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	port_dev_name(spec, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	return psp_err_set(err, -ENODEV, NULL, "port",
			   "no DPDK port named \"%s\" (from \"%s\"); %u port(s) exist",
			   name, spec, rte_eth_dev_count_avail());
}

int port_start(uint16_t port_id, struct port_setup *ps,
	       struct rte_ether_addr *mac, struct psp_err *err)
{
	struct rte_eth_dev_info info;
	int rc = rte_eth_dev_info_get(port_id, &info);
	if (rc < 0)
		return psp_err_set(err, rc, NULL, "port", "rte_eth_dev_info_get: %s",
				   rte_strerror(-rc));
	/* Devices whose kernel side spreads received frames over all their
	 * queues: net_tap (which also refuses unequal counts), net_af_packet
	 * (its sockets share one fanout group) and net_af_xdp (TX queue q also
	 * sends through RX queue q's socket).  A queue nobody reads would lose
	 * the frames the kernel gives it: open as many RX as TX queues, and the
	 * dispatcher polls them all. */
	static const char *const spread[] = {"net_tap", "net_af_packet", "net_af_xdp"};
	for (size_t i = 0; i < sizeof(spread) / sizeof(spread[0]); i++)
		if (!strcmp(info.driver_name, spread[i]) && ps->nb_rxq < ps->nb_txq)
			ps->nb_rxq = ps->nb_txq;
	if (ps->nb_rxq > info.max_rx_queues || ps->nb_txq > info.max_tx_queues)
		return psp_err_set(err, -EINVAL, NULL, "port",
				   "%s supports %u RX / %u TX queues; we need %u / %u "
				   "(one TX queue per worker plus one for the dispatcher)",
				   info.driver_name, info.max_rx_queues, info.max_tx_queues,
				   ps->nb_rxq, ps->nb_txq);
	struct rte_eth_conf conf;
	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(port_id, ps->nb_rxq, ps->nb_txq, &conf);
	if (rc < 0)
		return psp_err_set(err, rc, NULL, "port", "rte_eth_dev_configure: %s",
				   rte_strerror(-rc));
	uint16_t nrx = ps->rx_desc, ntx = ps->tx_desc;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &nrx, &ntx);
	if (rc < 0)
		return psp_err_set(err, rc, NULL, "port", "adjusting descriptors: %s",
				   rte_strerror(-rc));
	int socket = rte_eth_dev_socket_id(port_id);
	unsigned sock = socket < 0 ? 0 : (unsigned)socket;
	for (uint16_t q = 0; q < ps->nb_rxq; q++) {
		rc = rte_eth_rx_queue_setup(port_id, q, nrx, sock, NULL, ps->pool);
		if (rc < 0)
			return psp_err_set(err, rc, NULL, "port", "RX queue %u: %s", q,
					   rte_strerror(-rc));
	}
	for (uint16_t q = 0; q < ps->nb_txq; q++) {
		rc = rte_eth_tx_queue_setup(port_id, q, ntx, sock, NULL);
		if (rc < 0)
			return psp_err_set(err, rc, NULL, "port", "TX queue %u: %s", q,
					   rte_strerror(-rc));
	}
	rc = rte_eth_dev_start(port_id);
	if (rc < 0)
		return psp_err_set(err, rc, NULL, "port", "rte_eth_dev_start: %s",
				   rte_strerror(-rc));
	rc = rte_eth_macaddr_get(port_id, mac);
	if (rc < 0)
		return psp_err_set(err, rc, NULL, "port", "rte_eth_macaddr_get: %s",
				   rte_strerror(-rc));
	return 0;
}

int port_wait_link(uint16_t port_id, uint32_t timeout_ms)
{
	for (uint32_t waited = 0; waited <= timeout_ms; waited += 10) {
		struct rte_eth_link link;
		if (rte_eth_link_get_nowait(port_id, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_UP)
			return 0;
		usleep(10000);
	}
	return -ETIMEDOUT;
}

void port_close(uint16_t port_id)
{
	int rc = rte_eth_dev_stop(port_id);
	if (rc < 0)
		fprintf(stderr, "port %u: stop: %s\n", port_id, rte_strerror(-rc));
	rc = rte_eth_dev_close(port_id);
	if (rc < 0)
		fprintf(stderr, "port %u: close: %s\n", port_id, rte_strerror(-rc));
}

/* The value of key=... among the vdev arguments of spec, or NULL. */
static const char *vdev_arg(const char *spec, const char *key, char *buf, size_t cap)
{
	size_t klen = strlen(key);
	for (const char *p = strchr(spec, ','); p; p = strchr(p + 1, ',')) {
		if (strncmp(p + 1, key, klen) == 0 && p[1 + klen] == '=') {
			const char *v = p + 2 + klen;
			size_t n = strcspn(v, ",");
			if (n >= cap)
				n = cap - 1;
			memcpy(buf, v, n);
			buf[n] = '\0';
			return buf;
		}
	}
	return NULL;
}

/* Whether some process listens on the unix socket path, a file (file) or
 * a name in the abstract namespace (memif's default, socket-abstract=yes),
 * from the kernel's list (/proc/net/unix) rather than by connecting: DPDK's
 * memif server aborts on a control connection that closes before its hello
 * is answered. */
static bool listening(const char *path, bool file)
{
	FILE *f = fopen("/proc/net/unix", "r");
	if (!f)
		return true; /* cannot tell: do not claim it is missing */
	char line[512];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long flags;
		char p[300];
		/* Num RefCount Protocol Flags Type St Inode Path */
		found = sscanf(line, "%*s %*s %*s %lx %*s %*s %*s %299s", &flags, p) == 2 &&
			(flags & 0x10000) && /* __SO_ACCEPTCON: listening */
			(p[0] == '@') != file && !strcmp(p + !file, path);
	}
	fclose(f);
	return found;
}

bool port_memif_server_missing(const char *spec, char *sock, size_t cap)
{
	char role[16];
	if (strncmp(spec, "net_memif", 9) != 0 || !vdev_arg(spec, "role", role, sizeof(role)) ||
	    strcmp(role, "client") != 0)
		return false;
	if (!vdev_arg(spec, "socket", sock, cap))
		snprintf(sock, cap, "/run/memif.sock");
	char v[16];
	return !listening(sock, vdev_arg(spec, "socket-abstract", v, sizeof(v)) && !strcmp(v, "no"));
}

/* Whether spec is a memif port whose socket is a file (socket-abstract=no);
 * its socket path, %u and %p expanded (a %i left as it is), into sock. */
static bool memif_file_socket(const char *spec, char *sock, size_t cap)
{
	char v[16], raw[256];
	if (strncmp(spec, "net_memif", 9) != 0 || !vdev_arg(spec, "socket-abstract", v, sizeof(v)) ||
	    strcmp(v, "no") != 0)
		return false;
	if (!vdev_arg(spec, "socket", raw, sizeof(raw)))
		snprintf(raw, sizeof(raw), "/run/memif.sock");
	if (yconf_expand(raw, "%i", sock, cap) < 0)
		snprintf(sock, cap, "%s", raw);
	return true;
}

int port_memif_socket_dir(const char *spec, bool server, struct psp_err *err)
{
	char sock[256];
	if (!memif_file_socket(spec, sock, sizeof(sock)))
		return 0;
	char *slash = strrchr(sock, '/');
	if (!slash || slash == sock)
		return psp_err_set(err, -EINVAL, NULL, "port",
				   "memif socket %s with socket-abstract=no must be in a directory "
				   "of its own (/tmp/psp-memif-%%u/%%i.sock)", sock);
	*slash = '\0';
	struct stat sb;
	if (server && mkdir(sock, 0700) < 0 && errno != EEXIST)
		return psp_err_set(err, -errno, NULL, "port", "cannot create the memif socket "
				   "directory %s: %s", sock, strerror(errno));
	if (lstat(sock, &sb) < 0) {
		if (server)
			return psp_err_set(err, -errno, NULL, "port", "memif socket directory %s: %s",
					   sock, strerror(errno));
		/* No directory, so no server (memif itself would only say
		 * "Invalid socket directory"). */
		*slash = '/';
		char *i = strstr(sock, "%i");
		if (i)
			memmove(i + 1, i + 2, strlen(i + 2) + 1), *i = '*';
		return psp_err_set(err, -ENOENT, NULL, "port", "no memif server listens on %s: start "
				   "psp-engine (with a port.vdev on the same socket) first", sock);
	}
	if (!S_ISDIR(sb.st_mode) || sb.st_uid != getuid() || (sb.st_mode & 077))
		return psp_err_set(err, -EPERM, NULL, "port",
				   "memif socket directory %s is not private (%s, owner uid %lu, "
				   "mode %03o; needed: a directory of uid %lu, mode 0700): another "
				   "user could listen or connect in it; remove it or use another",
				   sock, S_ISDIR(sb.st_mode) ? "a directory" : "not a directory",
				   (unsigned long)sb.st_uid, (unsigned)(sb.st_mode & 0777),
				   (unsigned long)getuid());
	if (!server)
		return 0;
	/* A socket file left by a server that died (SIGKILL): memif would
	 * say "Address already in use".  Removed when nobody answers on it. */
	*slash = '/';
	if (lstat(sock, &sb) == 0 && S_ISSOCK(sb.st_mode) && !listening(sock, true))
		unlink(sock);
	return 0;
}

int port_memif_instances(const char *spec, char (*found)[PORT_INSTANCE_MAX + 1], int cap,
			 char *pattern, size_t pcap)
{
	char raw[256], sock[256];
	const char *at;
	/* %u and %p expanded, %i kept: the instance is what is looked for. */
	if (!vdev_arg(spec, "socket", raw, sizeof(raw)) || yconf_expand(raw, "%i", sock, sizeof(sock)) < 0 ||
	    !(at = strstr(sock, "%i")) || strchr(sock, '%') != at || strchr(at + 2, '%'))
		return -EINVAL;
	char v[16];
	bool file = vdev_arg(spec, "socket-abstract", v, sizeof(v)) && !strcmp(v, "no");
	size_t pre = (size_t)(at - sock), suf = strlen(at + 2);
	snprintf(pattern, pcap, "%.*s*%s", (int)pre, sock, at + 2);
	/* DPDK's memif listens in the abstract namespace by default
	 * (socket-abstract=yes): no file to look for, but the kernel lists
	 * every listening unix socket, abstract ones with a leading '@'.  Only
	 * sockets of the kind the port uses are taken (a file socket's
	 * directory was checked private by port_memif_socket_dir). */
	FILE *f = fopen("/proc/net/unix", "r");
	if (!f)
		return 0;
	char line[512];
	int n = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long flags;
		char path[300];
		/* Num RefCount Protocol Flags Type St Inode Path */
		if (sscanf(line, "%*s %*s %*s %lx %*s %*s %*s %299s", &flags, path) != 2 ||
		    !(flags & 0x10000)) /* __SO_ACCEPTCON: listening */
			continue;
		if ((path[0] == '@') == file)
			continue;
		const char *p = path[0] == '@' ? path + 1 : path;
		size_t plen = strlen(p);
		if (plen <= pre + suf || strncmp(p, sock, pre) || strcmp(p + plen - suf, at + 2))
			continue;
		size_t len = plen - pre - suf;
		bool ok = len <= PORT_INSTANCE_MAX;
		for (size_t j = 0; ok && j < len; j++)
			ok = isalnum((unsigned char)p[pre + j]) || p[pre + j] == '-' ||
			     p[pre + j] == '_';
		if (!ok)
			continue;
		if (n < cap)
			snprintf(found[n], PORT_INSTANCE_MAX + 1, "%.*s", (int)len, p + pre);
		n++;
	}
	fclose(f);
	return n;
}
