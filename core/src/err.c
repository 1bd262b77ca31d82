#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <psp/err.h>

void psp_err_clear(struct psp_err *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

int psp_err_set(struct psp_err *err, int code, const char *where,
		const char *key, const char *fmt, ...)
{
	if (!err)
		return code;
	err->code = code;
	snprintf(err->where, sizeof(err->where), "%s", where ? where : "");
	snprintf(err->key, sizeof(err->key), "%s", key ? key : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

const char *psp_err_format(const struct psp_err *err, char *buf, size_t cap)
{
	if (cap == 0)
		return buf;
	buf[0] = '\0';
	size_t n = 0;
	if (err->where[0])
		n += (size_t)snprintf(buf + n, cap - n, "%s: ", err->where);
	if (n < cap && err->key[0])
		n += (size_t)snprintf(buf + n, cap - n, "%s: ", err->key);
	if (n < cap)
		snprintf(buf + n, cap - n, "%s", err->msg);
	return buf;
}
