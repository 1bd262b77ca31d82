/* libyaml document helpers for the engine and client configs. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "yconf.h"

static size_t node_count(const struct yconf *y)
{
	return (size_t)(y->doc.nodes.top - y->doc.nodes.start);
}

/* Copies node id of src (a --set value) into y's document, depth first.
 * Returns the new node's id, or 0 when libyaml runs out of memory. */
static int copy_node(struct yconf *y, yaml_document_t *src, int id, int depth)
{
	yaml_node_t *n = yaml_document_get_node(src, id);
	if (depth > 32) /* a command-line value: nothing real nests this deep */
		return 0;
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return yaml_document_add_scalar(&y->doc, NULL, n->data.scalar.value,
						(int)n->data.scalar.length, n->data.scalar.style);
	case YAML_SEQUENCE_NODE: {
		int to = yaml_document_add_sequence(&y->doc, NULL, n->data.sequence.style);
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     to && it < n->data.sequence.items.top; it++) {
			int c = copy_node(y, src, *it, depth + 1);
			if (!c || !yaml_document_append_sequence_item(&y->doc, to, c))
				return 0;
		}
		return to;
	}
	case YAML_MAPPING_NODE: {
		int to = yaml_document_add_mapping(&y->doc, NULL, n->data.mapping.style);
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     to && p < n->data.mapping.pairs.top; p++) {
			int k = copy_node(y, src, p->key, depth + 1);
			int v = k ? copy_node(y, src, p->value, depth + 1) : 0;
			if (!v || !yaml_document_append_mapping_pair(&y->doc, to, k, v))
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
static yaml_node_pair_t *find_pair(struct yconf *y, int id, const char *name)
{
	yaml_node_t *m = yaml_document_get_node(&y->doc, id);
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	     p++) {
		const char *k = yconf_scalar(yaml_document_get_node(&y->doc, p->key));
		if (k && !strcmp(k, name))
			return p;
	}
	return NULL;
}

static int add_word(struct yconf *y, const char *w)
{
	return yaml_document_add_scalar(&y->doc, NULL, (yaml_char_t *)w, (int)strlen(w),
					YAML_PLAIN_SCALAR_STYLE);
}

/* Applies one --set KEY=VALUE to the document (yconf_load's comment). */
static int apply_set(struct yconf *y, const char *item, struct psp_err *err)
{
	const char *eq = strchr(item, '=');
	size_t klen = eq ? (size_t)(eq - item) : 0;
	if (!eq || klen == 0 || klen >= YCONF_KEY_MAX)
		return psp_err_set(err, -EINVAL, "--set", NULL,
				   "expected KEY=VALUE with a dotted KEY of at most %u characters "
				   "(port.vdev=..., policy.quantum_us=5), got \"%.60s\"",
				   YCONF_KEY_MAX - 1, item);
	char key[YCONF_KEY_MAX], where[YCONF_KEY_MAX + 8];
	memcpy(key, item, klen);
	key[klen] = '\0';
	snprintf(where, sizeof(where), "--set %s", key);
	for (size_t i = 0; i < klen; i++)
		if (!(isalnum((unsigned char)key[i]) || key[i] == '_' ||
		      (key[i] == '.' && i > 0 && i + 1 < klen && key[i + 1] != '.')))
			return psp_err_set(err, -EINVAL, where, key,
					   "a key is words joined by dots (queues.requests)");
	if (y->nsets == YCONF_MAX_SETS)
		return psp_err_set(err, -E2BIG, where, key, "at most %u --set items",
				   YCONF_MAX_SETS);

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
	snprintf(y->set[y->nsets].key, YCONF_KEY_MAX, "%s", key);
	y->nsets++;
	int vid = yaml_document_get_root_node(&val) ? copy_node(y, &val, 1, 0) : add_word(y, "");
	yaml_document_delete(&val);
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

int yconf_load(struct yconf *y, const char *path, const struct yconf_overrides *ov,
	       struct psp_err *err)
{
	memset(y, 0, sizeof(*y));
	if (strlen(path) >= sizeof(y->path))
		return psp_err_set(err, -ENAMETOOLONG, NULL, NULL,
				   "config path of %zu characters is longer than %zu ('%.40s...')",
				   strlen(path), sizeof(y->path) - 1, path);
	snprintf(y->path, sizeof(y->path), "%s", path);
	FILE *f = fopen(path, "r");
	if (!f)
		return psp_err_set(err, -errno, path, NULL, "cannot open: %s",
				   strerror(errno));
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		return psp_err_set(err, -EISDIR, path, NULL, "is a directory, not a config file");
	}
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return psp_err_set(err, -ENOMEM, path, NULL, "libyaml: out of memory");
	}
	yaml_parser_set_input_file(&parser, f);
	int rc = 0;
	if (!yaml_parser_load(&parser, &y->doc)) {
		char where[192];
		snprintf(where, sizeof(where), "%.120s:%zu:%zu", path,
			 parser.problem_mark.line + 1, parser.problem_mark.column + 1);
		rc = psp_err_set(err, -EINVAL, where, NULL, "YAML syntax: %s",
				 parser.problem ? parser.problem : "unknown error");
	} else {
		y->loaded = true;
		yaml_node_t *root = yaml_document_get_root_node(&y->doc);
		if (!root || root->type != YAML_MAPPING_NODE) {
			rc = psp_err_set(err, -EINVAL, path, NULL,
					 "the top level must be a mapping of keys");
			yaml_document_delete(&y->doc);
			y->loaded = false;
		}
	}
	yaml_parser_delete(&parser);
	fclose(f);
	y->file_nodes = node_count(y);
	for (size_t i = 0; rc == 0 && ov && i < ov->nset; i++)
		rc = apply_set(y, ov->set[i], err);
	if (rc < 0)
		yconf_free(y);
	return rc;
}

