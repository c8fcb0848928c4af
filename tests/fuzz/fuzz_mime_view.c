/* fuzz_mime_view.c - libFuzzer harness for the reading side of mime:
 * message bytes -> view (whole and lazy), rewrapped, attachments listed
 * and their safe names made.  Checks what keeps the terminal safe: every
 * line is valid UTF-8 with no control byte at all (no ESC, C0, DEL, C1,
 * no bidi override), fits its width, and every safe name is a plain
 * file name.  The first byte picks the width; HTML never runs a command. */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "core/core.h"
#include "mime/mime.h"

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

static void check_text(const char *t)
{
	CHECK(g_utf8_validate(t, -1, NULL));
	for (const char *p = t; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		CHECK(c >= 0x20 && c != 0x7f && !(c >= 0x80 && c <= 0x9f));
		CHECK(!(c >= 0x202a && c <= 0x202e) && !(c >= 0x2066 && c <= 0x2069));
	}
}

static void check_view(struct mime_view *v, int cols)
{
	size_t n;
	const struct mime_line *l = mime_view_lines(v, &n);
	const struct mime_attachment *a;

	for (size_t i = 0; i < n; i++) {
		check_text(l[i].text);
		CHECK(l[i].cols == core_text_width(l[i].text));
		CHECK(cols < 2 || l[i].cols <= cols);
		CHECK(l[i].name_len >= 0 && (size_t)l[i].name_len <= strlen(l[i].text));
		if (l[i].kind == MIME_LINE_ATTACHMENT) {
			size_t na;

			mime_view_attachments(v, &na);
			CHECK(l[i].attachment >= 0 && (size_t)l[i].attachment < na);
		}
	}
	a = mime_view_attachments(v, &n);
	for (size_t i = 0; i < n; i++) {
		char *safe = mime_attachment_safe_name(a[i].filename, i);

		if (a[i].filename)
			check_text(a[i].filename);
		check_text(a[i].content_type);
		check_text(safe);
		CHECK(*safe && safe[0] != '.' && !strchr(safe, '/') && !strchr(safe, '\\'));
		CHECK(!strstr(safe, "..") && strlen(safe) <= 200);
		g_free(safe);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	struct mime_view_opts o = {.html_no_command = true};
	struct mime_view *v;
	char *text = NULL;
	int cols;

	if (!init) {
		setlocale(LC_ALL, "C.UTF-8");
		init = true;
	}
	if (size < 1)
		return 0;
	cols = data[0] % 100 + 1;
	o.cols = cols;
	data++, size--;

	v = mime_view_new_from_bytes((const char *)data, size, &o);
	check_view(v, cols);
	mime_view_set_cols(v, cols / 2 + 1);
	check_view(v, cols / 2 + 1);
	mime_view_free(v);

	/* Lazy: the bytes as a header block and as a base64 text/html part. */
	mime_decode_part((const char *)data, size, "base64", "windows-1258", &text);
	{
		const struct mime_view_part parts[] = {
		    {"text/html", text, NULL, (int64_t)size, "1"},
		    {"application/pdf", NULL, (const char *)text, -1, "2"},
		    {"message/rfc822", text, NULL, -1, "3"},
		};

		v = mime_view_new_from_parts((const char *)data, size, parts, 3, &o);
		check_view(v, cols);
		mime_view_free(v);
	}
	g_free(text);
	return 0;
}
