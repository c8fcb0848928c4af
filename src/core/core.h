/* core.h - text safety, UTF-8 width, atomic files, XDG paths, logging.
 *
 * The bottom layer: depends on GLib and libc only.  Every string returned
 * here is owned by the caller and freed with g_free() unless noted. */
#ifndef MAILTUI_CORE_H
#define MAILTUI_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* ---- terminal-safe text ------------------------------------------------ */

/* Make bytes from a message or a server safe to put on a terminal: invalid
 * UTF-8 becomes U+FFFD; C0/C1 controls (except TAB, which becomes spaces
 * up to the next multiple of 8 columns when expand_tabs, else one space),
 * ESC sequences, DEL, bidi overrides/isolates and other invisible format
 * characters are removed; the result is NFC.  Newlines are dropped unless
 * keep_newlines (then "\n" is kept, "\r\n" becomes "\n").  len may be
 * (size_t)-1 for a NUL-terminated input.  Returns owned UTF-8. */
char *core_safe_text(const char *in, size_t len, bool keep_newlines);

/* Display columns of valid UTF-8 (as returned by core_safe_text):
 * combining marks 0, CJK and emoji 2. */
int core_text_width(const char *utf8);

/* Copy of utf8 cut to at most cols columns (never splitting a character
 * or separating a base from its combining marks), padded with spaces to
 * exactly cols when pad.  Returns owned UTF-8. */
char *core_text_fit(const char *utf8, int cols, bool pad);

/* ---- files ------------------------------------------------------------- */

/* Write data to path atomically: mkstemp in the same directory, write,
 * fsync, chmod mode, rename, fsync the directory.  0 or -errno. */
int core_atomic_write(const char *path, const void *data, size_t len, mode_t mode);

/* mkdir -p with mode for created components.  0 or -errno. */
int core_mkdir_p(const char *path, mode_t mode);

/* Read a whole file (at most max bytes, else -EFBIG).  *out owned, NUL
 * terminated; *len without the NUL.  0 or -errno. */
int core_read_file(const char *path, size_t max, char **out, size_t *len);

enum core_xdg {
	CORE_XDG_CONFIG, /* $XDG_CONFIG_HOME or ~/.config */
	CORE_XDG_DATA,   /* $XDG_DATA_HOME or ~/.local/share */
	CORE_XDG_CACHE,  /* $XDG_CACHE_HOME or ~/.cache */
	CORE_XDG_STATE,  /* $XDG_STATE_HOME or ~/.local/state */
};

/* "<base>/mailtui/<rel>" (rel may be NULL for the directory itself).
 * Does not create anything.  Returns owned path. */
char *core_xdg_path(enum core_xdg kind, const char *rel);

/* ---- logging ----------------------------------------------------------- */

enum core_log_cat {
	CORE_LOG_APP,
	CORE_LOG_UI,
	CORE_LOG_CONFIG,
	CORE_LOG_NET,
	CORE_LOG_IMAP,
	CORE_LOG_POP3,
	CORE_LOG_SMTP,
	CORE_LOG_LOCAL,
};

/* Open the debug log (-d FILE), mode 0600, appending.  0 or -errno.
 * Without it every core_log call is a cheap no-op.  Thread-safe. */
int core_log_open(const char *path);
void core_log_close(void);
bool core_log_enabled(void);

/* Register a secret (a password, a token): from now on any log line that
 * contains it, or its base64 form, has it replaced by "<redacted>".
 * The string is copied; core_log_close() wipes the copies. */
void core_log_add_secret(const char *secret);

void core_log(enum core_log_cat cat, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Log protocol traffic; dir is "C" (client) or "S" (server).  When
 * sensitive, only the command word is logged ("LOGIN <redacted>").
 * Long data is summarised as "<N bytes>".  Control bytes are escaped. */
void core_log_wire(enum core_log_cat cat, const char *dir,
	const char *data, size_t len, bool sensitive);

/* Overwrite a secret's bytes before freeing it (explicit_bzero). */
void core_wipe(char *secret);

#endif
