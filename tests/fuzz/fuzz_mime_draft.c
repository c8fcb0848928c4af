/* fuzz_mime_draft.c - libFuzzer harness for what mailtui parses of a
 * user's own text: the draft edit text (headers at the top, as written in
 * $EDITOR) and a prepared message given to `mailtui send`.  The first byte
 * picks which; a successful parse must build a message whose every line
 * fits the SMTP limit and ends in CRLF, with no Bcc on the wire. */
#include <locale.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

#include "mime/mime.h"

static void check_wire(const char *w, size_t len)
{
	size_t col = 0;
	for (size_t i = 0; i < len; i++) {
		if (w[i] == '\n') {
			if (i == 0 || w[i - 1] != '\r')
				__builtin_trap();
			col = 0;
			continue;
		}
		if (++col > MIME_MAX_LINE + 1)
			__builtin_trap();
	}
	/* No Bcc field in the header block (a body line may say "Bcc:"). */
	const char *body = g_strstr_len(w, (gssize)len, "\r\n\r\n");
	size_t head = body ? (size_t)(body - w) + 2 : len;
	if (g_ascii_strncasecmp(w, "Bcc:", 4) == 0)
		__builtin_trap();
	for (size_t i = 0; i + 5 < head; i++)
		if (w[i] == '\n' && g_ascii_strncasecmp(w + i + 1, "Bcc:", 4) == 0)
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	if (!init) {
		setlocale(LC_ALL, "C.UTF-8");
		init = true;
	}
	if (size < 1)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	struct mime_error err = {0};
	struct mime_outgoing *out = NULL;

	if (data[0] & 1) {
		if (mime_prepare_raw(text, len, "me@example.org", &out, &err) == MIME_OK) {
			check_wire(out->wire, out->wire_len);
			mime_outgoing_free(out);
		}
	} else {
		struct mime_draft *d = mime_draft_new();
		if (mime_draft_apply_edit_text(d, text, len, &err) == MIME_OK) {
			char *again = mime_draft_to_edit_text(d);
			g_free(again);
			struct mime_build_opts o = {.from_address = "me@example.org"};
			if (mime_build(d, &o, &out, &err) == MIME_OK) {
				check_wire(out->wire, out->wire_len);
				mime_outgoing_free(out);
			}
		}
		mime_draft_free(d);
	}
	return 0;
}
