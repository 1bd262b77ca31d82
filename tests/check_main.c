/* The shared main of every Check suite: runs the one suite the build names
 * (PSP_SUITE) in fork mode and exits non-zero on any failure. */
#include <check.h>
#include <stdlib.h>

Suite *PSP_SUITE(void);

int main(void)
{
	SRunner *sr = srunner_create(PSP_SUITE());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
