/* Policy knobs: each one described once, in a table the hosts read.
 *
 * A knob has a name ("quantum_us"), a kind, where it lives in struct
 * psp_policy_conf, a default, a range and a one-line help.  psp-sim turns
 * every knob into a flag (`--quantum-us`, underscores become dashes) and
 * psp-engine's config accepts the same names; each policy lists the knobs it
 * reads (struct psp_policy_ops.params), so a host can tell a user which
 * policies a knob concerns and refuse one that none of them reads.
 *
 * Knobs shared by several policies (quantum_us, slots, placement) are one
 * descriptor: one default, one range, one help text.
 */
#ifndef PSP_PARAM_H
#define PSP_PARAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <psp/err.h>

struct psp_policy_conf;

enum psp_param_kind {
	PSP_PARAM_UINT,   /* whole number >= 0, stored as uint32_t or uint64_t */
	PSP_PARAM_INT,    /* whole number, stored as int32_t */
	PSP_PARAM_REAL,   /* stored as double */
	PSP_PARAM_BOOL,   /* stored as bool; a flag without a value means true */
	PSP_PARAM_CHOICE, /* one of the names in choices, stored as int (its index) */
};

/* Flags of a knob. */
enum {
	/* A modelled cost: a simulator charges it to the workers; a real host
	 * pays its own cost and refuses the knob. */
	PSP_PARAM_MODEL_ONLY = 1u << 0,
	/* Its default and upper bound come from each policy's properties
	 * (slots): def and max below are not used. */
	PSP_PARAM_PER_POLICY = 1u << 1,
};

struct psp_param {
	const char *name;    /* snake_case; the flag is --name with '-' for '_' */
	enum psp_param_kind kind;
	size_t offset;       /* of the field in struct psp_policy_conf */
	size_t size;         /* of that field (UINT: 4 or 8) */
	/* The user writes values in `unit`; the field stores value x scale,
	 * rounded to the nearest integer for UINT and INT (quantum_us is
	 * written in us and stored in ns: scale 1000). */
	double scale;
	double def, min, max; /* in the user's unit */
	const char *unit;    /* "us", "ns", "completions", ...; NULL: none */
	const char *choices; /* CHOICE: comma-separated names, index = stored value */
	const char *help;    /* one line */
	uint32_t flags;
	/* When given, this knob first sets others ("darc_mode=static"; several
	 * separated by spaces), each unless it is given too.  NULL: none. */
	const char *implies;
	/* CHOICE: implies applies only when the knob is given this choice
	 * (darc_variant robust); NULL: whatever its value. */
	const char *implies_when;
};

/* Every knob of every policy, NULL-terminated, in help order. */
extern const struct psp_param *const psp_params[];

/* The knob called name, with '_' or '-' between words (so "quantum-us" and
 * "quantum_us" both find it).  NULL when there is none. */
const struct psp_param *psp_param_find(const char *name);

/* Parses value (as the user wrote it, in the knob's unit) and stores it in
 * conf.  A BOOL accepts true/false/yes/no/on/off/1/0.  Returns 0, or -EINVAL
 * with err naming the knob and saying what it accepts. */
int psp_param_set(struct psp_policy_conf *conf, const struct psp_param *prm,
		  const char *value, struct psp_err *err);

/* A knob and the value the user gave it. */
struct psp_param_value {
	const struct psp_param *param;
	const char *value;
};

/* Sets n knobs: first what the given ones imply (reserve implies
 * darc_mode=static; darc_variant robust implies each part's robust setting),
 * unless the implied knob is itself given, then each given value in order.
 * Returns 0 or the first error. */
int psp_param_apply(struct psp_policy_conf *conf, const struct psp_param_value *v,
		    size_t n, struct psp_err *err);

/* Writes the knob's value in conf, in the user's unit ("5", "round-robin",
 * "true"; "none" for an INT below its minimum, reserve's "not set"), into
 * buf.  Returns buf. */
const char *psp_param_format(const struct psp_policy_conf *conf,
			     const struct psp_param *prm, char *buf, size_t cap);

/* Writes the knob's default ("5", "dynamic"; for PER_POLICY knobs "policy")
 * into buf.  Returns buf. */
const char *psp_param_format_default(const struct psp_param *prm, char *buf,
				     size_t cap);

/* Stores every knob's default in conf. */
void psp_param_defaults(struct psp_policy_conf *conf);

#endif
