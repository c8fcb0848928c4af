/* log.c - the debug log: one file, one mutex, secrets redacted. */
#include "core_private.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A pthread mutex, not a GMutex: ThreadSanitizer sees this one (GLib's
 * futex-based lock is invisible to it, and every log line would look
 * like a race). */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1;
static gint log_on; /* read without the lock: the no-op fast path */
/* Registered secrets, and their base64 forms, each longest first. */
static GPtrArray *log_secrets;
static GPtrArray *log_b64;

static const char *const cat_names[] = {
	[CORE_LOG_APP] = "app",
	[CORE_LOG_UI] = "ui",
	[CORE_LOG_CONFIG] = "config",
	[CORE_LOG_NET] = "net",
	[CORE_LOG_IMAP] = "imap",
	[CORE_LOG_POP3] = "pop3",
	[CORE_LOG_SMTP] = "smtp",
	[CORE_LOG_LOCAL] = "local",
};

static void wipe_free(gpointer p)
{
	core_wipe(p);
	g_free(p);
}

int core_log_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);

	if (fd < 0)
		return -errno;
	/* An existing file may have been created with a looser mode. */
	if (fchmod(fd, 0600) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	pthread_mutex_lock(&log_lock);
	if (log_fd >= 0)
		close(log_fd);
	log_fd = fd;
	g_atomic_int_set(&log_on, 1);
	pthread_mutex_unlock(&log_lock);
	return 0;
}

void core_log_close(void)
{
	pthread_mutex_lock(&log_lock);
	g_atomic_int_set(&log_on, 0);
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
	if (log_secrets)
		g_ptr_array_free(log_secrets, TRUE);
	if (log_b64)
		g_ptr_array_free(log_b64, TRUE);
	log_secrets = NULL;
	log_b64 = NULL;
	pthread_mutex_unlock(&log_lock);
}

bool core_log_enabled(void)
{
	return g_atomic_int_get(&log_on) != 0;
}

static gint longest_first(gconstpointer a, gconstpointer b)
{
	size_t la = strlen(*(char *const *)a);
	size_t lb = strlen(*(char *const *)b);

	return la < lb ? 1 : la > lb ? -1 : 0;
}

/* Add the base64 text that encodes secret wherever it sits in a longer
 * buffer (e.g. SASL PLAIN's "\0user\0secret"): for each of the three byte
 * alignments keep only the 4-character groups made of secret bytes alone. */
static void add_base64_forms(const char *secret, size_t len)
{
	for (size_t shift = 0; shift < 3; shift++) {
		size_t skip = (3 - shift) % 3; /* secret bytes before a group */
		size_t groups;
		gchar *enc;

		if (len < skip + 3)
			continue;
		groups = (len - skip) / 3;
		enc = g_base64_encode((const guchar *)secret + skip, groups * 3);
		g_ptr_array_add(log_b64, enc);
	}
	/* And the whole secret encoded on its own, padding included. */
	g_ptr_array_add(log_b64, g_base64_encode((const guchar *)secret, len));
}

void core_log_add_secret(const char *secret)
{
	size_t len;

	if (!secret || !*secret)
		return;
	len = strlen(secret);
	pthread_mutex_lock(&log_lock);
	if (!log_secrets) {
		log_secrets = g_ptr_array_new_with_free_func(wipe_free);
		log_b64 = g_ptr_array_new_with_free_func(wipe_free);
	}
	g_ptr_array_add(log_secrets, g_strdup(secret));
	add_base64_forms(secret, len);
	g_ptr_array_sort(log_secrets, longest_first);
	g_ptr_array_sort(log_b64, longest_first);
	pthread_mutex_unlock(&log_lock);
}

static bool is_base64_char(char c)
{
	return g_ascii_isalnum(c) || c == '+' || c == '/' || c == '=';
}

/* Replace each pattern in buf by "<redacted>".  For base64 patterns the
 * whole base64 word around the hit goes: its edges still encode bytes of
 * the secret mixed with its neighbours. */
static void redact_list(GString *buf, GPtrArray *list, bool whole_word)
{
	static const char mark[] = "<redacted>";

	for (guint i = 0; list && i < list->len; i++) {
		const char *s = list->pdata[i];
		size_t slen = strlen(s);
		size_t pos = 0;
		char *hit;

		while (pos < buf->len &&
		       (hit = memmem(buf->str + pos, buf->len - pos, s, slen)) != NULL) {
			size_t at = (size_t)(hit - buf->str);
			size_t end = at + slen;

			while (whole_word && at > pos && is_base64_char(buf->str[at - 1]))
				at--;
			while (whole_word && end < buf->len && is_base64_char(buf->str[end]))
				end++;
			g_string_erase(buf, (gssize)at, (gssize)(end - at));
			g_string_insert(buf, (gssize)at, mark);
			pos = at + sizeof mark - 1;
		}
	}
}

/* Caller holds log_lock. */
static void redact_locked(GString *buf)
{
	redact_list(buf, log_secrets, false);
	redact_list(buf, log_b64, true);
}

void core_log_redact(GString *buf)
{
	pthread_mutex_lock(&log_lock);
	redact_locked(buf);
	pthread_mutex_unlock(&log_lock);
}

static void append_timestamp(GString *line)
{
	struct timespec ts;
	struct tm tm;
	char buf[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
	g_string_append_printf(line, "%s.%03ld ", buf, ts.tv_nsec / 1000000L);
}

void core_log_emit(enum core_log_cat cat, GString *msg)
{
	GString *line = g_string_sized_new(msg->len + 48);
	const char *name = (unsigned)cat < G_N_ELEMENTS(cat_names) ? cat_names[cat] : "?";
	const char *p;
	size_t left;

	append_timestamp(line);
	g_string_append_printf(line, "%s: ", name);
	g_string_append_len(line, msg->str, (gssize)msg->len);
	g_string_append_c(line, '\n');

	pthread_mutex_lock(&log_lock);
	redact_locked(line);
	p = line->str;
	left = line->len;
	/* One write per line keeps lines whole with O_APPEND. */
	while (log_fd >= 0 && left > 0) {
		ssize_t n = write(log_fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* a debug log never stops the program */
		p += n;
		left -= (size_t)n;
	}
	pthread_mutex_unlock(&log_lock);
	explicit_bzero(line->str, line->len);
	g_string_free(line, TRUE);
}

void core_log(enum core_log_cat cat, const char *fmt, ...)
{
	va_list ap;
	char *text;
	GString *raw, *msg;

	if (!core_log_enabled())
		return;
	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	raw = g_string_new(text);
	core_wipe(text);
	g_free(text);
	msg = g_string_new(NULL);
	/* Redact before escaping: a secret may hold bytes the escaper changes. */
	core_log_redact(raw);
	core_log_escape(msg, raw->str, raw->len);
	explicit_bzero(raw->str, raw->len);
	g_string_free(raw, TRUE);
	core_log_emit(cat, msg);
	g_string_free(msg, TRUE);
}

void core_wipe(char *secret)
{
	if (secret)
		explicit_bzero(secret, strlen(secret));
}
