/* Why rte_eal_init failed, in words a user can act on. */
#ifndef PSP_ENGINE_EAL_FAIL_H
#define PSP_ENGINE_EAL_FAIL_H

/* Prints "prog: EAL initialisation failed: <reason>" to stderr for the EAL
 * arguments argv[0..argc).  The EAL often leaves rte_errno at 0 ("Success")
 * and logs its reason itself; the commonest one, another running DPDK process
 * using the same --file-prefix, is detected here and named with its pid. */
void eal_report_init_failure(const char *prog, int argc, char **argv);

#endif
