/* The intrusive request FIFO of req.h. */

/* The FIFO is static inline: with NDEBUG off here its PSP_ASSERTs are live
 * in this file whatever the build type, so the double-push test always runs. */
#undef NDEBUG

#include <check.h>
#include <signal.h>
#include <string.h>

#include <psp/req.h>

Suite *psp_fifo_suite(void);

static struct psp_req reqs[8];

static void setup(void)
{
	memset(reqs, 0, sizeof(reqs));
	for (unsigned i = 0; i < 8; i++)
		reqs[i].id = i;
}

START_TEST(test_empty)
{
	struct psp_fifo q;
	psp_fifo_init(&q);
	ck_assert(psp_fifo_empty(&q));
	ck_assert_uint_eq(q.len, 0);
	ck_assert_ptr_null(psp_fifo_peek(&q));
	ck_assert_ptr_null(psp_fifo_pop(&q));
	/* popping an empty queue leaves it intact */
	ck_assert(q.head.next == &q.head && q.head.prev == &q.head);
}
END_TEST

START_TEST(test_order)
{
	struct psp_fifo q;
	psp_fifo_init(&q);
	for (unsigned i = 0; i < 8; i++) {
		psp_fifo_push(&q, &reqs[i]);
		ck_assert_uint_eq(q.len, i + 1);
		ck_assert_ptr_eq(psp_fifo_peek(&q), &reqs[0]);
	}
	ck_assert(!psp_fifo_empty(&q));
	for (unsigned i = 0; i < 8; i++) {
		struct psp_req *r = psp_fifo_pop(&q);
		ck_assert_ptr_eq(r, &reqs[i]);
		ck_assert_uint_eq(q.len, 7 - i);
		/* a popped request is marked "not queued" */
		ck_assert_ptr_null(r->link.next);
		ck_assert_ptr_null(r->link.prev);
	}
	ck_assert(psp_fifo_empty(&q));
	ck_assert(q.head.next == &q.head && q.head.prev == &q.head);
}
END_TEST

START_TEST(test_peek_keeps)
{
	struct psp_fifo q;
	psp_fifo_init(&q);
	psp_fifo_push(&q, &reqs[3]);
	psp_fifo_push(&q, &reqs[5]);
	ck_assert_ptr_eq(psp_fifo_peek(&q), &reqs[3]);
	ck_assert_ptr_eq(psp_fifo_peek(&q), &reqs[3]);
	ck_assert_uint_eq(q.len, 2);
	ck_assert_ptr_nonnull(reqs[3].link.next);
}
END_TEST

/* Pushes and pops interleaved, and a popped request re-queued at the tail
 * (what a preempted request does), against an array model. */
START_TEST(test_interleaved_requeue)
{
	struct psp_fifo q;
	psp_fifo_init(&q);
	unsigned model[64], head = 0, tail = 0, next = 0;
	static const char ops[] = "PPPoPPoRooPPPPoooRPRoRooo";
	for (const char *op = ops; *op; op++) {
		if (*op == 'P') {
			psp_fifo_push(&q, &reqs[next % 8]);
			model[tail++] = next++ % 8;
		} else if (*op == 'R') { /* pop the head and push it back */
			struct psp_req *r = psp_fifo_pop(&q);
			ck_assert_ptr_nonnull(r);
			ck_assert_uint_eq(r->id, model[head++]);
			psp_fifo_push(&q, r);
			model[tail++] = (unsigned)r->id;
		} else {
			struct psp_req *r = psp_fifo_pop(&q);
			if (head == tail) {
				ck_assert_ptr_null(r);
				continue;
			}
			ck_assert_ptr_nonnull(r);
			ck_assert_uint_eq(r->id, model[head++]);
		}
		ck_assert_uint_eq(q.len, tail - head);
	}
	ck_assert_uint_eq(q.len, 0);
}
END_TEST

/* Two queues share no state: a request moves from one to the other. */
START_TEST(test_two_queues)
{
	struct psp_fifo a, b;
	psp_fifo_init(&a);
	psp_fifo_init(&b);
	psp_fifo_push(&a, &reqs[0]);
	psp_fifo_push(&a, &reqs[1]);
	psp_fifo_push(&b, &reqs[2]);
	psp_fifo_push(&b, psp_fifo_pop(&a));
	ck_assert_uint_eq(a.len, 1);
	ck_assert_uint_eq(b.len, 2);
	ck_assert_ptr_eq(psp_fifo_pop(&b), &reqs[2]);
	ck_assert_ptr_eq(psp_fifo_pop(&b), &reqs[0]);
	ck_assert_ptr_eq(psp_fifo_pop(&a), &reqs[1]);
}
END_TEST

START_TEST(test_container_of)
{
	struct psp_req *r = &reqs[4];
	ck_assert_ptr_eq(psp_container_of(&r->link, struct psp_req, link), r);
}
END_TEST

/* A request already on a queue cannot be pushed again. */
START_TEST(test_double_push_aborts)
{
	struct psp_fifo q;
	psp_fifo_init(&q);
	psp_fifo_push(&q, &reqs[0]);
	psp_fifo_push(&q, &reqs[0]);
}
END_TEST

Suite *psp_fifo_suite(void)
{
	Suite *s = suite_create("fifo");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_order);
	tcase_add_test(tc, test_peek_keeps);
	tcase_add_test(tc, test_interleaved_requeue);
	tcase_add_test(tc, test_two_queues);
	tcase_add_test(tc, test_container_of);
	tcase_add_test_raise_signal(tc, test_double_push_aborts, SIGABRT);
	suite_add_tcase(s, tc);
	return s;
}
