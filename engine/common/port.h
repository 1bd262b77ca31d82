/* Port set-up shared by psp-engine and psp-client, after DPDK's
 * examples/skeleton port_init: each step's negative errno goes up to main,
 * which prints rte_strerror(-ret).
 */
#ifndef PSP_ENGINE_PORT_H
#define PSP_ENGINE_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

#include <psp/err.h>

struct port_setup {
	uint16_t nb_rxq, nb_txq;
	uint16_t rx_desc, tx_desc;
	struct rte_mempool *pool;
};


/* Finds the port DPDK created for spec.  Returns 0 or -ENODEV with err. */
int port_lookup(const char *spec, uint16_t *port_id, struct psp_err *err);

/* Configures and starts the port with the queues asked for.  A PMD that
 * needs as many RX as TX queues (net_tap) gets nb_rxq raised to nb_txq: the
 * caller must then poll every RX queue (ps->nb_rxq is updated).  Returns 0 or
 * a negative errno with err naming the step (err->key "port"). */
int port_start(uint16_t port_id, struct port_setup *ps,
	       struct rte_ether_addr *mac, struct psp_err *err);

/* Waits up to timeout_ms for the link to come up.  Returns 0 or -ETIMEDOUT. */
int port_wait_link(uint16_t port_id, uint32_t timeout_ms);

/* For a memif port in the client role (spec "net_memif...,role=client,...")
 * whose server socket (socket=PATH, DPDK's default /run/memif.sock) has
 * nobody listening: writes PATH into sock and returns true.  Why the port
 * would not start (rte_eth_dev_start says only "Operation not permitted"). */
bool port_memif_server_missing(const char *spec, char *sock, size_t cap);

/* The instances of the psp-engines listening on a memif socket pattern:
 * spec's socket=PATH holds one %i (and, once %u and %p are expanded, no
 * other '%').  Writes PATH with %i as '*' into pattern, the first cap
 * instances found into found, and returns how many listen (from
 * /proc/net/unix: file sockets with socket-abstract=no, else abstract ones);
 * -EINVAL when PATH has no single %i. */
#define PORT_INSTANCE_MAX 32u
int port_memif_instances(const char *spec, char (*found)[PORT_INSTANCE_MAX + 1], int cap,
			 char *pattern, size_t pcap);

/* A memif port whose socket is a file (socket-abstract=no): its directory
 * must be the user's own, mode 0700, so that no other local user can listen
 * on (squat) or connect to a socket in it, which abstract sockets allow
 * (docs/engine.md, "Who can reach the engine").  server (psp-engine):
 * creates the directory when missing and removes a socket file nobody
 * listens on (left by a server that was killed).  For a client a missing
 * directory is -ENOENT: no server listens.  Returns 0 (also for other
 * ports) or a negative errno with err (key "port"). */
int port_memif_socket_dir(const char *spec, bool server, struct psp_err *err);

/* Stops and closes the port; errors are only reported (nothing to undo). */
void port_close(uint16_t port_id);

#endif
