/* Policy knobs: each one described once, next to the policy that reads it.
 *
 * A knob has a name ("quantum_us"), a kind, a default, a range, a unit and a
 * one-line help.  Each policy declares its own knobs in its file
 * (core/src/policy_<name>.c) and lists them in its ops->params; the knobs
 * several policies read (slots, placement, quantum_us, preempt_cost_us) are
 * declared once, in core/src/knobs_shared.c.  The registry of knobs
 * (psp_param_count/psp_param_at) is derived from the policy table: every
 * knob some policy reads, once.  The values live in the opaque struct
 * psp_policy_conf, sized by the library, so a new knob changes no layout a
 * host was built against.  psp-sim turns
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

/* A knob's descriptor.  Hosts read descriptors the library gives them
 * (psp_param_at, psp_param_find, ops->params) and never make their own: the
 * library may append members. */
struct psp_param {
	const char *name;    /* snake_case; the flag is --name with '-' for '_' */
	enum psp_param_kind kind;
	/* Where help listings put it: ascending rank, knobs of equal rank in
	 * the order the policy table first names them. */
	unsigned rank;
	/* The user writes values in `unit`; the conf stores value x scale,
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

/* The registry: every knob some policy reads, once, in help order (by
 * rank).  psp_param_at(i) for i < psp_param_count(); NULL past the end. */
size_t psp_param_count(void);
const struct psp_param *psp_param_at(size_t i);

/* The knob called name, with '_' or '-' between words (so "quantum-us" and
 * "quantum_us" both find it).  NULL when there is none. */
const struct psp_param *psp_param_find(const char *name);

/* Parses value (as the user wrote it, in the knob's unit) and stores it in
 * conf, without what it implies (psp_param_apply, psp_policy_conf_set).
 * prm must be one of the registry's.  A BOOL accepts true/false/yes/no/on/off/1/0.  Returns 0, or -EINVAL
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

/* The knob's value in conf as the policies read it, in stored units
 * (quantum_us in ns; a CHOICE's index, a BOOL's 0 or 1).  Exact for whole
 * numbers below 2^53. */
double psp_param_stored(const struct psp_policy_conf *conf, const struct psp_param *prm);

/* Writes the knob's default ("5", "dynamic"; for PER_POLICY knobs "policy")
 * into buf.  Returns buf. */
const char *psp_param_format_default(const struct psp_param *prm, char *buf,
				     size_t cap);

#endif
