/* The YAML layer; see ydoc.h. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <psp/suggest.h>
#include <psp/ydoc.h>

/* Turns a libyaml failure into an error at its mark.  Reader errors (bad
 * UTF-8) carry a byte offset rather than a mark. */
static int syntax_error(const char *path, const yaml_parser_t *p, struct psp_err *err)
{
	char where[sizeof(err->where)], pos[48];
	if (p->error == YAML_MEMORY_ERROR)
		return psp_err_set(err, -ENOMEM, path, NULL, "out of memory reading YAML");
	if (p->error == YAML_READER_ERROR)
		return psp_err_set(err, -EINVAL, path, NULL, "YAML syntax error: %s at byte %zu",
				   p->problem ? p->problem : "unreadable input", p->problem_offset);
	snprintf(pos, sizeof(pos), ":%zu:%zu", p->problem_mark.line + 1,
		 p->problem_mark.column + 1);
	size_t plen = strlen(path), room = sizeof(where) - strlen(pos) - 1;
	if (plen > room)
		snprintf(where, sizeof(where), "...%s%s", path + plen - (room - 3), pos);
	else
		snprintf(where, sizeof(where), "%s%s", path, pos);
	if (p->context)
		return psp_err_set(err, -EINVAL, where, NULL,
				   "YAML syntax error: %s %s (started on line %zu)",
				   p->problem ? p->problem : "", p->context,
				   p->context_mark.line + 1);
	return psp_err_set(err, -EINVAL, where, NULL, "YAML syntax error: %s",
			   p->problem ? p->problem : "malformed input");
}

int ydoc_load(struct ydoc *d, const char *path, const char *what, struct psp_err *err)
{
	memset(d, 0, sizeof(*d));
	if (strlen(path) >= sizeof(d->path))
		return psp_err_set(err, -ENAMETOOLONG, NULL, NULL,
				   "%s path of %zu characters is longer than %zu ('%.40s...')",
				   what, strlen(path), sizeof(d->path) - 1, path);
	snprintf(d->path, sizeof(d->path), "%s", path);
	FILE *f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		return psp_err_set(err, -e, path, NULL, "cannot open %s file: %s", what,
				   strerror(e));
	}
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		return psp_err_set(err, -EISDIR, path, NULL, "is a directory, not a %s file", what);
	}
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return psp_err_set(err, -ENOMEM, path, NULL, "out of memory");
	}
	yaml_parser_set_input_file(&parser, f);
	int rc = 0;
	if (!yaml_parser_load(&parser, &d->doc)) {
		rc = syntax_error(path, &parser, err);
	} else {
		d->loaded = true;
		/* A second document ("---") would be silently ignored otherwise. */
		yaml_document_t extra;
		if (!yaml_parser_load(&parser, &extra)) {
			rc = syntax_error(path, &parser, err);
		} else {
			yaml_node_t *x = yaml_document_get_root_node(&extra);
			if (x) {
				char where[sizeof(err->where)];
				snprintf(where, sizeof(where), "%.120s:%zu:%zu", path,
					 x->start_mark.line + 1, x->start_mark.column + 1);
				rc = psp_err_set(err, -EINVAL, where, NULL,
						 "more than one YAML document; a %s file holds one",
						 what);
			}
			yaml_document_delete(&extra);
		}
	}
	yaml_parser_delete(&parser);
	fclose(f);
	d->file_nodes = (size_t)(d->doc.nodes.top - d->doc.nodes.start);
	if (rc < 0)
		ydoc_free(d);
	return rc;
}

void ydoc_free(struct ydoc *d)
{
	if (d->loaded)
		yaml_document_delete(&d->doc);
	d->loaded = false;
}

yaml_node_t *ydoc_root(struct ydoc *d)
{
	return yaml_document_get_root_node(&d->doc);
}

yaml_node_t *ydoc_node(struct ydoc *d, int id)
{
	return yaml_document_get_node(&d->doc, id);
}

bool ydoc_in_file(const struct ydoc *d, const yaml_node_t *n)
{
	return n && (size_t)(n - d->doc.nodes.start) < d->file_nodes;
}

