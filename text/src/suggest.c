#include <ctype.h>
#include <stdbool.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <psp/suggest.h>

/* The letters that count: lower case, without '-' and '_'. */
static size_t fold(const char *s, size_t len, char *out)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n <= PSP_SUGGEST_MAX_LEN; i++)
		if (s[i] != '-' && s[i] != '_')
			out[n++] = (char)tolower((unsigned char)s[i]);
	return n;
}

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;
	return m < c ? m : c;
}

/* Optimal string alignment distance between a[0..n) and b[0..m). */
static size_t distance(const char *a, size_t n, const char *b, size_t m)
{
	size_t d[PSP_SUGGEST_MAX_LEN + 2][PSP_SUGGEST_MAX_LEN + 2];
	for (size_t i = 0; i <= n; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= n; i++)
		for (size_t j = 1; j <= m; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	return d[n][m];
}

static size_t allowed_edits(size_t len)
{
	return len <= 4 ? 1 : len <= 8 ? 2 : 3;
}

/* A search for the closest candidate to one word. */
struct match {
	char w[PSP_SUGGEST_MAX_LEN + 2]; /* the word, folded */
	size_t wn;
	size_t best_d; /* the best distance so far; starts past the allowed */
	const char *best;
	size_t best_len;
};

/* Starts a search for word[0..len); false when it is empty or too long. */
static bool match_start(struct match *m, const char *word, size_t len)
{
	if (len == 0 || len > PSP_SUGGEST_MAX_LEN)
		return false;
	m->wn = fold(word, len, m->w);
	m->best_d = allowed_edits(m->wn) + 1;
	m->best = NULL;
	m->best_len = 0;
	return true;
}

/* Weighs the candidate cand[0..len); the first of equals stays. */
static void match_consider(struct match *m, const char *cand, size_t len)
{
	char c[PSP_SUGGEST_MAX_LEN + 2];
	if (len > PSP_SUGGEST_MAX_LEN)
		return;
	size_t d = distance(m->w, m->wn, c, fold(cand, len, c));
	if (d < m->best_d)
		m->best_d = d, m->best = cand, m->best_len = len;
}

const char *psp_suggest(const char *word, const char *const *cand, size_t n)
{
	struct match m;
	if (!match_start(&m, word, strlen(word)))
		return NULL;
	for (size_t i = 0; i < n; i++)
		match_consider(&m, cand[i], strlen(cand[i]));
	return m.best;
}

const char *psp_suggest_in_list(const char *word, const char *list, char *out, size_t cap)
{
	static const char seps[] = ", \t\n";
	struct match m;
	if (!match_start(&m, word, strlen(word)))
		return NULL;
	for (const char *p = list + strspn(list, seps); *p; p += strspn(p, seps)) {
		size_t item = strcspn(p, seps);
		match_consider(&m, p, item);
		p += item;
	}
	if (!m.best || m.best_len >= cap)
		return NULL;
	memcpy(out, m.best, m.best_len);
	out[m.best_len] = '\0';
	return out;
}

const char *psp_suggest_option(const char *token, const struct option *opts, char *out,
			       size_t cap)
{
	struct match m;
	token += strspn(token, "-");
	if (!match_start(&m, token, strcspn(token, "=")))
		return NULL;
	for (const struct option *o = opts; o->name; o++)
		match_consider(&m, o->name, strlen(o->name));
	if (!m.best || snprintf(out, cap, "--%s", m.best) >= (int)cap)
		return NULL;
	return out;
}

const char *psp_suggest_flag_in_help(const char *token, const char *help, char *out,
				     size_t cap)
{
	static const char name_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
	struct match m;
	token += strspn(token, "-");
	if (!match_start(&m, token, strcspn(token, "=")))
		return NULL;
	for (const char *p = strstr(help, "--"); p; p = strstr(p, "--")) {
		bool starts_word = p == help || strchr(" \t\n[(|,", p[-1]);
		p += 2;
		size_t len = strspn(p, name_chars);
		if (starts_word && len > 0 && p[0] != '-')
			match_consider(&m, p, len);
		p += len;
	}
	if (!m.best || snprintf(out, cap, "--%.*s", (int)m.best_len, m.best) >= (int)cap)
		return NULL;
	return out;
}

const char *psp_suggest_flag_from_usage(const char *token, void (*usage)(FILE *out),
					char *out, size_t cap)
{
	char *help = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&help, &len);
	if (!mem)
		return NULL;
	usage(mem);
	const char *near = fclose(mem) == 0 ? psp_suggest_flag_in_help(token, help, out, cap) : NULL;
	free(help);
	return near;
}
