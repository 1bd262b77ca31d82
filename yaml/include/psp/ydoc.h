/* The YAML layer of psp's files (workloads, psp-engine and psp-client
 * configs, psp-sim sweep files): a file read whole into a libyaml document,
 * the walking every loader needs (strict mappings, node kinds), overrides of
 * keys from the command line (--set), and errors located as
 * "file:line:col" (1-based, like compilers) or "--set KEY" for a node an
 * override made, through struct psp_err.
 *
 * What each key means, and the messages about values, stay with each loader.
 * Set-up only; never on a hot path.
 */
#ifndef PSP_YDOC_H
#define PSP_YDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include <psp/err.h>

#define YDOC_MAX_SETS 64u
#define YDOC_KEY_MAX 96u
#define YDOC_MAP_MAX 32u /* the most keys one mapping may allow */
/* The most nodes one --set value may make once its aliases are expanded
 * (each use of an alias is a copy): far more than any config needs, far
 * fewer than nested aliases ("billion laughs") would make. */
#define YDOC_SET_MAX_NODES 4096u

struct ydoc {
	yaml_document_t doc;
	bool loaded;
	char path[512];
	/* Nodes from index file_nodes on were made by ydoc_set; set[i] made
	 * those from set[i].first_node on. */
	size_t file_nodes;
	uint32_t nsets;
	struct {
		size_t first_node;
		char key[YDOC_KEY_MAX];
	} set[YDOC_MAX_SETS];
};

/* Reads the one YAML document of path into d; what names the kind of file
 * in messages ("workload", "config").  Refuses a path too long, a file that
 * cannot be opened or is a directory, a syntax error (at its mark) and a
 * second document.  The root may be anything, or NULL for an empty file:
 * the caller says what it needs.  Returns 0 or a negative errno with err
 * set; on failure d holds nothing to free. */
int ydoc_load(struct ydoc *d, const char *path, const char *what, struct psp_err *err);
void ydoc_free(struct ydoc *d);

yaml_node_t *ydoc_root(struct ydoc *d);
yaml_node_t *ydoc_node(struct ydoc *d, int id);

/* Whether n was read from the file (not made by a --set override). */
bool ydoc_in_file(const struct ydoc *d, const yaml_node_t *n);

/* "file:line:col" of n (the path cut from the left, so that the line and
 * column always fit), "--set KEY" for a node an override made, or the path
 * alone for NULL. */
void ydoc_where(const struct ydoc *d, const yaml_node_t *n, char *buf, size_t cap);

/* Sets err at node n with key path key (may be NULL). Returns code. */
int ydoc_fail(const struct ydoc *d, const yaml_node_t *n, const char *key,
	      struct psp_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Scalar text of n, or NULL when n is not a scalar. */
const char *ydoc_scalar(const yaml_node_t *n);
/* "a scalar", "a list", "a mapping": for "expected X, got Y" messages. */
const char *ydoc_kind(const yaml_node_t *n);

/* The value of key in mapping m, or NULL (also when m is not a mapping). */
yaml_node_t *ydoc_get(struct ydoc *d, yaml_node_t *m, const char *key);

/* Reads mapping n (named prefix, "" for the root) into vals[i] (NULL when
 * absent) for each of the nallowed keys, and keys[i] the key's node (for
 * errors better reported at the key); either array may be NULL.  Refuses a
 * node that is not a mapping, a key that is not a scalar, an unknown key
 * (naming the allowed ones) and a key given twice. */
int ydoc_map(struct ydoc *d, yaml_node_t *n, const char *prefix, const char *const *allowed,
	     size_t nallowed, yaml_node_t **vals, yaml_node_t **keys, struct psp_err *err);

/* Applies one command-line override "KEY=VALUE" to the document: KEY a
 * dotted path (port.vdev), VALUE YAML (a scalar, or a flow list or mapping
 * that replaces the key's whole value).  A key the document lacks is added,
 * with the mappings on its path; a key given as a plain name (policy: darc)
 * becomes {name: darc} when KEY reaches inside it; a list is only replaced
 * whole.  What the value means is the loader's to check, as for the file's
 * keys; nodes made here are located as "--set KEY".  Refuses a malformed
 * item (no '=', a key that is not dotted words, a value that is not YAML, a
 * path through a list, a value that expands to more than YDOC_SET_MAX_NODES
 * nodes) with err->where "--set KEY".  The root must be a
 * mapping. */
int ydoc_set(struct ydoc *d, const char *item, struct psp_err *err);

#endif
