/* The Perséphone PSP_MB wire format (docs/engine.md, "Wire format", has the
 * byte layout) and the frame layout both psp-engine and psp-client use: Ethernet II / IPv4 / UDP / a
 * 16-byte payload of little-endian u32.  The reply echoes the first 12 bytes
 * (req_id, type, reqsize), all that Perséphone's clients read; it is 16 bytes
 * too, so that a client which checks the length of a reply against the
 * request's sees the same size.  psp-engine writes into the reply's 4th word
 * (run_ns) the service time its worker measured for the request, in ns (1 to
 * 2^32 - 1, saturated), or PSP_WIRE_RUN_FAILED when the application could not
 * serve it; psp-client's slowdowns divide by it.
 */
#ifndef PSP_ENGINE_WIRE_H
#define PSP_ENGINE_WIRE_H

#include <stdint.h>

struct psp_wire_req {
	uint32_t req_id;
	uint32_t type;    /* 0 = unknown; see the config's types[].wire_id */
	uint32_t reqsize; /* 4 in the artifact; carried, not interpreted */
	uint32_t run_ns;  /* service time the worker should spin for */
} __attribute__((packed));

_Static_assert(sizeof(struct psp_wire_req) == 16, "wire payload is 16 bytes");

/* A reply's run_ns: the application failed the request (a read error). */
#define PSP_WIRE_RUN_FAILED 0u

#define PSP_WIRE_PAYLOAD_BYTES 16u
#define PSP_WIRE_ECHO_BYTES 12u
#define PSP_WIRE_REQSIZE 4u
#define PSP_DEFAULT_UDP_PORT 6789u

#define PSP_ETH_HDR_BYTES 14u
#define PSP_IPV4_HDR_BYTES 20u
#define PSP_UDP_HDR_BYTES 8u
/* Offset of the payload in a frame we build (no IP options). */
#define PSP_PAYLOAD_OFFSET (PSP_ETH_HDR_BYTES + PSP_IPV4_HDR_BYTES + PSP_UDP_HDR_BYTES)
#define PSP_FRAME_BYTES (PSP_PAYLOAD_OFFSET + PSP_WIRE_PAYLOAD_BYTES) /* 58 */
/* Ethernet minimum without FCS: frames we build are zero-padded to it. */
#define PSP_ETH_MIN_BYTES 60u

#define PSP_ETHERTYPE_IPV4 0x0800u
#define PSP_ETHERTYPE_ARP 0x0806u
#define PSP_IPPROTO_UDP 17u

#endif
