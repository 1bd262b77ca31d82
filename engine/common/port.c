/* Port set-up; see port.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_errno.h>

#include "port.h"

void port_dev_name(const char *spec, char *name, size_t cap)
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
	/* net_tap refuses unequal queue counts (tap_dev_configure), and its
	 * kernel side spreads flows over all RX queues anyway. */
	if (!strcmp(info.driver_name, "net_tap") && ps->nb_rxq < ps->nb_txq)
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

bool port_memif_server_missing(const char *spec, char *sock, size_t cap)
{
	char role[16];
	if (strncmp(spec, "net_memif", 9) != 0 || !vdev_arg(spec, "role", role, sizeof(role)) ||
	    strcmp(role, "client") != 0)
		return false;
	if (!vdev_arg(spec, "socket", sock, cap))
		snprintf(sock, cap, "/run/memif.sock");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(sock) >= sizeof(sa.sun_path))
		return false;
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return false;
	bool missing = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0;
	close(fd);
	return missing;
}