void yconf_free(struct yconf *y)
{
	if (y->loaded)
		yaml_document_delete(&y->doc);
	y->loaded = false;
}

void yconf_print_sets(const char *const *set, size_t n, FILE *out)
{
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  --set %s\n", set[i]);
}

yaml_node_t *yconf_root(struct yconf *y)
{
	return yaml_document_get_root_node(&y->doc);
}

void yconf_where(const struct yconf *y, const yaml_node_t *n, char *buf, size_t cap)
{
	/* A path longer than 120 characters is cut so that the line and
	 * column always fit in psp_err.where. */
	size_t idx = n ? (size_t)(n - y->doc.nodes.start) : 0;
	if (!n) {
		snprintf(buf, cap, "%.120s", y->path);
	} else if (idx >= y->file_nodes) {
		uint32_t s = 0;
		while (s + 1 < y->nsets && y->set[s + 1].first_node <= idx)
			s++;
		snprintf(buf, cap, "--set %s", y->set[s].key);
	} else
		snprintf(buf, cap, "%.120s:%zu:%zu", y->path, n->start_mark.line + 1,
			 n->start_mark.column + 1);
}

int yconf_fail(const struct yconf *y, const yaml_node_t *n, const char *key,
	       struct psp_err *err, int code, const char *fmt, ...)
{
	char where[192], msg[256];
	yconf_where(y, n, where, sizeof(where));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return psp_err_set(err, code, where, key, "%s", msg);
}

const char *yconf_scalar(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

int yconf_check_keys(struct yconf *y, yaml_node_t *m, const char *prefix,
		     const char *const *allowed, struct psp_err *err)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return yconf_fail(y, m, prefix, err, -EINVAL, "must be a mapping of keys");
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
	     p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&y->doc, p->key);
		const char *ks = yconf_scalar(k);
		char full[160];
		snprintf(full, sizeof(full), "%s%s%s", prefix, *prefix ? "." : "",
			 ks ? ks : "?");
		if (!ks)
			return yconf_fail(y, k, prefix, err, -EINVAL, "keys must be plain words");
		bool known = false;
		for (size_t i = 0; allowed[i]; i++)
			if (strcmp(allowed[i], ks) == 0)
				known = true;
		if (!known) {
			char list[512];
			size_t n = 0;
			list[0] = '\0';
			for (size_t i = 0; allowed[i] && n < sizeof(list); i++)
				n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
						      i ? ", " : "", allowed[i]);
			return yconf_fail(y, k, full, err, -EINVAL,
					  "unknown key (known here: %s)", list);
		}
		for (yaml_node_pair_t *q = m->data.mapping.pairs.start; q < p; q++) {
			const char *qs = yconf_scalar(yaml_document_get_node(&y->doc, q->key));
			if (qs && strcmp(qs, ks) == 0)
				return yconf_fail(y, k, full, err, -EINVAL,
						  "given twice");
		}
	}
	return 0;
}

yaml_node_t *yconf_get(struct yconf *y, yaml_node_t *m, const char *key)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
	     p < m->data.mapping.pairs.top; p++) {
		const char *ks = yconf_scalar(yaml_document_get_node(&y->doc, p->key));
		if (ks && strcmp(ks, key) == 0)
			return yaml_document_get_node(&y->doc, p->value);
	}
	return NULL;
}

