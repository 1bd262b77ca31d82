/* This process's DPDK runtime directory (/var/run/dpdk/PREFIX, or
 * $XDG_RUNTIME_DIR/dpdk/PREFIX): rte_eal_cleanup leaves it behind, several
 * MB of it with --no-huge.  With a per-process --file-prefix (%p, %i) every
 * run would add one, so psp-engine and psp-client remove theirs at exit. */
#ifndef PSP_ENGINE_EAL_DIR_H
#define PSP_ENGINE_EAL_DIR_H

#include <stddef.h>

/* Copies the runtime directory's path into buf ("" when it does not fit).
 * Call after rte_eal_init succeeded and before rte_eal_cleanup. */
void eal_dir_save(char *buf, size_t cap);

/* Removes the files of dir (it has no subdirectories) and dir itself; does
 * nothing for "".  Call after rte_eal_cleanup.  Best effort: a file another
 * process recreated meanwhile keeps the directory. */
void eal_dir_remove(const char *dir);

/* Removes the runtime directories whose names start with prefix (such as
 * "psp-engine-") left behind by processes that died without their clean-up
 * (a crash, SIGKILL): those whose EAL config file no primary process holds
 * its lock on (DPDK's primary keeps a write lock on it while it lives), and
 * that is more than STALE_SECONDS old, so that a process starting right
 * now (its file made, its lock not yet taken) is left alone.  Call before
 * rte_eal_init.  Returns how many were removed. */
#define EAL_DIR_STALE_SECONDS 5
int eal_dir_remove_stale(const char *prefix);

/* eal_dir_remove_stale for program prog's directories ("PROG-..."), saying
 * on stdout how many it removed ("psp-engine: removed 1 runtime directory of
 * dead psp-engines"). */
void eal_dir_remove_dead(const char *prog);

#endif
