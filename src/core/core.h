/* core.h - text safety, UTF-8 width, atomic files, XDG paths, logging.
 *
 * The bottom layer: depends on GLib and libc only.  Every string returned
 * here is owned by the caller and freed with g_free() unless noted. */
#ifndef MAILTUI_CORE_H
#define MAILTUI_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- flags between threads ---------------------------------------------- */

/* A cancel or stop flag that one thread raises (__atomic_store_n) and
 * network code on another polls: read atomically, so the reader never
 * works from a stale value the compiler kept.  NULL is never raised. */
static inline bool core_flag_raised(const volatile int *flag)
{
	return flag && __atomic_load_n(flag, __ATOMIC_RELAXED) != 0;
}

/* A queue of pointers between threads (NULL is not an item: the pops
 * return NULL for "none").  Free it when no thread uses it any more; the
 * items left in it are not freed. */
struct core_queue;
struct core_queue *core_queue_new(void);
void core_queue_free(struct core_queue *q);
void core_queue_push(struct core_queue *q, void *item);
void *core_queue_pop(struct core_queue *q);       /* waits for an item */
void *core_queue_try_pop(struct core_queue *q);   /* NULL when empty */
/* Waits at most usec microseconds; NULL when nothing came. */
void *core_queue_timeout_pop(struct core_queue *q, int64_t usec);
size_t core_queue_length(struct core_queue *q);

/* ---- terminal-safe text ------------------------------------------------ */

/* Make bytes from a message or a server safe to put on a terminal: invalid
 * UTF-8 becomes U+FFFD (one per maximal ill-formed subpart, as Unicode
 * recommends); C0/C1 controls, DEL, whole escape sequences (CSI, OSC, DCS,
 * SOS, PM, APC, ESC x, and their 8-bit C1 forms), bidi controls and other
 * invisible format characters (Cf, except ZWJ and emoji tags) and
 * unassigned code points are removed; private-use characters stay.  The
 * result is NFC, so decomposed input comes out precomposed.
 * A line break is CR LF, LF, lone CR or U+2028/9.  When keep_newlines it
 * becomes "\n" and TAB becomes spaces up to the next multiple of 8 columns
 * (for the pager); otherwise each line break and each TAB becomes one
 * space (for one-line fields).  An unterminated OSC/DCS string ends at a
 * line break.  A combining mark with no base (at the start) is kept; it
 * has width 0.  len may be (size_t)-1 for a NUL-terminated input; in may be
 * NULL (gives "").  Returns owned UTF-8, never NULL. */
char *core_safe_text(const char *in, size_t len, bool keep_newlines);

/* Display columns of valid UTF-8 (as returned by core_safe_text) as
 * ncurses will draw it: wcwidth() when the locale's codeset is UTF-8,
 * else GLib's tables.  Combining marks 0, CJK and emoji 2; controls
 * ("\n", "\t") count 0, so measure one line at a time.  NULL gives 0. */
int core_text_width(const char *utf8);

/* Copy of utf8 cut to at most cols columns (never splitting a character
 * or separating a base from its combining marks), padded with spaces to
 * exactly cols when pad (a wide character that does not fit in the last
 * column leaves a space).  cols <= 0 gives "".  Returns owned UTF-8. */
char *core_text_fit(const char *utf8, int cols, bool pad);

/* in folded for matching typed text: case-folded, without diacritics
 * (NFD with the combining marks dropped; đ and Đ become d), so "nguyen"
 * matches "Nguyễn".  Invalid UTF-8 is repaired first; NULL gives "".
 * Not for display.  Returns owned UTF-8. */
char *core_text_fold(const char *in);

/* ---- files ------------------------------------------------------------- */

/* Write data to path atomically: mkstemp in the same directory, write,
 * fsync, chmod mode, rename, fsync the directory.  0 or -errno. */
int core_atomic_write(const char *path, const void *data, size_t len, mode_t mode);

/* The same for data written by fill(fd, user), which returns 0 or
 * -errno (for files too large to build in memory first).  0 or -errno. */
int core_atomic_write_with(const char *path, mode_t mode, int (*fill)(int fd, void *user),
	void *user);

/* write() until all len bytes are written, retrying on EINTR.  0 or -errno. */
int core_write_all(int fd, const void *data, size_t len);

/* mkdir -p with mode for created components (existing ones are left as
 * they are).  0, or -errno (-ENOTDIR when a component is not a directory). */
int core_mkdir_p(const char *path, mode_t mode);

/* Read a whole file (at most max bytes, else -EFBIG).  *out owned, NUL
 * terminated (NULL on error); *len without the NUL (len may be NULL).
 * 0 or -errno. */
int core_read_file(const char *path, size_t max, char **out, size_t *len);

enum core_xdg {
	CORE_XDG_CONFIG, /* $XDG_CONFIG_HOME or ~/.config */
	CORE_XDG_DATA,   /* $XDG_DATA_HOME or ~/.local/share */
	CORE_XDG_CACHE,  /* $XDG_CACHE_HOME or ~/.cache */
	CORE_XDG_STATE,  /* $XDG_STATE_HOME or ~/.local/state */
};

/* "<base>/mailtui/<rel>" (rel may be NULL or "" for the directory itself).
 * base is $XDG_*_HOME when set and absolute (the spec says to ignore
 * relative values), else the default under $HOME (or the passwd entry).
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
 * contains it has it replaced by "<redacted>"; so does any base64 word
 * that encodes it, at any byte offset (SASL PLAIN's "\0user\0secret").
 * Works before core_log_open().  The string is copied; core_log_close()
 * wipes and forgets the copies. */
void core_log_add_secret(const char *secret);

/* One line: "YYYY-MM-DD HH:MM:SS.mmm <category>: <text>", escaped like
 * wire data and redacted.  Costs one atomic read when no log is open. */
void core_log(enum core_log_cat cat, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Log protocol traffic; dir is "C" (client) or "S" (server).  When
 * sensitive, only the command word is logged ("PASS <redacted>", with an
 * IMAP tag "a1 LOGIN <redacted>"; a line of one word, like a bare SASL
 * response, is just "<redacted>").  Data over 512 bytes is logged as its
 * first 200 then "... <N bytes>".  Control bytes, backslash, invalid
 * UTF-8 and invisible characters are escaped (\r \n \xNN \u{NNNN}), so
 * the log is safe to cat. */
void core_log_wire(enum core_log_cat cat, const char *dir,
	const char *data, size_t len, bool sensitive);

/* Overwrite a secret's bytes (up to its NUL) before freeing it
 * (explicit_bzero).  NULL is fine. */
void core_wipe(char *secret);

#endif