int yconf_u64(struct yconf *y, yaml_node_t *n, const char *key, uint64_t min,
	      uint64_t max, uint64_t *out, struct psp_err *err)
{
	const char *s = yconf_scalar(n);
	if (!s || !*s)
		return yconf_fail(y, n, key, err, -EINVAL, "must be an integer");
	char *end;
	errno = 0;
	/* strtoull accepts a leading '-' and wraps: reject it ourselves. */
	const char *t = s;
	while (isspace((unsigned char)*t))
		t++;
	if (*t == '-')
		return yconf_fail(y, n, key, err, -ERANGE,
				  "must be in %llu..%llu, got %s",
				  (unsigned long long)min, (unsigned long long)max, s);
	unsigned long long v = strtoull(s, &end, 0);
	if (*end != '\0')
		return yconf_fail(y, n, key, err, -EINVAL, "must be an integer, got \"%s\"", s);
	if (errno == ERANGE || v < min || v > max)
		return yconf_fail(y, n, key, err, -ERANGE,
				  "must be in %llu..%llu, got %s",
				  (unsigned long long)min, (unsigned long long)max, s);
	*out = v;
	return 0;
}

int yconf_double(struct yconf *y, yaml_node_t *n, const char *key, double min,
		 double max, double *out, struct psp_err *err)
{
	const char *s = yconf_scalar(n);
	if (!s || !*s)
		return yconf_fail(y, n, key, err, -EINVAL, "must be a number");
	char *end;
	double v = strtod(s, &end);
	if (*end != '\0' || !isfinite(v))
		return yconf_fail(y, n, key, err, -EINVAL, "must be a number, got \"%s\"", s);
	if (v < min || v > max)
		return yconf_fail(y, n, key, err, -ERANGE, "must be in [%g, %g], got %s",
				  min, max, s);
	*out = v;
	return 0;
}

