/* The engine's and client's config layer over the YAML layer; see yconf.h. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "yconf.h"

int yconf_load(struct ydoc *y, const char *path, const struct yconf_overrides *ov,
	       struct psp_err *err)
{
	int rc = ydoc_load(y, path, "config", err);
	if (rc < 0)
		return rc;
	yaml_node_t *root = ydoc_root(y);
	if (!root || root->type != YAML_MAPPING_NODE)
		rc = psp_err_set(err, -EINVAL, path, NULL, "the top level must be a mapping of keys");
	for (size_t i = 0; rc == 0 && ov && i < ov->nset; i++)
		rc = ydoc_set(y, ov->set[i], err);
	if (rc < 0)
		ydoc_free(y);
	return rc;
}

void yconf_print_sets(const char *const *set, size_t n, FILE *out)
{
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  --set %s\n", set[i]);
}

int yconf_check_keys(struct ydoc *y, yaml_node_t *m, const char *prefix,
		     const char *const *allowed, struct psp_err *err)
{
	size_t n = 0;
	while (allowed[n])
		n++;
	return ydoc_map(y, m, prefix, allowed, n, NULL, NULL, err);
}

int yconf_u64(struct ydoc *y, yaml_node_t *n, const char *key, uint64_t min,
	      uint64_t max, uint64_t *out, struct psp_err *err)
{
	const char *s = ydoc_scalar(n);
	if (!s || !*s)
		return ydoc_fail(y, n, key, err, -EINVAL, "must be an integer");
	char *end;
	errno = 0;
	/* strtoull accepts a leading '-' and wraps: reject it ourselves. */
	const char *t = s;
	while (isspace((unsigned char)*t))
		t++;
	if (*t == '-')
		return ydoc_fail(y, n, key, err, -ERANGE,
				  "must be in %llu..%llu, got %s",
				  (unsigned long long)min, (unsigned long long)max, s);
	unsigned long long v = strtoull(s, &end, 0);
	if (*end != '\0')
		return ydoc_fail(y, n, key, err, -EINVAL, "must be an integer, got \"%s\"", s);
	if (errno == ERANGE || v < min || v > max)
		return ydoc_fail(y, n, key, err, -ERANGE,
				  "must be in %llu..%llu, got %s",
				  (unsigned long long)min, (unsigned long long)max, s);
	*out = v;
	return 0;
}

int yconf_double(struct ydoc *y, yaml_node_t *n, const char *key, double min,
		 double max, double *out, struct psp_err *err)
{
	const char *s = ydoc_scalar(n);
	if (!s || !*s)
		return ydoc_fail(y, n, key, err, -EINVAL, "must be a number");
	char *end;
	double v = strtod(s, &end);
	if (*end != '\0' || !isfinite(v))
		return ydoc_fail(y, n, key, err, -EINVAL, "must be a number, got \"%s\"", s);
	if (v < min || v > max)
		return ydoc_fail(y, n, key, err, -ERANGE, "must be in [%g, %g], got %s",
				  min, max, s);
	*out = v;
	return 0;
}

