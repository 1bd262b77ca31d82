/* "Did you mean": the known word a mistyped one most likely meant.
 *
 * Closeness is the optimal-string-alignment edit distance (an insertion, a
 * deletion, a substitution or two swapped neighbours each cost 1), letter
 * case and the separators '-' and '_' ignored, so "wokers", "Workers",
 * "high_bimodal" and "highbimodal" all find their word.  A candidate is
 * offered only when close enough to be a typo rather than another word: at
 * most 1 edit for a word of up to 4 letters, 2 up to 8, 3 beyond.
 */
#ifndef PSP_SUGGEST_H
#define PSP_SUGGEST_H

#include <stddef.h>
#include <stdio.h>

/* The closest of cand[0..n) to word, the first on a tie, or NULL when none
 * is close enough (or word is empty or longer than PSP_SUGGEST_MAX_LEN). */
const char *psp_suggest(const char *word, const char *const *cand, size_t n);

/* The same over a list in one string, items separated by commas and/or
 * blanks ("cfcfs, dfcfs darc"); the item is copied into out (cap bytes).
 * Returns out, or NULL when none is close enough or it does not fit. */
const char *psp_suggest_in_list(const char *word, const char *list, char *out, size_t cap);

struct option;

/* For a command-line token that getopt_long refused ("--wokers",
 * "--wokers=4"): the closest long option of opts (ended by a zero entry),
 * written "--NAME" into out.  Returns out, or NULL when none is close. */
const char *psp_suggest_option(const char *token, const struct option *opts, char *out,
			       size_t cap);

/* The same, the long options taken from a program's help text (every
 * "--name" in it, the way the bash completion reads them), for programs
 * that parse their flags by hand. */
const char *psp_suggest_flag_in_help(const char *token, const char *help, char *out,
				     size_t cap);

/* The same with the help text usage() prints, captured in memory. */
const char *psp_suggest_flag_from_usage(const char *token, void (*usage)(FILE *out),
					char *out, size_t cap);

/* Longer words are never matched (the distance table is on the stack). */
#define PSP_SUGGEST_MAX_LEN 63u

#endif
