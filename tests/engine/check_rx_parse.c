/* Check suite: frame classification (rx_parse) and frame building (frame.c):
 * every rejection reason, ARP, and the checksums of what we build. */
#include <check.h>
#include <string.h>

#include "common/frame.h"
#include "common/rx_parse.h"

Suite *psp_engine_rx_parse_suite(void);

static const uint8_t SRV_MAC[6] = {2, 0, 0, 0, 0, 2};
static const uint8_t CLI_MAC[6] = {2, 0, 0, 0, 0, 1};
#define SRV_IP 0xc6120002u /* 198.18.0.2 */
#define CLI_IP 0xc6120001u

static const struct rx_filter FILTER = {.mac = {2, 0, 0, 0, 0, 2}, .ip = SRV_IP,
					.udp_port = 6789};

/* A valid request frame from the client to the server. */
static uint32_t good_request(uint8_t *buf, uint32_t type)
{
	struct frame_ends e = {.src_ip = CLI_IP, .dst_ip = SRV_IP, .src_port = 5000,
			       .dst_port = 6789};
	memcpy(e.src_mac, CLI_MAC, 6);
	memcpy(e.dst_mac, SRV_MAC, 6);
	struct psp_wire_req r = {.req_id = 77, .type = type, .reqsize = 4, .run_ns = 1000};
	return frame_build_udp(buf, &e, &r);
}

