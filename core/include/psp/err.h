/* Error reports for anything that can fail because of the user's input.
 *
 * Functions return 0 or a negative errno; the ones that read user input also
 * fill a struct psp_err so the message can name the file, line and key:
 *     workloads/x.yml:14:3: types[1].ratio: must be in (0, 1], got -0.5
 */
#ifndef PSP_ERR_H
#define PSP_ERR_H

#include <stddef.h>

struct psp_err {
	int code;       /* negative errno, 0 = no error */
	char where[160]; /* "file:line:col", "--flag" or "" */
	char key[96];   /* the key or option at fault, or "" */
	char msg[256];  /* what is wrong and why */
};

/* Clears err (code 0, empty strings).  err may be NULL. */
void psp_err_clear(struct psp_err *err);

/* Fills err and returns code (a negative errno) so callers can write
 * `return psp_err_set(err, -EINVAL, NULL, "workers", "must be ...")`.
 * where and key may be NULL.  err may be NULL (nothing is recorded). */
int psp_err_set(struct psp_err *err, int code, const char *where,
		const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Formats "where: key: msg" (parts that are empty are left out) into buf.
 * Returns buf. */
const char *psp_err_format(const struct psp_err *err, char *buf, size_t cap);

#endif
