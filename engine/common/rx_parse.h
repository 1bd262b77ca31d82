/* Classification of one received frame: the validation the paper's artifact
 * lacked (it took any frame, ARP included, for a request).  A pure function over bytes so that it
 * is unit-tested without DPDK; the dispatcher and the client call it on the
 * first segment of each mbuf.
 */
#ifndef PSP_ENGINE_RX_PARSE_H
#define PSP_ENGINE_RX_PARSE_H

#include <stdint.h>

#include "wire.h"

/* Every outcome has its own counter.  Keep rx_verdict_name in step. */
enum rx_verdict {
	RX_REQUEST = 0,     /* a PSP_MB datagram for us: fields in out */
	RX_ARP_REQUEST,     /* an ARP request for our address: answer it */
	RX_ARP_REPLY,       /* an ARP reply (the client learns the server's MAC) */
	RX_ARP_OTHER,       /* ARP not for us, or malformed */
	RX_RUNT,            /* shorter than its headers need */
	RX_BAD_ETHER,       /* ethertype neither IPv4 nor ARP (VLAN, IPv6, ...) */
	RX_BAD_IP,          /* IPv4 version, IHL, lengths, fragments */
	RX_NOT_OURS,        /* destination MAC or IPv4 address is not ours */
	RX_NOT_UDP,         /* IPv4 protocol other than UDP */
	RX_BAD_PORT,        /* UDP destination port not ours */
	RX_SHORT_PAYLOAD,   /* UDP payload shorter than 16 bytes */
	RX_NVERDICTS,
};

const char *rx_verdict_name(enum rx_verdict v);

/* What the receiver accepts. Addresses in host byte order. */
struct rx_filter {
	uint8_t mac[6];
	uint32_t ip;
	uint16_t udp_port;
};

struct rx_parsed {
	uint8_t src_mac[6];
	uint32_t src_ip;   /* host order */
	uint16_t src_port; /* host order */
	struct psp_wire_req req; /* host order (converted from little-endian) */
	/* ARP: sender's addresses */
	uint8_t arp_sha[6];
	uint32_t arp_spa;
};

/* Classifies frame[0..len).  On RX_REQUEST, RX_ARP_REQUEST and RX_ARP_REPLY
 * fills out.  Cannot fail otherwise; reads only within len. */
enum rx_verdict rx_parse(const uint8_t *frame, uint32_t len,
			 const struct rx_filter *f, struct rx_parsed *out);

/* The 16-bit ones' complement sum used by IPv4 and UDP checksums. */
uint16_t rx_ipv4_hdr_cksum(const uint8_t *ip, uint32_t hdr_bytes);

#endif