void ydoc_where(const struct ydoc *d, const yaml_node_t *n, char *buf, size_t cap)
{
	size_t idx = n ? (size_t)(n - d->doc.nodes.start) : 0;
	if (!n) {
		snprintf(buf, cap, "%s", d->path);
		return;
	}
	if (idx >= d->file_nodes) {
		uint32_t s = 0;
		while (s + 1 < d->nsets && d->set[s + 1].first_node <= idx)
			s++;
		snprintf(buf, cap, "--set %s", d->set[s].key);
		return;
	}
	char pos[48];
	int poslen = snprintf(pos, sizeof(pos), ":%zu:%zu", n->start_mark.line + 1,
			      n->start_mark.column + 1);
	size_t plen = strlen(d->path), room = cap - (size_t)poslen - 1;
	if (plen > room)
		snprintf(buf, cap, "...%s%s", d->path + plen - (room - 3), pos);
	else
		snprintf(buf, cap, "%s%s", d->path, pos);
}

int ydoc_fail(const struct ydoc *d, const yaml_node_t *n, const char *key,
	      struct psp_err *err, int code, const char *fmt, ...)
{
	char where[sizeof(err->where)], msg[sizeof(err->msg)];
	ydoc_where(d, n, where, sizeof(where));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return psp_err_set(err, code, where, key, "%s", msg);
}

const char *ydoc_scalar(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

const char *ydoc_kind(const yaml_node_t *n)
{
	switch (n ? n->type : YAML_NO_NODE) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

yaml_node_t *ydoc_get(struct ydoc *d, yaml_node_t *m, const char *key)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	     p++) {
		const char *ks = ydoc_scalar(ydoc_node(d, p->key));
		if (ks && strcmp(ks, key) == 0)
			return ydoc_node(d, p->value);
	}
	return NULL;
}

/* prefix.k, or k when prefix is empty; a cut key ends in '~'. */
static const char *key_join(char *buf, size_t cap, const char *prefix, const char *k)
{
	if (snprintf(buf, cap, "%s%s%s", prefix, prefix[0] ? "." : "", k) >= (int)cap)
		buf[cap - 2] = '~';
	return buf;
}

int ydoc_map(struct ydoc *d, yaml_node_t *n, const char *prefix, const char *const *allowed,
	     size_t nallowed, yaml_node_t **vals, yaml_node_t **keys, struct psp_err *err)
{
	yaml_node_t *v[YDOC_MAP_MAX], *k[YDOC_MAP_MAX];
	char key[YDOC_KEY_MAX];
	if (nallowed > YDOC_MAP_MAX)
		return psp_err_set(err, -E2BIG, d->path, prefix, "more than %u keys allowed",
				   YDOC_MAP_MAX); /* a loader's table, not the user's file */
	for (size_t i = 0; i < nallowed; i++)
		v[i] = k[i] = NULL;
	if (!n || n->type != YAML_MAPPING_NODE)
		return ydoc_fail(d, n, prefix[0] ? prefix : "(top level)", err, -EINVAL,
				 "expected a mapping, got %s", ydoc_kind(n));
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *kn = ydoc_node(d, p->key);
		const char *ks = ydoc_scalar(kn);
		if (!ks)
			return ydoc_fail(d, kn, prefix, err, -EINVAL, "expected a key name, got %s",
					 ydoc_kind(kn));
		size_t i = 0;
		while (i < nallowed && strcmp(ks, allowed[i]) != 0)
			i++;
		if (i == nallowed) {
			char list[400];
			size_t len = 0;
			list[0] = '\0';
			for (size_t j = 0; j < nallowed && len < sizeof(list); j++)
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
							j ? ", " : "", allowed[j]);
			const char *near = psp_suggest(ks, allowed, nallowed);
			return ydoc_fail(d, kn, key_join(key, sizeof(key), prefix, ks), err, -EINVAL,
					 "unknown key '%.40s%s'%s%s%s; allowed here: %s", ks,
					 strlen(ks) > 40 ? "..." : "", near ? " (did you mean '" : "",
					 near ? near : "", near ? "'?)" : "", list);
		}
		if (v[i])
			return ydoc_fail(d, kn, key_join(key, sizeof(key), prefix, ks), err, -EINVAL,
					 "duplicate key '%s' (first given on line %zu)", ks,
					 k[i]->start_mark.line + 1);
		v[i] = ydoc_node(d, p->value);
		k[i] = kn;
	}
	for (size_t i = 0; i < nallowed; i++) {
		if (vals)
			vals[i] = v[i];
		if (keys)
			keys[i] = k[i];
	}
	return 0;
}

