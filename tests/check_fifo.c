/* The intrusive request FIFO of req.h, and the core's set of FIFOs with
 * its non-empty mask (fifo_set.h). */

/* The FIFO is static inline: with NDEBUG off here its PSP_ASSERTs are live
 * in this file whatever the build type, so the double-push test always runs. */
#undef NDEBUG

#include <check.h>
#include <signal.h>
#include <string.h>

#include <psp/req.h>

#include "fifo_set.h"

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

/* Pushes and pops at random indices, the highest (63) included, against
 * an array model: after every step bit i of the mask is set exactly when
 * FIFO i holds a request, first() is the lowest such i, and each FIFO
 * gives its requests back in push order.  A pop that forgot to clear the
 * bit, or a push at index 63 shifted as a 32-bit int, fails here. */
START_TEST(test_set_against_model)
{
	static struct psp_req pool[256];
	static struct psp_fifo_set set;
	unsigned model[PSP_FIFO_SET_MAX][256], head[PSP_FIFO_SET_MAX] = {0},
		tail[PSP_FIFO_SET_MAX] = {0};
	unsigned free_ids[256], nfree = 256;
	memset(pool, 0, sizeof(pool));
	for (unsigned i = 0; i < 256; i++) {
		pool[i].id = i;
		free_ids[i] = 255 - i;
	}
	psp_fifo_set_init(&set);
	ck_assert_uint_eq(set.nonempty, 0);

	uint64_t x = 88172645463325252ull; /* xorshift64: a fixed sequence */
	for (unsigned step = 0; step < 5000; step++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		/* Indices 0..7 and 56..63: both ends of the mask, often shared. */
		unsigned i = (unsigned)(x >> 8) % 16;
		i = i < 8 ? i : i + 48;
		bool push = nfree > 0 && ((x >> 32) % 3 != 0 || head[i] == tail[i]);
		if (push) {
			unsigned id = free_ids[--nfree];
			psp_fifo_set_push(&set, i, &pool[id]);
			model[i][tail[i]++ % 256] = id;
		} else if (head[i] == tail[i]) {
			ck_assert_ptr_null(psp_fifo_set_pop(&set, i));
		} else {
			ck_assert_ptr_eq(psp_fifo_set_peek(&set, i), &pool[model[i][head[i] % 256]]);
			struct psp_req *r = psp_fifo_set_pop(&set, i);
			ck_assert_ptr_nonnull(r);
			ck_assert_uint_eq(r->id, model[i][head[i]++ % 256]);
			free_ids[nfree++] = (unsigned)r->id;
		}
		uint64_t want = 0;
		bool agree = true;
		for (unsigned k = 0; k < PSP_FIFO_SET_MAX; k++) {
			if (tail[k] != head[k])
				want |= 1ull << k;
			agree &= psp_fifo_set_len(&set, k) == tail[k] - head[k] &&
				 psp_fifo_set_holds(&set, k) == (tail[k] != head[k]);
		}
		ck_assert_msg(agree, "step %u: a length or holds() disagrees with the model", step);
		ck_assert_uint_eq(set.nonempty, want);
		if (want)
			ck_assert_uint_eq(psp_fifo_set_first(&set), (unsigned)__builtin_ctzll(want));
	}
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
	tcase_add_test(tc, test_set_against_model);
	tcase_add_test_raise_signal(tc, test_double_push_aborts, SIGABRT);
	suite_add_tcase(s, tc);
	return s;
}
