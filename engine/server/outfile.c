/* Whole-line output files; see outfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outfile.h"

int eng_outfile_open(struct eng_outfile *o, const char *path, size_t cap)
{
	*o = (struct eng_outfile){.fd = -1};
	snprintf(o->path, sizeof(o->path), "%s", path);
	o->buf = malloc(cap);
	if (!o->buf)
		return -ENOMEM;
	o->cap = cap;
	o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (o->fd < 0) {
		int rc = -errno;
		free(o->buf);
		o->buf = NULL;
		return rc;
	}
	return 0;
}

/* A write failed: the file is cut back to its last whole line (best effort:
 * on a device such as /dev/full there is nothing to cut) and what was
 * buffered is lost. */
static void failed(struct eng_outfile *o, int err)
{
	if (!o->err)
		o->err = err;
	if (ftruncate(o->fd, o->good) < 0 || lseek(o->fd, o->good, SEEK_SET) < 0) {
		/* not a regular file: its length is not ours to cut */
	}
	o->lost += o->buffered;
	o->buffered = 0;
	o->len = 0;
}

int eng_outfile_flush(struct eng_outfile *o)
{
	if (!o->buf || o->err)
		return o->err ? -o->err : 0;
	size_t done = 0;
	while (done < o->len) {
		ssize_t n = write(o->fd, o->buf + done, o->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			failed(o, n < 0 ? errno : ENOSPC);
			return -o->err;
		}
		done += (size_t)n;
	}
	o->good += (off_t)o->len;
	o->written += o->buffered;
	o->buffered = 0;
	o->len = 0;
	return 0;
}

void eng_outfile_line(struct eng_outfile *o, const char *line, size_t len)
{
	if (!o->buf || o->err) {
		o->lost++;
		return;
	}
	if (o->len + len > o->cap && eng_outfile_flush(o) < 0) {
		o->lost++;
		return;
	}
	if (len > o->cap) { /* longer than the buffer: written on its own */
		char *big = o->buf;
		size_t cap = o->cap;
		o->buf = (char *)line;
		o->len = o->cap = len;
		o->buffered = 1;
		eng_outfile_flush(o);
		o->buf = big;
		o->cap = cap;
		return;
	}
	memcpy(o->buf + o->len, line, len);
	o->len += len;
	o->buffered++;
}

int eng_outfile_close(struct eng_outfile *o)
{
	if (o->buf) {
		eng_outfile_flush(o);
		if (close(o->fd) < 0 && !o->err)
			o->err = errno;
		o->fd = -1;
	}
	free(o->buf);
	o->buf = NULL;
	return o->err ? -o->err : 0;
}
