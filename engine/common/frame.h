/* Building the frames psp-engine and psp-client send: requests, replies and
 * ARP.  Pure functions over byte buffers (no mbufs), unit-tested. Addresses
 * are in host byte order; the wire payload is written little-endian.
 */
#ifndef PSP_ENGINE_FRAME_H
#define PSP_ENGINE_FRAME_H

#include <stdint.h>

#include "wire.h"

struct frame_ends {
	uint8_t src_mac[6], dst_mac[6];
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port;
};

/* Writes Ethernet/IPv4/UDP/payload into buf (at least PSP_ETH_MIN_BYTES),
 * with a correct IPv4 checksum and a correct UDP checksum, zero-padded to
 * the Ethernet minimum.  Returns the frame length (PSP_ETH_MIN_BYTES). */
uint32_t frame_build_udp(uint8_t *buf, const struct frame_ends *e,
			 const struct psp_wire_req *payload);

/* The ARP reply to a request from (sha, spa) for our (mac, ip).  buf holds at
 * least PSP_ETH_MIN_BYTES.  Returns the length. */
uint32_t frame_build_arp_reply(uint8_t *buf, const uint8_t mac[6], uint32_t ip,
			       const uint8_t sha[6], uint32_t spa);

/* A broadcast ARP request from (mac, ip) asking for tpa. */
uint32_t frame_build_arp_request(uint8_t *buf, const uint8_t mac[6], uint32_t ip,
				 uint32_t tpa);

#endif
