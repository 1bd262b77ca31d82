/* Lines of a text file read with a bound on their length, so that input
 * without newlines (/dev/zero, a binary file) is refused at its first line
 * instead of growing memory without bound. */
#ifndef PSP_SIM_LINEIN_H
#define PSP_SIM_LINEIN_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

struct linein {
	FILE *f;
	size_t max;   /* the longest line accepted, its newline excluded */
	char *buf;    /* max + 2 bytes once the first line is read */
	bool newline; /* the last line read ended with a newline */
};

enum { LINEIN_EOF = -1, LINEIN_TOO_LONG = -2, LINEIN_ERROR = -3, LINEIN_NOMEM = -4 };

/* The next line into l->buf, its newline removed and a NUL after it (the
 * line may hold NUL bytes: the length returned counts them).  Returns the
 * length, or a LINEIN_ value: the end of the file, a line longer than max
 * (what was read of it is lost), a read error (errno), no memory. */
ssize_t linein_read(struct linein *l);

void linein_free(struct linein *l);

#endif
