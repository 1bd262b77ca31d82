/* Check suite: psp-client's verdict (engine/client/verdict.c) on constructed
 * counts.  The verdict follows its definition: OVERLOADED when less than
 * 99.9% of the measured requests sent were answered within the window they
 * were sent in, and the rates it prints are over that one window, so that
 * they always agree with it. */
#include <check.h>
#include <math.h>

#include "client/verdict.h"

Suite *psp_engine_verdict_suite(void);

#define MS 1000000ull

/* 2000 rps for 6 s, the first 10% discarded: 10,800 measured requests sent
 * over the 5.4 s from 0.6 s to 6 s, every one answered. */
static struct cli_counts healthy(void)
{
	return (struct cli_counts){.sent = 10800, .answered = 10800, .answered_in_window = 10800,
				   .first_send_ns = 600 * MS, .last_send_ns = 5999 * MS,
				   .send_end_ns = 6000 * MS, .last_answer_ns = 5999 * MS + 20000};
}

/* Issue 21's case: every request answered, but the last reply came 6 ms
 * after the last send (the client or a worker descheduled for a few ms near
 * the end, on a machine the engine shares).  One late reply is one request
 * of 10,800, not the whole window stretched by 6 ms. */
START_TEST(one_late_reply_is_one_request)
{
	struct cli_counts c = healthy();
	c.answered_in_window = c.sent - 1;
	c.last_answer_ns = c.last_send_ns + 6 * MS;
	struct cli_verdict v;
	cli_verdict_compute(&c, &v);
	ck_assert_msg(v.kind == CLI_FINE, "every request answered, one late: judged %d, "
		      "offered %.1f achieved %.1f", v.kind, v.offered_rps, v.achieved_rps);
	ck_assert_double_eq_tol(v.offered_rps, 10800 / 5.4, 1e-6);
	ck_assert_double_eq_tol(v.achieved_rps, 10799 / 5.4, 1e-6);
}
END_TEST

/* Eleven replies after the window (0.1% is 10.8): overloaded. */
START_TEST(threshold)
{
	struct cli_counts c = healthy();
	struct cli_verdict v;
	c.answered_in_window = c.sent - 10;
	cli_verdict_compute(&c, &v);
	ck_assert_int_eq(v.kind, CLI_FINE);
	c.answered_in_window = c.sent - 11;
	cli_verdict_compute(&c, &v);
	ck_assert_int_eq(v.kind, CLI_OVERLOADED);
}
END_TEST

/* A server 5% too slow whose backlog drains within the timeout: every
 * request answered in the end, 5% of them after the window. */
START_TEST(drained_backlog_is_overloaded)
{
	struct cli_counts c = healthy();
	c.answered_in_window = c.sent * 95 / 100;
	c.last_answer_ns = c.send_end_ns + 270 * MS;
	struct cli_verdict v;
	cli_verdict_compute(&c, &v);
	ck_assert_int_eq(v.kind, CLI_OVERLOADED);
	ck_assert(v.achieved_rps < 0.999 * v.offered_rps);
}
END_TEST

/* Whatever the counts, the printed rates agree with the verdict:
 * OVERLOADED exactly when achieved < 99.9% of offered. */
START_TEST(rates_agree_with_the_verdict)
{
	for (uint64_t lost = 0; lost < 40; lost++)
		for (uint64_t late_ms = 0; late_ms < 30; late_ms += 3)
			for (uint64_t gap_ms = 0; gap_ms < 4; gap_ms++) {
				struct cli_counts c = healthy();
				c.last_send_ns = c.send_end_ns - gap_ms * MS;
				c.answered_in_window = c.sent - lost;
				c.last_answer_ns = c.last_send_ns + late_ms * MS;
				struct cli_verdict v;
				cli_verdict_compute(&c, &v);
				bool below = v.achieved_rps < 0.999 * v.offered_rps;
				ck_assert_msg((v.kind == CLI_OVERLOADED) == below,
					      "lost %llu late %llu ms gap %llu ms: verdict %d, "
					      "offered %.3f achieved %.3f",
					      (unsigned long long)lost, (unsigned long long)late_ms,
					      (unsigned long long)gap_ms, v.kind, v.offered_rps,
					      v.achieved_rps);
			}
}
END_TEST

/* Below 1000 measured requests 0.1% is less than one request: a single
 * reply in flight at the end would decide.  Not judged, and said so. */
START_TEST(too_few_requests_not_judged)
{
	struct cli_counts c = {.sent = 540, .answered = 540, .answered_in_window = 539,
			       .first_send_ns = 300 * MS, .last_send_ns = 2990 * MS,
			       .send_end_ns = 3000 * MS, .last_answer_ns = 3001 * MS};
	struct cli_verdict v;
	cli_verdict_compute(&c, &v);
	ck_assert_int_eq(v.kind, CLI_NOT_JUDGED);
	/* A clear loss is still a loss. */
	c.answered_in_window = c.answered = 400;
	cli_verdict_compute(&c, &v);
	ck_assert_int_eq(v.kind, CLI_OVERLOADED);
}
END_TEST

Suite *psp_engine_verdict_suite(void)
{
	Suite *s = suite_create("psp_client_verdict");
	TCase *tc = tcase_create("verdict");
	tcase_add_test(tc, one_late_reply_is_one_request);
	tcase_add_test(tc, threshold);
	tcase_add_test(tc, drained_backlog_is_overloaded);
	tcase_add_test(tc, rates_agree_with_the_verdict);
	tcase_add_test(tc, too_few_requests_not_judged);
	suite_add_tcase(s, tc);
	return s;
}
