/* helpers.h - shared by the mime_view tests: build a view, look at its
 * lines, and check the terminal-safety promise on every line. */
#ifndef MAILTUI_TEST_MIME_VIEW_HELPERS_H
#define MAILTUI_TEST_MIME_VIEW_HELPERS_H

#include <locale.h>
#include <string.h>

#include <glib.h>

#include "core/core.h"
#include "mime/mime.h"

static inline void helpers_init(int *argc, char ***argv)
{
	/* Widths as a UTF-8 terminal would see them. */
	if (!setlocale(LC_ALL, "C.UTF-8"))
		setlocale(LC_ALL, "");
	g_test_init(argc, argv, NULL);
}

/* A view of raw (NUL-terminated) at cols, the built-in HTML stripper. */
static inline struct mime_view *view_of(const char *raw, int cols)
{
	struct mime_view_opts o = {.cols = cols, .html_no_command = true};

	return mime_view_new_from_bytes(raw, strlen(raw), &o);
}

/* Every line: valid UTF-8, no C0/C1/DEL, no ESC, no bidi override,
 * width as recorded and within cols (cols > 1). */
static inline void assert_lines_safe(const struct mime_view *v, int cols)
{
	size_t n;
	const struct mime_line *l = mime_view_lines(v, &n);

	for (size_t i = 0; i < n; i++) {
		const char *t = l[i].text;

		g_assert_true(g_utf8_validate(t, -1, NULL));
		for (const char *p = t; *p; p = g_utf8_next_char(p)) {
			gunichar c = g_utf8_get_char(p);

			g_assert_false(c < 0x20 || (c >= 0x7f && c <= 0x9f));
			g_assert_false(c >= 0x202a && c <= 0x202e);
			g_assert_false(c >= 0x2066 && c <= 0x2069);
		}
		g_assert_cmpint(l[i].cols, ==, core_text_width(t));
		if (cols > 1)
			g_assert_cmpint(l[i].cols, <=, cols);
	}
}

/* All lines of kind (or any kind when kind < 0) joined by "\n".  Owned. */
static inline char *lines_text(const struct mime_view *v, int kind)
{
	size_t n;
	const struct mime_line *l = mime_view_lines(v, &n);
	GString *s = g_string_new(NULL);

	for (size_t i = 0; i < n; i++) {
		if (kind >= 0 && (int)l[i].kind != kind)
			continue;
		if (s->len)
			g_string_append_c(s, '\n');
		g_string_append(s, l[i].text);
	}
	return g_string_free(s, FALSE);
}

/* The first line whose text starts with prefix, or NULL. */
static inline const struct mime_line *find_line(const struct mime_view *v, const char *prefix)
{
	size_t n;
	const struct mime_line *l = mime_view_lines(v, &n);

	for (size_t i = 0; i < n; i++)
		if (g_str_has_prefix(l[i].text, prefix))
			return &l[i];
	return NULL;
}

#endif