static size_t node_count(const struct ydoc *y)
{
	return (size_t)(y->doc.nodes.top - y->doc.nodes.start);
}

/* Copies node id of src (a --set value) into y's document, depth first.
 * An alias is copied as often as it is used, so nested anchors would grow
 * exponentially ("billion laughs": a 300-byte value made millions of nodes):
 * *budget counts the nodes still allowed.  Returns the new node's id, 0
 * when libyaml runs out of memory or the value nests too deep, -1 when the
 * budget ran out. */
static int copy_node(struct ydoc *y, yaml_document_t *src, int id, int depth, size_t *budget)
{
	yaml_node_t *n = yaml_document_get_node(src, id);
	if (depth > 32) /* a command-line value: nothing real nests this deep */
		return 0;
	if (*budget == 0)
		return -1;
	--*budget;
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return yaml_document_add_scalar(&y->doc, NULL, n->data.scalar.value,
						(int)n->data.scalar.length, n->data.scalar.style);
	case YAML_SEQUENCE_NODE: {
		int to = yaml_document_add_sequence(&y->doc, NULL, n->data.sequence.style);
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     to && it < n->data.sequence.items.top; it++) {
			int c = copy_node(y, src, *it, depth + 1, budget);
			if (c <= 0)
				return c;
			if (!yaml_document_append_sequence_item(&y->doc, to, c))
				return 0;
		}
		return to;
	}
	case YAML_MAPPING_NODE: {
		int to = yaml_document_add_mapping(&y->doc, NULL, n->data.mapping.style);
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     to && p < n->data.mapping.pairs.top; p++) {
			int k = copy_node(y, src, p->key, depth + 1, budget);
			int v = k > 0 ? copy_node(y, src, p->value, depth + 1, budget) : k;
			if (v <= 0)
				return v;
			if (!yaml_document_append_mapping_pair(&y->doc, to, k, v))
				return 0;
		}
		return to;
	}
	default:
		return 0;
	}
}

/* The pair of mapping id whose key is name, or NULL.  Node ids stay valid
 * as nodes are added; pointers do not, so callers look pairs up again. */
static yaml_node_pair_t *find_pair(struct ydoc *y, int id, const char *name)
{
	yaml_node_t *m = yaml_document_get_node(&y->doc, id);
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	     p++) {
		const char *k = ydoc_scalar(yaml_document_get_node(&y->doc, p->key));
		if (k && !strcmp(k, name))
			return p;
	}
	return NULL;
}

static int add_word(struct ydoc *y, const char *w)
{
	return yaml_document_add_scalar(&y->doc, NULL, (yaml_char_t *)w, (int)strlen(w),
					YAML_PLAIN_SCALAR_STYLE);
}

