#include <stdlib.h>

#include "linein.h"

ssize_t linein_read(struct linein *l)
{
	if (!l->buf && !(l->buf = malloc(l->max + 2)))
		return LINEIN_NOMEM;
	size_t n = 0;
	int c;
	l->newline = false;
	while ((c = getc_unlocked(l->f)) != EOF) {
		if (c == '\n') {
			l->newline = true;
			break;
		}
		if (n == l->max)
			return LINEIN_TOO_LONG;
		l->buf[n++] = (char)c;
	}
	if (c == EOF && ferror(l->f))
		return LINEIN_ERROR;
	if (c == EOF && n == 0)
		return LINEIN_EOF;
	l->buf[n] = '\0';
	return (ssize_t)n;
}

void linein_free(struct linein *l)
{
	free(l->buf);
	l->buf = NULL;
}
