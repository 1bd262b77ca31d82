/* "Did you mean" (text/src/suggest.c): which typos find their word, which
 * words are too far to be offered, and the three ways candidates come in. */
#include <check.h>
#include <getopt.h>
#include <string.h>

#include <psp/suggest.h>

Suite *psp_suggest_suite(void);

static const char *const policies[] = {"cfcfs", "dfcfs", "darc", "ts", "sjf",
				       "jbsq", "ws", "tq", "concord"};
#define NPOL (sizeof(policies) / sizeof(policies[0]))

static void expect(const char *word, const char *want)
{
	const char *got = psp_suggest(word, policies, NPOL);
	if (!want)
		ck_assert_msg(got == NULL, "'%s' offered '%s'", word, got);
	else
		ck_assert_msg(got && !strcmp(got, want), "'%s' offered '%s', not '%s'", word,
			      got ? got : "nothing", want);
}

START_TEST(typos_find_their_word)
{
	expect("darcc", "darc");     /* an insertion */
	expect("drc", "darc");       /* a deletion */
	expect("jbsk", "jbsq");      /* a substitution */
	expect("dacr", "darc");      /* two neighbours swapped: one edit */
	expect("CFCFS", "cfcfs");    /* case ignored */
	expect("c-fcfs", "cfcfs");   /* separators ignored */
	expect("concrod", "concord");
	expect("cfcsf", "cfcfs");    /* not dfcfs: the first of the closest */
}
END_TEST

START_TEST(far_words_offer_nothing)
{
	expect("", NULL);
	expect("xyz", NULL);          /* 3 letters: 1 edit at most */
	expect("zz", NULL);           /* "ts", "ws", "tq" are 2 edits away */
	expect("robust", NULL);
	char long_word[PSP_SUGGEST_MAX_LEN + 2];
	memset(long_word, 'a', sizeof(long_word) - 1);
	long_word[sizeof(long_word) - 1] = '\0';
	expect(long_word, NULL);      /* past the bound: never compared */
}
END_TEST

START_TEST(threshold_grows_with_length)
{
	static const char *const words[] = {"high-bimodal", "exponential", "tpcc"};
	ck_assert_str_eq(psp_suggest("highbimodal", words, 3), "high-bimodal");
	ck_assert_str_eq(psp_suggest("hihg-bimdal", words, 3), "high-bimodal"); /* 2 edits */
	ck_assert_str_eq(psp_suggest("expnentail", words, 3), "exponential");   /* 2 edits */
	ck_assert_ptr_null(psp_suggest("tpxx", words, 3)); /* 4 letters, 2 edits */
	ck_assert_str_eq(psp_suggest("tpc", words, 3), "tpcc");
}
END_TEST

START_TEST(from_a_list)
{
	char out[32];
	const char *list = "cfcfs, dfcfs, darc,ts sjf\tjbsq";
	ck_assert_str_eq(psp_suggest_in_list("jbs", list, out, sizeof(out)), "jbsq");
	ck_assert_str_eq(psp_suggest_in_list("dark", list, out, sizeof(out)), "darc");
	ck_assert_ptr_null(psp_suggest_in_list("zzzzzz", list, out, sizeof(out)));
	ck_assert_ptr_null(psp_suggest_in_list("dark", list, out, 4)); /* "darc" + NUL: 5 */
	ck_assert_ptr_null(psp_suggest_in_list("dark", "", out, sizeof(out)));
}
END_TEST

START_TEST(from_getopt_options)
{
	static const struct option opts[] = {
		{"workers", required_argument, NULL, 'n'},
		{"workload", required_argument, NULL, 'w'},
		{"format", required_argument, NULL, 'f'},
		{0},
	};
	char out[32];
	ck_assert_str_eq(psp_suggest_option("--wokers", opts, out, sizeof(out)), "--workers");
	ck_assert_str_eq(psp_suggest_option("--wokrload=x", opts, out, sizeof(out)), "--workload");
	ck_assert_str_eq(psp_suggest_option("-frmat", opts, out, sizeof(out)), "--format");
	ck_assert_ptr_null(psp_suggest_option("--seed", opts, out, sizeof(out)));
	ck_assert_ptr_null(psp_suggest_option("--", opts, out, sizeof(out)));
}
END_TEST

static void usage(FILE *out)
{
	fprintf(out, "usage: prog --config FILE [--set KEY=VALUE]...\n"
		     "  --stats-ms N    every N ms (--not-a-flag- is prose: 'x--y' too)\n"
		     "  [--trace-limit N]\n");
}

START_TEST(from_help_text)
{
	char out[32];
	ck_assert_str_eq(psp_suggest_flag_in_help("--confg", "  --config FILE\n", out, sizeof(out)),
			 "--config");
	ck_assert_str_eq(psp_suggest_flag_from_usage("--stats_ms", usage, out, sizeof(out)),
			 "--stats-ms");
	ck_assert_str_eq(psp_suggest_flag_from_usage("--trace-limt", usage, out, sizeof(out)),
			 "--trace-limit");
	ck_assert_str_eq(psp_suggest_flag_from_usage("--sett", usage, out, sizeof(out)), "--set");
	/* "x--y" is inside a word: not a flag to offer. */
	ck_assert_ptr_null(psp_suggest_flag_from_usage("--y", usage, out, sizeof(out)));
	ck_assert_ptr_null(psp_suggest_flag_from_usage("--rate", usage, out, sizeof(out)));
}
END_TEST

Suite *psp_suggest_suite(void)
{
	Suite *s = suite_create("suggest");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, typos_find_their_word);
	tcase_add_test(tc, far_words_offer_nothing);
	tcase_add_test(tc, threshold_grows_with_length);
	tcase_add_test(tc, from_a_list);
	tcase_add_test(tc, from_getopt_options);
	tcase_add_test(tc, from_help_text);
	suite_add_tcase(s, tc);
	return s;
}