int ydoc_set(struct ydoc *y, const char *item, struct psp_err *err)
{
	const char *eq = strchr(item, '=');
	size_t klen = eq ? (size_t)(eq - item) : 0;
	if (!eq || klen == 0 || klen >= YDOC_KEY_MAX)
		return psp_err_set(err, -EINVAL, "--set", NULL,
				   "expected KEY=VALUE with a dotted KEY of at most %u characters "
				   "(port.vdev=..., policy.quantum_us=5), got \"%.60s\"",
				   YDOC_KEY_MAX - 1, item);
	char key[YDOC_KEY_MAX], where[YDOC_KEY_MAX + 8];
	memcpy(key, item, klen);
	key[klen] = '\0';
	snprintf(where, sizeof(where), "--set %s", key);
	for (size_t i = 0; i < klen; i++)
		if (!(isalnum((unsigned char)key[i]) || key[i] == '_' ||
		      (key[i] == '.' && i > 0 && i + 1 < klen && key[i + 1] != '.')))
			return psp_err_set(err, -EINVAL, where, key,
					   "a key is words joined by dots (queues.requests)");
	yaml_node_t *root = ydoc_root(y);
	if (!root || root->type != YAML_MAPPING_NODE)
		return psp_err_set(err, -EINVAL, where, key, "the file's top level is not a mapping");
	if (y->nsets == YDOC_MAX_SETS)
		return psp_err_set(err, -E2BIG, where, key, "at most %u --set items",
				   YDOC_MAX_SETS);

	yaml_parser_t parser;
	yaml_document_t val;
	if (!yaml_parser_initialize(&parser))
		return psp_err_set(err, -ENOMEM, where, key, "libyaml: out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)eq + 1, strlen(eq + 1));
	if (!yaml_parser_load(&parser, &val)) {
		int rc = psp_err_set(err, -EINVAL, where, key,
				     "the value is not YAML (%s): quote it, --set '%s=\"...\"'",
				     parser.problem ? parser.problem : "unknown error", key);
		yaml_parser_delete(&parser);
		return rc;
	}
	yaml_parser_delete(&parser);
	y->set[y->nsets].first_node = node_count(y);
	snprintf(y->set[y->nsets].key, YDOC_KEY_MAX, "%s", key);
	y->nsets++;
	size_t budget = YDOC_SET_MAX_NODES;
	int vid = yaml_document_get_root_node(&val) ? copy_node(y, &val, 1, 0, &budget)
						     : add_word(y, "");
	yaml_document_delete(&val);
	if (vid < 0)
		return psp_err_set(err, -E2BIG, where, key,
				   "the value expands to more than %u nodes (aliases are copied "
				   "each time they are used)", YDOC_SET_MAX_NODES);
	if (!vid)
		return psp_err_set(err, -ENOMEM, where, key,
				   "libyaml: out of memory (or a value nested too deep)");

	/* Walks key from the root, making the mappings it lacks. */
	int m = 1; /* the root */
	for (char *seg = key, *dot;; seg = dot + 1) {
		dot = strchr(seg, '.');
		if (dot)
			*dot = '\0';
		yaml_node_pair_t *p = find_pair(y, m, seg);
		if (!dot) {
			if (p) {
				p->value = vid;
				return 0;
			}
			int k = add_word(y, seg);
			if (!k || !yaml_document_append_mapping_pair(&y->doc, m, k, vid))
				break;
			return 0;
		}
		yaml_node_t *v = p ? yaml_document_get_node(&y->doc, p->value) : NULL;
		if (v && v->type == YAML_MAPPING_NODE) {
			m = p->value;
		} else if (v && v->type == YAML_SEQUENCE_NODE) {
			snprintf(where, sizeof(where), "--set %.*s", (int)(dot - key), key);
			return psp_err_set(err, -EINVAL, where, key,
					   "a list: give it whole, --set '%s=[...]'", key);
		} else {
			/* Absent, or a name (policy: darc): a mapping {name: ...}. */
			int name = v ? p->value : 0, nm = yaml_document_add_mapping(
				&y->doc, NULL, YAML_BLOCK_MAPPING_STYLE);
			int nk = name ? add_word(y, "name") : -1, k = p ? -1 : add_word(y, seg);
			if (!nm || !nk || !k)
				break;
			if (name && !yaml_document_append_mapping_pair(&y->doc, nm, nk, name))
				break;
			if (p)
				find_pair(y, m, seg)->value = nm;
			else if (!yaml_document_append_mapping_pair(&y->doc, m, k, nm))
				break;
			m = nm;
		}
		*dot = '.';
	}
	return psp_err_set(err, -ENOMEM, where, key, "libyaml: out of memory");
}

