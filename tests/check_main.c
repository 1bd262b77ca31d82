/* The shared main of every Check suite: runs the one suite the build names
 * (PSP_SUITE) in fork mode and exits non-zero on any failure.  ctest runs a
 * simulating suite one case at a time (CK_RUN_CASE): a case name that runs
 * no test is a failure, not an empty pass. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

Suite *PSP_SUITE(void);

int main(void)
{
	SRunner *sr = srunner_create(PSP_SUITE());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	int ran = srunner_ntests_run(sr);
	srunner_free(sr);
	if (ran == 0) {
		const char *c = getenv("CK_RUN_CASE");
		fprintf(stderr, "no test ran%s%s%s\n", c ? " (CK_RUN_CASE=" : "",
			c ? c : "", c ? " names no case of this suite)" : "");
		return EXIT_FAILURE;
	}
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
