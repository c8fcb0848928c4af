/* view_wrap.c - logical lines wrapped to display lines.
 *
 * Greedy, at spaces, by display columns.  The unit is a cluster: a
 * character with the combining marks, variation selectors, emoji
 * modifiers and ZWJ sequences that follow it, so a break never
 * separates a Vietnamese tone mark from its vowel.  A word longer than
 * the width is cut between clusters. */
#include "mime/view_private.h"

#include "core/core.h"

#include <string.h>

static bool joins_previous(gunichar c)
{
	return g_unichar_ismark(c) || c == 0x200d || (c >= 0xfe00 && c <= 0xfe0f) ||
	       (c >= 0x1f3fb && c <= 0x1f3ff) || (c >= 0xe0020 && c <= 0xe007f);
}

/* End of the cluster starting at p (p < end of string); *cols set. */
static const char *cluster(const char *p, int *cols, GString *scratch)
{
	const char *q = p;
	gunichar prev;

	if ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f && ((unsigned char)p[1] < 0x80)) {
		*cols = 1;
		return p + 1;
	}
	prev = g_utf8_get_char(q);
	q = g_utf8_next_char(q);
	while (*q) {
		gunichar c = g_utf8_get_char(q);

		if (!joins_previous(c) && prev != 0x200d)
			break;
		prev = c;
		q = g_utf8_next_char(q);
	}
	g_string_truncate(scratch, 0);
	g_string_append_len(scratch, p, q - p);
	*cols = core_text_width(scratch->str);
	return q;
}

static void emit(GPtrArray *out, const char *start, const char *end)
{
	while (end > start && end[-1] == ' ')
		end--;
	g_ptr_array_add(out, g_strndup(start, (gsize)(end - start)));
}

void view_wrap_text(const char *text, int cols, GPtrArray *out)
{
	GString *scratch = g_string_new(NULL);
	const char *line = text;
	guint before = out->len;

	if (cols < 1)
		cols = 1;
	while (*line) {
		const char *p = line, *brk = NULL, *brk_next = NULL;
		int col = 0;

		for (;;) {
			int w;
			const char *next;

			if (!*p) {
				/* Trailing spaces that would overflow vanish too. */
				if (col > cols)
					emit(out, line, p);
				else
					g_ptr_array_add(out, g_strndup(line, (gsize)(p - line)));
				goto done;
			}
			next = cluster(p, &w, scratch);
			if (*p == ' ') {
				brk = p;
				while (*next == ' ')
					next++;
				brk_next = next;
				/* Spaces at the end of a full line vanish. */
				if (col + w > cols) {
					emit(out, line, p);
					line = next;
					break;
				}
				col += (int)(next - p);
				p = next;
				continue;
			}
			if (col + w > cols && p > line) {
				if (brk && brk > line) {
					emit(out, line, brk);
					line = brk_next;
				} else {
					emit(out, line, p);
					line = p;
				}
				break;
			}
			col += w;
			p = next;
		}
		/* A line of only spaces past the width ends the text. */
		if (!*line)
			break;
	}
	if (out->len == before)
		g_ptr_array_add(out, g_strdup(""));
done:
	g_string_free(scratch, TRUE);
}

void view_wrap_all(struct mime_view *v)
{
	GPtrArray *pieces = g_ptr_array_new();

	g_array_set_size(v->lines, 0);
	g_ptr_array_set_size(v->wrapped, 0);
	for (guint i = 0; i < v->logical->len; i++) {
		const struct view_logical *l = &g_array_index(v->logical, struct view_logical, i);

		g_ptr_array_set_size(pieces, 0);
		view_wrap_text(l->text, v->cols, pieces);
		for (guint j = 0; j < pieces->len; j++) {
			struct mime_line line = {
			    .kind = l->kind,
			    .level = l->level,
			    .depth = l->depth,
			    .attachment = l->attachment,
			    .text = g_ptr_array_index(pieces, j),
			};

			if (l->kind == MIME_LINE_HEADER) {
				line.kind = j == 0 ? MIME_LINE_HEADER : MIME_LINE_HEADER_CONT;
				line.name_len =
				    j == 0 ? MIN(l->name_len, (int)strlen(line.text)) : 0;
			}
			line.cols = core_text_width(line.text);
			g_ptr_array_add(v->wrapped, g_ptr_array_index(pieces, j));
			g_array_append_val(v->lines, line);
		}
	}
	g_ptr_array_free(pieces, TRUE);
}