static void fix_ip_cksum(uint8_t *buf)
{
	uint8_t *ip = buf + 14;
	uint32_t ihl = (ip[0] & 15u) * 4u;
	ip[10] = ip[11] = 0;
	uint16_t c = rx_ipv4_hdr_cksum(ip, ihl);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

START_TEST(valid_request)
{
	uint8_t buf[128];
	uint32_t len = good_request(buf, 2);
	struct rx_parsed p;
	ck_assert_int_eq(rx_parse(buf, len, &FILTER, &p), RX_REQUEST);
	ck_assert_uint_eq(p.req.req_id, 77);
	ck_assert_uint_eq(p.req.type, 2);
	ck_assert_uint_eq(p.req.reqsize, 4);
	ck_assert_uint_eq(p.req.run_ns, 1000);
	ck_assert_uint_eq(p.src_ip, CLI_IP);
	ck_assert_uint_eq(p.src_port, 5000);
	ck_assert_mem_eq(p.src_mac, CLI_MAC, 6);
	/* Payload is little-endian on the wire. */
	ck_assert_uint_eq(buf[PSP_PAYLOAD_OFFSET], 77);
	ck_assert_uint_eq(buf[PSP_PAYLOAD_OFFSET + 1], 0);
}
END_TEST

START_TEST(built_checksums_verify)
{
	uint8_t buf[128];
	good_request(buf, 1);
	ck_assert_uint_eq(rx_ipv4_hdr_cksum(buf + 14, 20), 0); /* sums to 0xffff */
	/* UDP: the ones' complement sum over pseudo-header + datagram is 0xffff. */
	const uint8_t *ip = buf + 14, *udp = buf + 34;
	uint32_t len = (uint32_t)((udp[4] << 8) | udp[5]);
	uint32_t sum = 0;
	for (int i = 12; i < 20; i += 2)
		sum += (uint32_t)((ip[i] << 8) | ip[i + 1]);
	sum += 17 + len;
	for (uint32_t i = 0; i < len; i += 2)
		sum += (uint32_t)((udp[i] << 8) | (i + 1 < len ? udp[i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ck_assert_uint_eq(sum, 0xffff);
	ck_assert_uint_ne((udp[6] << 8) | udp[7], 0);
}
END_TEST

START_TEST(runt)
{
	uint8_t buf[128];
	uint32_t len = good_request(buf, 1);
	struct rx_parsed p;
	ck_assert_int_eq(rx_parse(buf, 10, &FILTER, &p), RX_RUNT);
	ck_assert_int_eq(rx_parse(buf, 14 + 20 + 4, &FILTER, &p), RX_RUNT);
	ck_assert_int_eq(rx_parse(buf, 0, &FILTER, &p), RX_RUNT);
	(void)len;
}
END_TEST

START_TEST(bad_ether)
{
	uint8_t buf[128];
	uint32_t len = good_request(buf, 1);
	struct rx_parsed p;
	buf[12] = 0x86;
	buf[13] = 0xdd; /* IPv6 */
	ck_assert_int_eq(rx_parse(buf, len, &FILTER, &p), RX_BAD_ETHER);
	buf[12] = 0x81;
	buf[13] = 0x00; /* VLAN */
	ck_assert_int_eq(rx_parse(buf, len, &FILTER, &p), RX_BAD_ETHER);
}
END_TEST

START_TEST(bad_ip)
{
	uint8_t buf[128];
	uint32_t len = good_request(buf, 1);
	struct rx_parsed p;
	buf[14] = 0x44; /* IHL 4: shorter than the fixed header */
	fix_ip_cksum(buf);
	ck_assert_int_eq(rx_parse(buf, len, &FILTER, &p), RX_BAD_IP);
	len = good_request(buf, 1);
	buf[14] = 0x65; /* version 6 */
	ck_assert_int_eq(rx_parse(buf, len, &FILTER, &p), RX_BAD_IP);
	len = good_request(buf, 1);
	buf[16] = 0x10; /* total length 4096 > frame */
	fix_ip_cksum(buf);
	ck_assert_int_eq(rx_parse(buf, len, &FILTER, &p), RX_BAD_IP);
	len = good_request(buf, 1);
	buf[20] = 0x20; /* MF: a fragment */
	fix_ip_cksum(buf);
	ck_assert_int_eq(rx_parse(buf, len, &FILTER, &p), RX_BAD_IP);
	len = good_request(buf, 1);
	buf[24] ^= 0xff; /* checksum broken */
	ck_assert_int_eq(rx_parse(buf, len, &FILTER, &p), RX_BAD_IP);
}
END_TEST

START_TEST(not_udp_port_payload)
{
	uint8_t buf[128];
	uint32_t len = good_request(buf, 1);
	struct rx_parsed p;
	buf[14 + 9] = 6; /* TCP */
	fix_ip_cksum(buf);
	ck_assert_int_eq(rx_parse(buf, len, &FILTER, &p), RX_NOT_UDP);
	len = good_request(buf, 1);
	buf[34 + 3] = 0x86; /* port 6790 */
	ck_assert_int_eq(rx_parse(buf, len, &FILTER, &p), RX_BAD_PORT);
	len = good_request(buf, 1);
	/* UDP length 8 + 8: a payload of 8 bytes */
	buf[34 + 5] = 16;
	buf[14 + 3] = 20 + 16;
	fix_ip_cksum(buf);
	ck_assert_int_eq(rx_parse(buf, len, &FILTER, &p), RX_SHORT_PAYLOAD);
}
END_TEST

START_TEST(not_ours)
{
	uint8_t buf[128];
	uint32_t len = good_request(buf, 1);
	struct rx_parsed p;
	buf[14 + 19] = 9; /* 198.18.0.9 */
	fix_ip_cksum(buf);
	ck_assert_int_eq(rx_parse(buf, len, &FILTER, &p), RX_NOT_OURS);
	len = good_request(buf, 1);
	buf[5] = 9; /* another MAC */
	ck_assert_int_eq(rx_parse(buf, len, &FILTER, &p), RX_NOT_OURS);
}
END_TEST

START_TEST(ip_options_and_padding)
{
	/* IHL 6 (4 bytes of options) and Ethernet padding after the datagram. */
	uint8_t buf[128], tmp[128];
	uint32_t len = good_request(tmp, 3);
	memcpy(buf, tmp, 34);
	memset(buf + 34, 0, 4);
	memcpy(buf + 38, tmp + 34, len - 34);
	buf[14] = 0x46;
	buf[14 + 3] = 20 + 4 + 8 + 16;
	fix_ip_cksum(buf);
	struct rx_parsed p;
	ck_assert_int_eq(rx_parse(buf, len + 4, &FILTER, &p), RX_REQUEST);
	ck_assert_uint_eq(p.req.type, 3);
}
END_TEST

START_TEST(arp)
{
	uint8_t buf[128];
	struct rx_parsed p;
	uint32_t len = frame_build_arp_request(buf, CLI_MAC, CLI_IP, SRV_IP);
	ck_assert_int_eq(rx_parse(buf, len, &FILTER, &p), RX_ARP_REQUEST);
	ck_assert_mem_eq(p.arp_sha, CLI_MAC, 6);
	ck_assert_uint_eq(p.arp_spa, CLI_IP);
	/* Our reply, as the client sees it. */
	len = frame_build_arp_reply(buf, SRV_MAC, SRV_IP, CLI_MAC, CLI_IP);
	struct rx_filter cf = {.mac = {2, 0, 0, 0, 0, 1}, .ip = CLI_IP, .udp_port = 5000};
	ck_assert_int_eq(rx_parse(buf, len, &cf, &p), RX_ARP_REPLY);
	ck_assert_mem_eq(p.arp_sha, SRV_MAC, 6);
	ck_assert_uint_eq(p.arp_spa, SRV_IP);
	ck_assert_mem_eq(buf, CLI_MAC, 6); /* unicast back */
	/* A request for someone else. */
	len = frame_build_arp_request(buf, CLI_MAC, CLI_IP, SRV_IP + 5);
	ck_assert_int_eq(rx_parse(buf, len, &FILTER, &p), RX_ARP_OTHER);
	ck_assert_int_eq(rx_parse(buf, 20, &FILTER, &p), RX_RUNT);
}
END_TEST

START_TEST(verdict_names)
{
	for (int v = 0; v < RX_NVERDICTS; v++)
		ck_assert_ptr_nonnull(rx_verdict_name((enum rx_verdict)v));
	ck_assert_str_eq(rx_verdict_name(RX_SHORT_PAYLOAD), "short_payload");
}
END_TEST

Suite *psp_engine_rx_parse_suite(void)
{
	Suite *s = suite_create("engine_rx_parse");
	TCase *tc = tcase_create("rx_parse");
	tcase_add_test(tc, valid_request);
	tcase_add_test(tc, built_checksums_verify);
	tcase_add_test(tc, runt);
	tcase_add_test(tc, bad_ether);
	tcase_add_test(tc, bad_ip);
	tcase_add_test(tc, not_udp_port_payload);
	tcase_add_test(tc, not_ours);
	tcase_add_test(tc, ip_options_and_padding);
	tcase_add_test(tc, arp);
	tcase_add_test(tc, verdict_names);
	suite_add_tcase(s, tc);
	return s;
}
