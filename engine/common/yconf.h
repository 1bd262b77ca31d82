/* The engine's and client's config layer over the YAML layer (psp/ydoc.h):
 * loading with --set overrides, typed getters that check ranges and report
 * errors as "file:line:col: key.path: message" (or "--set KEY: ...")
 * through struct psp_err, the keys both programs share, and instances.
 *
 * Every getter returns 0, or a negative errno with err filled.  Set-up
 * only; never on a hot path.
 */
#ifndef PSP_ENGINE_YCONF_H
#define PSP_ENGINE_YCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <psp/ydoc.h>

#include <psp/err.h>

#define YCONF_MAX_SETS YDOC_MAX_SETS

/* What the command line adds to a config file. */
struct yconf_overrides {
	/* --set KEY=VALUE items, applied in order after the file is read (a
	 * later one wins), before any key is checked (ydoc_set). */
	const char *const *set;
	size_t nset;
	const char *workload; /* psp-engine's --workload NAME|FILE, or NULL */
};

/* Reads a config file into y (ydoc_load), whose root must be a mapping,
 * and applies ov's --set items (ov may be NULL).  Returns 0 or a negative
 * errno with err set; release y with ydoc_free. */
int yconf_load(struct ydoc *y, const char *path, const struct yconf_overrides *ov,
	       struct psp_err *err);

/* Prints the --set items under a configuration's "config: FILE" line, one
 * "  --set KEY=VALUE" each, so the effective values that follow read as
 * the file's with these applied. */
void yconf_print_sets(const char *const *set, size_t n, FILE *out);

/* Checks that mapping m (named prefix, "" for the root) holds only the keys
 * in allowed (NULL-terminated) and none twice (ydoc_map). */
int yconf_check_keys(struct ydoc *y, yaml_node_t *m, const char *prefix,
		     const char *const *allowed, struct psp_err *err);

/* Typed getters: n is the value node, key its full path for messages. */
int yconf_u64(struct ydoc *y, yaml_node_t *n, const char *key, uint64_t min,
	      uint64_t max, uint64_t *out, struct psp_err *err);
int yconf_double(struct ydoc *y, yaml_node_t *n, const char *key, double min,
		 double max, double *out, struct psp_err *err);
int yconf_bool(struct ydoc *y, yaml_node_t *n, const char *key, bool *out,
	       struct psp_err *err);
int yconf_str(struct ydoc *y, yaml_node_t *n, const char *key, char *buf,
	      size_t cap, struct psp_err *err);
/* Dotted quad into host-order value. */
int yconf_ipv4(struct ydoc *y, yaml_node_t *n, const char *key, uint32_t *out,
	       struct psp_err *err);
/* "aa:bb:cc:dd:ee:ff" into 6 bytes. */
int yconf_mac(struct ydoc *y, yaml_node_t *n, const char *key, uint8_t out[6],
	      struct psp_err *err);

/* The keys psp-engine and psp-client share.  `eal` (optional): a list of
 * EAL arguments into eal[0..*neal) (strdup'ed; caller frees).  `port`
 * (required): exactly one of {vdev: "..."} or {pci: "..."} into spec, with
 * *is_pci telling which.  Both return 0 or a negative errno with err naming
 * the key. */
int yconf_eal(struct ydoc *y, yaml_node_t *root, char **eal, size_t cap,
	      uint32_t *neal, struct psp_err *err);
int yconf_port(struct ydoc *y, yaml_node_t *root, char *spec, size_t cap,
	       bool *is_pci, struct psp_err *err);
/* `ip` (required: this side's IPv4 address; whose names it in the error)
 * and `mac` (optional: *has_mac says whether it was given). */
int yconf_ip_mac(struct ydoc *y, yaml_node_t *root, const char *whose, uint32_t *ip,
		 uint8_t mac[6], bool *has_mac, struct psp_err *err);

/* Instances: which psp-engine a process belongs to, so that two runs never
 * share files.  In the eal: items, the port string and psp-engine's
 * output_dir, %p is this process's id, %u the real user id, %i the instance
 * and %% a '%'.  The shipped memif configs put %i in the engine's
 * --file-prefix and in both sides' memif socket (in the user's own
 * directory, /tmp/psp-memif-%u), and %p in the client's --file-prefix. */
#define YCONF_INSTANCE_MAX 32u

/* `instance` (optional): letters, digits, '-' and '_', at most
 * YCONF_INSTANCE_MAX, into buf (cap > YCONF_INSTANCE_MAX).  Returns 1 when
 * given, 0 when absent (buf ""), or a negative errno with err set. */
int yconf_instance(struct ydoc *y, yaml_node_t *root, char *buf, size_t cap,
		   struct psp_err *err);

/* Checks the expansions in the eal: items, the port string and (the
 * engine's) output_dir: a '%' not followed by p, u, i or % errs at the node. */
int yconf_check_expand(struct ydoc *y, yaml_node_t *root, struct psp_err *err);

/* Expands in into out.  instance NULL: %i is an error (-ENOENT).  Returns
 * 0, -EINVAL (a '%' not followed by p, u, i or %) or -ENAMETOOLONG. */
int yconf_expand(const char *in, const char *instance, char *out, size_t cap);

/* Expands eal[0..neal) (reallocated) and spec (cap bytes) in place; err
 * names eal[i] or port. */
int yconf_expand_all(char **eal, uint32_t neal, char *spec, size_t cap,
		     const char *instance, struct psp_err *err);

/* Parses a dotted quad; returns 0 or -EINVAL.  Exposed for the CLIs and tests. */
int yconf_parse_ipv4(const char *s, uint32_t *out);
int yconf_parse_mac(const char *s, uint8_t out[6]);

#endif
