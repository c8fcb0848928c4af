/* fuzz_log_wire.c - libFuzzer harness for the debug log's escaping and
 * redaction: whatever bytes a server sends, the log file stays safe to
 * cat (valid UTF-8, no controls but the line ends, no ESC, no C1, no bidi)
 * and a registered secret never appears in it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "core/core.h"

#define SECRET "s3cr3t-pass"

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

static char log_path[] = "/tmp/fuzz_log_wire.XXXXXX";

static void remove_log(void)
{
	unlink(log_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = mkstemp(log_path);

	(void)argc;
	(void)argv;
	CHECK(fd >= 0);
	close(fd);
	atexit(remove_log);
	CHECK(core_log_open(log_path) == 0);
	core_log_add_secret(SECRET);
	return 0;
}

static bool unsafe(gunichar c)
{
	if (c < 0x20 && c != '\n')
		return true;
	if (c >= 0x7f && c <= 0x9f)
		return true;
	return c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0xfeff;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool sensitive = size > 0 && (data[0] & 1);
	char *text = NULL;
	size_t len = 0;
	int lines = 0;

	CHECK(truncate(log_path, 0) == 0);
	core_log_wire(CORE_LOG_IMAP, "S", (const char *)data, size, sensitive);
	core_log(CORE_LOG_APP, "%.*s", (int)size, (const char *)data);
	CHECK(core_read_file(log_path, 1 << 24, &text, &len) == 0);

	CHECK(g_utf8_validate(text, (gssize)len, NULL));
	for (const char *p = text; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		CHECK(!unsafe(c));
		lines += c == '\n';
	}
	CHECK(lines == 2); /* one line per call, whatever the data holds */
	CHECK(strstr(text, SECRET) == NULL);
	g_free(text);
	return 0;
}