int yconf_bool(struct ydoc *y, yaml_node_t *n, const char *key, bool *out,
	       struct psp_err *err)
{
	const char *s = ydoc_scalar(n);
	if (s && (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on"))) {
		*out = true;
		return 0;
	}
	if (s && (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off"))) {
		*out = false;
		return 0;
	}
	return ydoc_fail(y, n, key, err, -EINVAL, "must be true or false, got \"%s\"",
			  s ? s : "(not a scalar)");
}

int yconf_str(struct ydoc *y, yaml_node_t *n, const char *key, char *buf,
	      size_t cap, struct psp_err *err)
{
	const char *s = ydoc_scalar(n);
	if (!s)
		return ydoc_fail(y, n, key, err, -EINVAL, "must be a string");
	if (strlen(s) >= cap)
		return ydoc_fail(y, n, key, err, -ENAMETOOLONG,
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

int yconf_ipv4(struct ydoc *y, yaml_node_t *n, const char *key, uint32_t *out,
	       struct psp_err *err)
{
	const char *s = ydoc_scalar(n);
	if (!s || yconf_parse_ipv4(s, out) < 0)
		return ydoc_fail(y, n, key, err, -EINVAL,
				  "must be an IPv4 address like 198.18.0.2, got \"%s\"",
				  s ? s : "(not a scalar)");
	return 0;
}

int yconf_mac(struct ydoc *y, yaml_node_t *n, const char *key, uint8_t out[6],
	      struct psp_err *err)
{
	const char *s = ydoc_scalar(n);
	if (!s || yconf_parse_mac(s, out) < 0)
		return ydoc_fail(y, n, key, err, -EINVAL,
				  "must be a MAC address like 02:00:00:00:00:01, got \"%s\"",
				  s ? s : "(not a scalar)");
	return 0;
}

/* A sequence of scalars into strings (each strdup'ed into out[]; caller frees
 * with free()).  *count receives the length. */
static int yconf_str_list(struct ydoc *y, yaml_node_t *n, const char *key, char **out,
		   size_t cap, size_t *count, struct psp_err *err)
{
	if (!n || n->type != YAML_SEQUENCE_NODE)
		return ydoc_fail(y, n, key, err, -EINVAL, "must be a list");
	size_t len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (len > cap)
		return ydoc_fail(y, n, key, err, -E2BIG, "at most %zu items, got %zu",
				  cap, len);
	*count = 0;
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *it = ydoc_node(y, n->data.sequence.items.start[i]);
		const char *s = ydoc_scalar(it);
		if (!s) {
			char k[128];
			snprintf(k, sizeof(k), "%s[%zu]", key, i);
			return ydoc_fail(y, it, k, err, -EINVAL, "must be a string");
		}
		out[i] = strdup(s);
		if (!out[i])
			return psp_err_set(err, -ENOMEM, NULL, key, "out of memory");
		(*count)++;
	}
	return 0;
}

int yconf_eal(struct ydoc *y, yaml_node_t *root, char **eal, size_t cap,
	      uint32_t *neal, struct psp_err *err)
{
	yaml_node_t *v = ydoc_get(y, root, "eal");
	size_t n = 0;
	*neal = 0;
	if (!v)
		return 0;
	int rc = yconf_str_list(y, v, "eal", eal, cap, &n, err);
	*neal = (uint32_t)n; /* what was strdup'ed, even on failure, for the caller to free */
	return rc;
}

int yconf_port(struct ydoc *y, yaml_node_t *root, char *spec, size_t cap,
	       bool *is_pci, struct psp_err *err)
{
	static const char *const keys[] = {"vdev", "pci", NULL};
	yaml_node_t *n = ydoc_get(y, root, "port");
	if (!n)
		return ydoc_fail(y, root, "port", err, -EINVAL,
				  "required: {vdev: \"net_memif0,...\"} or {pci: \"0000:01:00.0\"}");
	int rc = yconf_check_keys(y, n, "port", keys, err);
	if (rc < 0)
		return rc;
	yaml_node_t *vdev = ydoc_get(y, n, "vdev"), *pci = ydoc_get(y, n, "pci");
	if ((vdev != NULL) == (pci != NULL))
		return ydoc_fail(y, n, "port", err, -EINVAL,
				  "give exactly one of vdev (a --vdev string) or pci "
				  "(a PCI address)");
	*is_pci = pci != NULL;
	yaml_node_t *v = pci ? pci : vdev;
	const char *key = pci ? "port.pci" : "port.vdev";
	if ((rc = yconf_str(y, v, key, spec, cap, err)) == 0 && spec[0] == '\0')
		return ydoc_fail(y, v, key, err, -EINVAL,
				  pci ? "must be a PCI address like 0000:01:00.0, got \"\""
				      : "must be a --vdev string like \"net_memif0,role=server,...\", got \"\"");
	return rc;
}

int yconf_ip_mac(struct ydoc *y, yaml_node_t *root, const char *whose, uint32_t *ip,
		 uint8_t mac[6], bool *has_mac, struct psp_err *err)
{
	yaml_node_t *v = ydoc_get(y, root, "ip");
	if (!v)
		return ydoc_fail(y, root, "ip", err, -EINVAL,
				  "required: the %s IPv4 address", whose);
	int rc = yconf_ipv4(y, v, "ip", ip, err);
	if (rc < 0)
		return rc;
	*has_mac = false;
	if ((v = ydoc_get(y, root, "mac"))) {
		if ((rc = yconf_mac(y, v, "mac", mac, err)) < 0)
			return rc;
		*has_mac = true;
	}
	return 0;
}

int yconf_instance(struct ydoc *y, yaml_node_t *root, char *buf, size_t cap,
		   struct psp_err *err)
{
	yaml_node_t *v = ydoc_get(y, root, "instance");
	buf[0] = '\0';
	if (!v)
		return 0;
	const char *s = ydoc_scalar(v);
	size_t n = s ? strlen(s) : 0;
	bool ok = n >= 1 && n <= YCONF_INSTANCE_MAX && n < cap;
	for (size_t i = 0; ok && i < n; i++)
		ok = isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_';
	if (!ok)
		return ydoc_fail(y, v, "instance", err, -EINVAL,
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
		} else if (p[1] == 'u') {
			snprintf(num, sizeof(num), "%lu", (unsigned long)getuid());
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
static int check_one(struct ydoc *y, yaml_node_t *n, const char *key, struct psp_err *err)
{
	char tmp[512];
	const char *s = ydoc_scalar(n);
	if (s && yconf_expand(s, "i", tmp, sizeof(tmp)) == -EINVAL)
		return ydoc_fail(y, n, key, err, -EINVAL,
				  "a '%%' must start %%p (the process id), %%u (the user id), "
				  "%%i (the instance) or %%%% (a '%%'), got \"%.60s\"", s);
	return 0;
}

int yconf_check_expand(struct ydoc *y, yaml_node_t *root, struct psp_err *err)
{
	yaml_node_t *eal = ydoc_get(y, root, "eal"), *port = ydoc_get(y, root, "port");
	int rc = 0;
	for (yaml_node_item_t *it = eal && eal->type == YAML_SEQUENCE_NODE
					    ? eal->data.sequence.items.start : NULL;
	     it && it < eal->data.sequence.items.top && rc == 0; it++) {
		char k[48];
		snprintf(k, sizeof(k), "eal[%zu]", (size_t)(it - eal->data.sequence.items.start));
		rc = check_one(y, ydoc_node(y, *it), k, err);
	}
	yaml_node_t *v;
	if (rc == 0 && port && (v = ydoc_get(y, port, "vdev")))
		rc = check_one(y, v, "port.vdev", err);
	if (rc == 0 && port && (v = ydoc_get(y, port, "pci")))
		rc = check_one(y, v, "port.pci", err);
	if (rc == 0 && (v = ydoc_get(y, root, "output_dir")))
		rc = check_one(y, v, "output_dir", err);
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

/* A tap device's iface= becomes a Linux interface name: at most 15 bytes
 * (IFNAMSIZ - 1), which a long instance in "psp-%i" can pass.  The kernel
 * would truncate it or DPDK fail with a vaguer message. */
static int check_tap_name(const char *expanded, const char *raw, struct psp_err *err)
{
	enum { IFNAME_MAX = 15 };
	if (strncmp(expanded, "net_tap", 7) != 0)
		return 0;
	const char *at = strstr(expanded, ",iface=");
	if (!at)
		return 0;
	at += strlen(",iface=");
	size_t len = strcspn(at, ",");
	if (len <= IFNAME_MAX)
		return 0;
	return psp_err_set(err, -ENAMETOOLONG, NULL, "port",
			   "the tap interface name \"%.*s\" (from \"%s\") is %zu bytes; Linux "
			   "allows %d: use a shorter instance or name", (int)len, at, raw, len,
			   IFNAME_MAX);
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
	if ((rc = check_tap_name(tmp, spec, err)) < 0)
		return rc;
	memcpy(spec, tmp, strlen(tmp) + 1);
	return 0;
}
