/* The engine's output files (stats.jsonl, darc-timeline.csv, --trace):
 * whole lines or nothing.  Lines are appended to a buffer and written with
 * write(2) when it fills or on flush; every write and the close are
 * checked.  When one fails (a full disk), the file is cut back to the end of
 * the last whole line written before it, so a reader never sees a record
 * cut mid-line, and that line and every later one are counted as lost
 * instead of written: the owner reports the loss at stop and the engine
 * exits non-zero.
 */
#ifndef PSP_ENGINE_OUTFILE_H
#define PSP_ENGINE_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct eng_outfile {
	int fd;
	char *buf;        /* NULL: not open (a zeroed struct is a closed file) */
	size_t len, cap;
	uint64_t buffered; /* lines in buf */
	off_t good;       /* the file's length up to its last whole line */
	uint64_t written; /* lines in the file */
	uint64_t lost;    /* lines not written (after err) */
	int err;          /* the first error (positive errno), 0 if none */
	char path[600];
};

/* Creates (truncates) path with a buffer of cap bytes.  0 or -errno. */
int eng_outfile_open(struct eng_outfile *o, const char *path, size_t cap);

/* Appends one line (len bytes, its '\n' included); lost once a write failed. */
void eng_outfile_line(struct eng_outfile *o, const char *line, size_t len);

/* Writes what is buffered.  0 or -errno (the first error, kept in err). */
int eng_outfile_flush(struct eng_outfile *o);

/* Flushes and closes (the close checked), frees the buffer.  0 or -errno
 * (the first error of the file's life).  Safe on a file never opened (a
 * zeroed struct) and on one closed already. */
int eng_outfile_close(struct eng_outfile *o);

static inline bool eng_outfile_is_open(const struct eng_outfile *o)
{
	return o->buf != NULL;
}

#endif
