/* util.c - line ends, long lines, status names, GMime start-up. */
#include "mime/mime_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static gpointer init_once(gpointer unused)
{
	(void)unused;
	g_mime_init();
	return NULL;
}

void mime_init(void)
{
	static GOnce once = G_ONCE_INIT;

	g_once(&once, init_once, NULL);
}

const char *mime_status_name(enum mime_status st)
{
	static const char *const names[] = {
	    [MIME_OK] = "MIME_OK",
	    [MIME_ERR_ADDRESS] = "MIME_ERR_ADDRESS",
	    [MIME_ERR_NO_RECIPIENTS] = "MIME_ERR_NO_RECIPIENTS",
	    [MIME_ERR_NO_FROM] = "MIME_ERR_NO_FROM",
	    [MIME_ERR_HEADER] = "MIME_ERR_HEADER",
	    [MIME_ERR_NOT_UTF8] = "MIME_ERR_NOT_UTF8",
	    [MIME_ERR_ATTACHMENT] = "MIME_ERR_ATTACHMENT",
	    [MIME_ERR_LINE_TOO_LONG] = "MIME_ERR_LINE_TOO_LONG",
	    [MIME_ERR_NUL] = "MIME_ERR_NUL",
	    [MIME_ERR_INTERNAL] = "MIME_ERR_INTERNAL",
	    [MIME_ERR_NO_LIST] = "MIME_ERR_NO_LIST",
	};

	if ((unsigned)st < G_N_ELEMENTS(names) && names[st])
		return names[st];
	return "MIME_ERR_?";
}

enum mime_status mime_fail(struct mime_error *err, enum mime_status st, int line, const char *fmt,
                           ...)
{
	va_list ap;

	if (!err)
		return st;
	err->status = st;
	err->line = line;
	err->detail[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(err->detail, sizeof err->detail, fmt, ap);
		va_end(ap);
	}
	return st;
}

char *mime_to_crlf(const char *data, size_t len, size_t *out_len)
{
	GString *s = g_string_sized_new(len + len / 32 + 2);

	for (size_t i = 0; i < len; i++) {
		char c = data[i];

		if (c == '\r') {
			g_string_append(s, "\r\n");
			if (i + 1 < len && data[i + 1] == '\n')
				i++;
		} else if (c == '\n') {
			g_string_append(s, "\r\n");
		} else {
			g_string_append_c(s, c);
		}
	}
	*out_len = s->len;
	return g_string_free(s, FALSE);
}

int mime_find_long_line(const char *data, size_t len, size_t max)
{
	size_t start = 0;
	int line = 1;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && data[i] != '\n' && data[i] != '\r')
			continue;
		if (i - start > max)
			return line;
		if (i < len && data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
			i++;
		start = i + 1;
		line++;
	}
	return 0;
}

void mime_outgoing_free(struct mime_outgoing *m)
{
	if (!m)
		return;
	g_free(m->wire);
	g_free(m->copy);
	g_free(m->message_id);
	g_free(m->envelope_from);
	if (m->recipients)
		g_ptr_array_unref(m->recipients);
	g_free(m);
}
