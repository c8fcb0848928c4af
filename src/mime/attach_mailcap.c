/* attach_mailcap.c - the viewer for a content type from mailcap files
 * (RFC 1524): "type/subtype; command; flag; key=value".
 *
 * Only what a pager needs: the first matching entry whose test= (if
 * any) succeeds, with %s and %t substituted and the flags reported.  A
 * %s already inside quotes in the file ('%s' or "%s") has the quotes
 * replaced, so a file name is always quoted exactly once. */
#include "mime/view_private.h"

#include "core/core.h"

#include <string.h>
#include <sys/wait.h>

#define MAILCAP_MAX (1u << 20)

/* The ';'-separated fields of one entry, "\;" kept as ';'.  Owned. */
static GPtrArray *split_fields(const char *line)
{
	GPtrArray *f = g_ptr_array_new_with_free_func(g_free);
	GString *cur = g_string_new(NULL);

	for (const char *p = line; *p; p++) {
		if (*p == '\\' && p[1]) {
			/* Keep the backslash except before ';': the shell needs it. */
			if (p[1] != ';')
				g_string_append_c(cur, '\\');
			g_string_append_c(cur, *++p);
		} else if (*p == ';') {
			g_ptr_array_add(f, g_strstrip(g_string_free(cur, FALSE)));
			cur = g_string_new(NULL);
		} else {
			g_string_append_c(cur, *p);
		}
	}
	g_ptr_array_add(f, g_strstrip(g_string_free(cur, FALSE)));
	return f;
}

static bool type_matches(const char *pattern, const char *type)
{
	size_t tlen = strcspn(type, "/");
	const char *slash = strchr(pattern, '/');

	if (!slash || strcmp(slash, "/*") == 0) {
		size_t plen = slash ? (size_t)(slash - pattern) : strlen(pattern);

		return plen == tlen && g_ascii_strncasecmp(pattern, type, tlen) == 0;
	}
	return g_ascii_strcasecmp(pattern, type) == 0;
}

/* cmd with %s, %t and %% replaced; *used_path set when %s occurred. */
static char *substitute(const char *cmd, const char *type, const char *path, bool *used_path)
{
	char *qpath = g_shell_quote(path ? path : "");
	char *qtype = g_shell_quote(type);
	GString *out = g_string_new(NULL);

	*used_path = false;
	for (const char *p = cmd; *p; p++) {
		bool quoted = (*p == '\'' || *p == '"') && p[1] == '%' && p[2] == 's' && p[3] == *p;

		if (quoted || (*p == '%' && p[1] == 's')) {
			g_string_append(out, qpath);
			*used_path = true;
			p += quoted ? 3 : 1;
		} else if (*p == '%' && p[1] == 't') {
			g_string_append(out, qtype);
			p++;
		} else if (*p == '%' && p[1] == '%') {
			g_string_append_c(out, '%');
			p++;
		} else if (*p == '%' && p[1] == '{') {
			/* %{parameter}: we have none to give. */
			const char *close = strchr(p, '}');

			p = close ? close : p + strlen(p) - 1;
		} else {
			g_string_append_c(out, *p);
		}
	}
	g_free(qpath);
	g_free(qtype);
	return g_string_free(out, FALSE);
}

static bool test_passes(const char *test, const char *type, const char *path)
{
	bool used;
	char *cmd = substitute(test, type, path, &used);
	const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	int status = -1;
	bool ok = g_spawn_sync(NULL, (char **)argv, NULL,
	                       G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
	                       NULL, NULL, &status, NULL);

	g_free(cmd);
	return ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The command of entry (fields) if it matches, owned; else NULL. */
static char *try_entry(GPtrArray *f, const char *type, const char *path, unsigned *flags)
{
	unsigned fl = 0;
	bool used;
	char *cmd;

	if (f->len < 2 || !type_matches(g_ptr_array_index(f, 0), type))
		return NULL;
	for (guint i = 2; i < f->len; i++) {
		const char *field = g_ptr_array_index(f, i);

		if (g_ascii_strcasecmp(field, "needsterminal") == 0)
			fl |= MIME_MAILCAP_NEEDSTERMINAL;
		else if (g_ascii_strcasecmp(field, "copiousoutput") == 0)
			fl |= MIME_MAILCAP_COPIOUSOUTPUT;
		else if (g_ascii_strncasecmp(field, "test", 4) == 0) {
			const char *eq = strchr(field, '=');

			if (eq && !test_passes(eq + 1, type, path))
				return NULL;
		}
	}
	cmd = substitute(g_ptr_array_index(f, 1), type, path, &used);
	if (!used) {
		/* RFC 1524: without %s the data comes on stdin. */
		char *q = g_shell_quote(path ? path : "");
		char *with = g_strdup_printf("%s < %s", cmd, q);

		g_free(q);
		g_free(cmd);
		cmd = with;
	}
	if (flags)
		*flags = fl;
	return cmd;
}

static char *search_file(const char *file, const char *type, const char *path, unsigned *flags)
{
	char *data = NULL, *found = NULL;
	GString *entry = g_string_new(NULL);
	char **lines;

	if (core_read_file(file, MAILCAP_MAX, &data, NULL) < 0)
		return NULL;
	lines = g_strsplit(data, "\n", -1);
	for (char **l = lines; *l && !found; l++) {
		size_t n = strlen(*l);

		if (n > 0 && (*l)[n - 1] == '\r')
			(*l)[--n] = '\0';
		/* A backslash at the end continues the entry. */
		if (n > 0 && (*l)[n - 1] == '\\') {
			g_string_append_len(entry, *l, (gssize)n - 1);
			continue;
		}
		g_string_append(entry, *l);
		g_strstrip(entry->str);
		if (entry->str[0] && entry->str[0] != '#') {
			GPtrArray *f = split_fields(entry->str);

			found = try_entry(f, type, path, flags);
			g_ptr_array_unref(f);
		}
		g_string_truncate(entry, 0);
	}
	g_strfreev(lines);
	g_string_free(entry, TRUE);
	g_free(data);
	return found;
}

char *mime_mailcap_lookup(const char *content_type, const char *path, const char *const *files,
                          unsigned *flags)
{
	char *type, *semi;
	char *found = NULL;

	if (flags)
		*flags = 0;
	if (!content_type || !files)
		return NULL;
	type = g_strdup(content_type);
	semi = strchr(type, ';');
	if (semi)
		*semi = '\0';
	g_strstrip(type);
	for (; *files && !found; files++)
		found = search_file(*files, type, path, flags);
	g_free(type);
	return found;
}

char *mime_mailcap_command(const char *content_type, const char *path)
{
	char *home = g_build_filename(g_get_home_dir(), ".mailcap", NULL);
	const char *files[] = {home, "/etc/mailcap", NULL};
	char *cmd = mime_mailcap_lookup(content_type, path, files, NULL);

	g_free(home);
	return cmd;
}