int yconf_bool(struct yconf *y, yaml_node_t *n, const char *key, bool *out,
	       struct psp_err *err)
{
	const char *s = yconf_scalar(n);
	if (s && (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on"))) {
		*out = true;
		return 0;
	}
	if (s && (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off"))) {
		*out = false;
		return 0;
	}
	return yconf_fail(y, n, key, err, -EINVAL, "must be true or false, got \"%s\"",
			  s ? s : "(not a scalar)");
}

int yconf_str(struct yconf *y, yaml_node_t *n, const char *key, char *buf,
	      size_t cap, struct psp_err *err)
{
	const char *s = yconf_scalar(n);
	if (!s)
		return yconf_fail(y, n, key, err, -EINVAL, "must be a string");
	if (strlen(s) >= cap)
		return yconf_fail(y, n, key, err, -ENAMETOOLONG,
				  "too long (at most %zu characters)", cap - 1);
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

/* Strict dotted quad: four decimal numbers 0..255, no sign, no spaces, no
 * leading zero (inet_aton would read "010" as octal 8: refuse what is
 * ambiguous rather than guess). */
int yconf_parse_ipv4(const char *s, uint32_t *out)
{
	uint32_t ip = 0;
	for (int i = 0; i < 4; i++) {
		if (i > 0 && *s++ != '.')
			return -EINVAL;
		if (!isdigit((unsigned char)s[0]) || (s[0] == '0' && isdigit((unsigned char)s[1])))
			return -EINVAL;
		unsigned v = 0;
		int digits = 0;
		for (; isdigit((unsigned char)*s) && digits < 4; s++, digits++)
			v = v * 10 + (unsigned)(*s - '0');
		if (v > 255)
			return -EINVAL;
		ip = ip << 8 | v;
	}
	if (*s != '\0')
		return -EINVAL;
	*out = ip;
	return 0;
}

static int hex_digit(char c)
{
	return isdigit((unsigned char)c) ? c - '0'
	       : isxdigit((unsigned char)c) ? tolower((unsigned char)c) - 'a' + 10 : -1;
}

/* Strict "aa:bb:cc:dd:ee:ff": six pairs of hex digits. */
int yconf_parse_mac(const char *s, uint8_t out[6])
{
	uint8_t m[6];
	for (int i = 0; i < 6; i++, s += 3) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);
		if (lo < 0 || s[2] != (i < 5 ? ':' : '\0'))
			return -EINVAL;
		m[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(out, m, 6);
	return 0;
}

int yconf_ipv4(struct yconf *y, yaml_node_t *n, const char *key, uint32_t *out,
	       struct psp_err *err)
{
	const char *s = yconf_scalar(n);
	if (!s || yconf_parse_ipv4(s, out) < 0)
		return yconf_fail(y, n, key, err, -EINVAL,
				  "must be an IPv4 address like 198.18.0.2, got \"%s\"",
				  s ? s : "(not a scalar)");
	return 0;
}

int yconf_mac(struct yconf *y, yaml_node_t *n, const char *key, uint8_t out[6],
	      struct psp_err *err)
{
	const char *s = yconf_scalar(n);
	if (!s || yconf_parse_mac(s, out) < 0)
		return yconf_fail(y, n, key, err, -EINVAL,
				  "must be a MAC address like 02:00:00:00:00:01, got \"%s\"",
				  s ? s : "(not a scalar)");
	return 0;
}

int yconf_str_list(struct yconf *y, yaml_node_t *n, const char *key, char **out,
		   size_t cap, size_t *count, struct psp_err *err)
{
	if (!n || n->type != YAML_SEQUENCE_NODE)
		return yconf_fail(y, n, key, err, -EINVAL, "must be a list");
	size_t len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (len > cap)
		return yconf_fail(y, n, key, err, -E2BIG, "at most %zu items, got %zu",
				  cap, len);
	*count = 0;
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *it = yaml_document_get_node(&y->doc,
							 n->data.sequence.items.start[i]);
		const char *s = yconf_scalar(it);
		if (!s) {
			char k[128];
			snprintf(k, sizeof(k), "%s[%zu]", key, i);
			return yconf_fail(y, it, k, err, -EINVAL, "must be a string");
		}
		out[i] = strdup(s);
		if (!out[i])
			return psp_err_set(err, -ENOMEM, NULL, key, "out of memory");
		(*count)++;
	}
	return 0;
}

int yconf_eal(struct yconf *y, yaml_node_t *root, char **eal, size_t cap,
	      uint32_t *neal, struct psp_err *err)
{
	yaml_node_t *v = yconf_get(y, root, "eal");
	size_t n = 0;
	*neal = 0;
	if (!v)
		return 0;
	int rc = yconf_str_list(y, v, "eal", eal, cap, &n, err);
	*neal = (uint32_t)n; /* what was strdup'ed, even on failure, for the caller to free */
	return rc;
}

int yconf_port(struct yconf *y, yaml_node_t *root, char *spec, size_t cap,
	       bool *is_pci, struct psp_err *err)
{
	static const char *const keys[] = {"vdev", "pci", NULL};
	yaml_node_t *n = yconf_get(y, root, "port");
	if (!n)
		return yconf_fail(y, root, "port", err, -EINVAL,
				  "required: {vdev: \"net_memif0,...\"} or {pci: \"0000:01:00.0\"}");
	int rc = yconf_check_keys(y, n, "port", keys, err);
	if (rc < 0)
		return rc;
	yaml_node_t *vdev = yconf_get(y, n, "vdev"), *pci = yconf_get(y, n, "pci");
	if ((vdev != NULL) == (pci != NULL))
		return yconf_fail(y, n, "port", err, -EINVAL,
				  "give exactly one of vdev (a --vdev string) or pci "
				  "(a PCI address)");
	*is_pci = pci != NULL;
	yaml_node_t *v = pci ? pci : vdev;
	const char *key = pci ? "port.pci" : "port.vdev";
	if ((rc = yconf_str(y, v, key, spec, cap, err)) == 0 && spec[0] == '\0')
		return yconf_fail(y, v, key, err, -EINVAL,
				  pci ? "must be a PCI address like 0000:01:00.0, got \"\""
				      : "must be a --vdev string like \"net_memif0,role=server,...\", got \"\"");
	return rc;
}

int yconf_ip_mac(struct yconf *y, yaml_node_t *root, const char *whose, uint32_t *ip,
		 uint8_t mac[6], bool *has_mac, struct psp_err *err)
{
	yaml_node_t *v = yconf_get(y, root, "ip");
	if (!v)
		return yconf_fail(y, root, "ip", err, -EINVAL,
				  "required: the %s IPv4 address", whose);
	int rc = yconf_ipv4(y, v, "ip", ip, err);
	if (rc < 0)
		return rc;
	*has_mac = false;
	if ((v = yconf_get(y, root, "mac"))) {
		if ((rc = yconf_mac(y, v, "mac", mac, err)) < 0)
			return rc;
		*has_mac = true;
	}
	return 0;
}

int yconf_instance(struct yconf *y, yaml_node_t *root, char *buf, size_t cap,
		   struct psp_err *err)
{
	yaml_node_t *v = yconf_get(y, root, "instance");
	buf[0] = '\0';
	if (!v)
		return 0;
	const char *s = yconf_scalar(v);
	size_t n = s ? strlen(s) : 0;
	bool ok = n >= 1 && n <= YCONF_INSTANCE_MAX && n < cap;
	for (size_t i = 0; ok && i < n; i++)
		ok = isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_';
	if (!ok)
		return yconf_fail(y, v, "instance", err, -EINVAL,
				  "must be 1..%u letters, digits, '-' or '_' (it names files), "
				  "got \"%.40s\"", YCONF_INSTANCE_MAX, s ? s : "(not a scalar)");
	memcpy(buf, s, n + 1);
	return 1;
}

int yconf_expand(const char *in, const char *instance, char *out, size_t cap)
{
	size_t n = 0;
	for (const char *p = in; *p; p++) {
		char num[24];
		const char *add = num;
		if (*p != '%') {
			num[0] = *p;
			num[1] = '\0';
		} else if (p[1] == '%') {
			add = "%";
			p++;
		} else if (p[1] == 'p') {
			snprintf(num, sizeof(num), "%ld", (long)getpid());
			p++;
		} else if (p[1] == 'i') {
			if (!instance)
				return -ENOENT;
			add = instance;
			p++;
		} else {
			return -EINVAL;
		}
		size_t len = strlen(add);
		if (n + len >= cap)
			return -ENAMETOOLONG;
		memcpy(out + n, add, len);
		n += len;
	}
	out[n] = '\0';
	return 0;
}

/* The expansion of one string of a config node, checked. */
static int check_one(struct yconf *y, yaml_node_t *n, const char *key, struct psp_err *err)
{
	char tmp[512];
	const char *s = yconf_scalar(n);
	if (s && yconf_expand(s, "i", tmp, sizeof(tmp)) == -EINVAL)
		return yconf_fail(y, n, key, err, -EINVAL,
				  "a '%%' must start %%p (the process id), %%i (the instance) "
				  "or %%%% (a '%%'), got \"%.60s\"", s);
	return 0;
}

int yconf_check_expand(struct yconf *y, yaml_node_t *root, struct psp_err *err)
{
	yaml_node_t *eal = yconf_get(y, root, "eal"), *port = yconf_get(y, root, "port");
	int rc = 0;
	for (yaml_node_item_t *it = eal && eal->type == YAML_SEQUENCE_NODE
					    ? eal->data.sequence.items.start : NULL;
	     it && it < eal->data.sequence.items.top && rc == 0; it++) {
		char k[48];
		snprintf(k, sizeof(k), "eal[%zu]", (size_t)(it - eal->data.sequence.items.start));
		rc = check_one(y, yaml_document_get_node(&y->doc, *it), k, err);
	}
	yaml_node_t *v;
	if (rc == 0 && port && (v = yconf_get(y, port, "vdev")))
		rc = check_one(y, v, "port.vdev", err);
	if (rc == 0 && port && (v = yconf_get(y, port, "pci")))
		rc = check_one(y, v, "port.pci", err);
	return rc;
}

/* Why expanding key failed. */
static int expand_fail(int rc, const char *key, const char *s, struct psp_err *err)
{
	if (rc == -ENOENT)
		return psp_err_set(err, rc, NULL, key,
				   "\"%.60s\" uses %%i and no instance is known: give one "
				   "(--set instance=NAME)", s);
	return psp_err_set(err, rc, NULL, key, "\"%.60s\" is too long once expanded", s);
}

int yconf_expand_all(char **eal, uint32_t neal, char *spec, size_t cap,
		     const char *instance, struct psp_err *err)
{
	char tmp[512];
	int rc;
	for (uint32_t i = 0; i < neal; i++) {
		char k[32];
		snprintf(k, sizeof(k), "eal[%u]", i);
		if ((rc = yconf_expand(eal[i], instance, tmp, sizeof(tmp))) < 0)
			return expand_fail(rc, k, eal[i], err);
		char *dup = strdup(tmp);
		if (!dup)
			return psp_err_set(err, -ENOMEM, NULL, k, "out of memory");
		free(eal[i]);
		eal[i] = dup;
	}
	if ((rc = yconf_expand(spec, instance, tmp, cap < sizeof(tmp) ? cap : sizeof(tmp))) < 0)
		return expand_fail(rc, "port", spec, err);
	memcpy(spec, tmp, strlen(tmp) + 1);
	return 0;
}
