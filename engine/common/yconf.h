/* A thin layer over libyaml's document API for the engine's and client's
 * config files: typed getters that check ranges and report errors as
 * "file:line:col: key.path: message" through struct psp_err.
 *
 * Every getter returns 0, or a negative errno with err filled.  Nothing here
 * allocates except yconf_load (the libyaml document), released by
 * yconf_free.  Set-up only; never on a hot path.
 */
#ifndef PSP_ENGINE_YCONF_H
#define PSP_ENGINE_YCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <yaml.h>

#include <psp/err.h>

#define YCONF_MAX_SETS 64u
#define YCONF_KEY_MAX 96u

/* What the command line adds to a config file. */
struct yconf_overrides {
	/* --set KEY=VALUE items, applied in order after the file is read (a
	 * later one wins), before any key is checked: KEY is a dotted path
	 * (port.vdev, policy.quantum_us), VALUE is YAML (a scalar, or a flow
	 * list or mapping: [1, 2], {name: ts, quantum_us: 5}). */
	const char *const *set;
	size_t nset;
	const char *workload; /* psp-engine's --workload NAME|FILE, or NULL */
};

struct yconf {
	yaml_document_t doc;
	bool loaded;
	char path[512];
	/* Nodes from index file_nodes on were made by --set; set[i] made
	 * those from set[i].first_node on.  Errors at them name "--set KEY". */
	size_t file_nodes;
	uint32_t nsets;
	struct {
		size_t first_node;
		char key[YCONF_KEY_MAX];
	} set[YCONF_MAX_SETS];
};

/* Parses path into y and applies ov's --set items (ov may be NULL).  The
 * root must be a mapping.  A malformed --set (no '=', a key that is not
 * dotted words, a value that is not YAML, a path through a list) fails with
 * err->where "--set KEY"; what the value means is checked later, by the
 * loaders, as for the file's keys.  A key given as a plain name (policy:
 * darc, app: spin) becomes {name: darc} when a --set reaches inside it. */
int yconf_load(struct yconf *y, const char *path, const struct yconf_overrides *ov,
	       struct psp_err *err);
void yconf_free(struct yconf *y);

/* Prints the --set items under a configuration's "config: FILE" line, one
 * "  --set KEY=VALUE" each, so the effective values that follow read as
 * the file's with these applied. */
void yconf_print_sets(const char *const *set, size_t n, FILE *out);
yaml_node_t *yconf_root(struct yconf *y);

/* Writes "file:line:col" of node n, or "--set KEY" for a node a --set made,
 * into buf (libyaml marks are 0-based; we
 * print 1-based like compilers do). */
void yconf_where(const struct yconf *y, const yaml_node_t *n, char *buf, size_t cap);

/* Sets err for node n with key path key. Returns code. */
int yconf_fail(const struct yconf *y, const yaml_node_t *n, const char *key,
	       struct psp_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Checks that mapping m (named prefix, "" for the root) holds only the keys
 * in allowed (NULL-terminated) and none twice. */
int yconf_check_keys(struct yconf *y, yaml_node_t *m, const char *prefix,
		     const char *const *allowed, struct psp_err *err);

/* The value of key in mapping m, or NULL when absent. */
yaml_node_t *yconf_get(struct yconf *y, yaml_node_t *m, const char *key);

/* Scalar text of n, or NULL when n is not a scalar. */
const char *yconf_scalar(const yaml_node_t *n);

/* Typed getters: n is the value node, key its full path for messages. */
int yconf_u64(struct yconf *y, yaml_node_t *n, const char *key, uint64_t min,
	      uint64_t max, uint64_t *out, struct psp_err *err);
int yconf_double(struct yconf *y, yaml_node_t *n, const char *key, double min,
		 double max, double *out, struct psp_err *err);
int yconf_bool(struct yconf *y, yaml_node_t *n, const char *key, bool *out,
	       struct psp_err *err);
int yconf_str(struct yconf *y, yaml_node_t *n, const char *key, char *buf,
	      size_t cap, struct psp_err *err);
/* Dotted quad into host-order value. */
int yconf_ipv4(struct yconf *y, yaml_node_t *n, const char *key, uint32_t *out,
	       struct psp_err *err);
/* "aa:bb:cc:dd:ee:ff" into 6 bytes. */
int yconf_mac(struct yconf *y, yaml_node_t *n, const char *key, uint8_t out[6],
	      struct psp_err *err);
/* A sequence of scalars into strings (each strdup'ed into out[]; caller frees
 * with free()).  *count receives the length. */
int yconf_str_list(struct yconf *y, yaml_node_t *n, const char *key, char **out,
		   size_t cap, size_t *count, struct psp_err *err);

/* The keys psp-engine and psp-client share.  `eal` (optional): a list of
 * EAL arguments into eal[0..*neal) (strdup'ed; caller frees).  `port`
 * (required): exactly one of {vdev: "..."} or {pci: "..."} into spec, with
 * *is_pci telling which.  Both return 0 or a negative errno with err naming
 * the key. */
int yconf_eal(struct yconf *y, yaml_node_t *root, char **eal, size_t cap,
	      uint32_t *neal, struct psp_err *err);
int yconf_port(struct yconf *y, yaml_node_t *root, char *spec, size_t cap,
	       bool *is_pci, struct psp_err *err);
/* `ip` (required: this side's IPv4 address; whose names it in the error)
 * and `mac` (optional: *has_mac says whether it was given). */
int yconf_ip_mac(struct yconf *y, yaml_node_t *root, const char *whose, uint32_t *ip,
		 uint8_t mac[6], bool *has_mac, struct psp_err *err);

/* Instances: which psp-engine a process belongs to, so that two runs never
 * share files.  In the eal: items and the port string, %p is this
 * process's id, %i the instance and %% a '%'.  The shipped memif configs
 * put %i in the engine's --file-prefix and in both sides' memif socket,
 * and %p in the client's --file-prefix. */
#define YCONF_INSTANCE_MAX 32u

/* `instance` (optional): letters, digits, '-' and '_', at most
 * YCONF_INSTANCE_MAX, into buf (cap > YCONF_INSTANCE_MAX).  Returns 1 when
 * given, 0 when absent (buf ""), or a negative errno with err set. */
int yconf_instance(struct yconf *y, yaml_node_t *root, char *buf, size_t cap,
		   struct psp_err *err);

/* Checks the expansions in the eal: items and the port string (a '%' not
 * followed by p, i or %), erring at the node. */
int yconf_check_expand(struct yconf *y, yaml_node_t *root, struct psp_err *err);

/* Expands in into out.  instance NULL: %i is an error (-ENOENT).  Returns
 * 0, -EINVAL (a '%' not followed by p, i or %) or -ENAMETOOLONG. */
int yconf_expand(const char *in, const char *instance, char *out, size_t cap);

/* Expands eal[0..neal) (reallocated) and spec (cap bytes) in place; err
 * names eal[i] or port. */
int yconf_expand_all(char **eal, uint32_t neal, char *spec, size_t cap,
		     const char *instance, struct psp_err *err);

/* Parses a dotted quad; returns 0 or -EINVAL.  Exposed for the CLIs and tests. */
int yconf_parse_ipv4(const char *s, uint32_t *out);
int yconf_parse_mac(const char *s, uint8_t out[6]);

#endif
