/* scripted.c - see scripted.h. */
#include "scripted.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct scripted *scripted_new(void)
{
	struct scripted *s = g_new0(struct scripted, 1);

	g_mutex_init(&s->lock);
	s->log = g_string_new(NULL);
	s->messages = g_ptr_array_new();
	s->rcpt_replies = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	s->fd = -1;
	return s;
}

static void say(int fd, const char *text)
{
	size_t n = strlen(text);

	while (n > 0) {
		ssize_t w = write(fd, text, n);

		if (w <= 0)
			return;
		text += w;
		n -= (size_t)w;
	}
}

/* One line (with its CRLF) into line, or false at EOF / stop. */
static bool read_line(struct scripted *s, int fd, GString *buf, GString *line)
{
	for (;;) {
		char *nl = memchr(buf->str, '\n', buf->len);
		char tmp[4096];
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (nl) {
			size_t l = (size_t)(nl - buf->str) + 1;

			g_string_assign(line, "");
			g_string_append_len(line, buf->str, (gssize)l);
			g_string_erase(buf, 0, (gssize)l);
			return true;
		}
		if (__atomic_load_n(&s->stop, __ATOMIC_RELAXED))
			return false;
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(fd, tmp, sizeof tmp);
		if (n <= 0)
			return false;
		g_mutex_lock(&s->lock);
		g_string_append_len(s->log, tmp, n);
		g_mutex_unlock(&s->lock);
		g_string_append_len(buf, tmp, n);
	}
}

static void serve(struct scripted *s, int fd)
{
	GString *buf = g_string_new(NULL), *line = g_string_new(NULL);
	int auth_wait = 0; /* continuation lines still expected */

	say(fd, "220 scripted ESMTP\r\n");
	while (read_line(s, fd, buf, line)) {
		const char *l = line->str;

		if (auth_wait > 0) {
			auth_wait--;
			say(fd, auth_wait ? "334 UGFzc3dvcmQ6\r\n" : "235 2.7.0 ok\r\n");
		} else if (g_ascii_strncasecmp(l, "EHLO", 4) == 0) {
			say(fd, "250-scripted\r\n");
			if (s->offer_starttls)
				say(fd, "250-STARTTLS\r\n");
			if (s->offer_auth) {
				say(fd, "250-AUTH ");
				say(fd, s->auth_mechs ? s->auth_mechs : "PLAIN LOGIN");
				say(fd, "\r\n");
			}
			say(fd, "250 8BITMIME\r\n");
		} else if (g_ascii_strncasecmp(l, "AUTH ", 5) == 0) {
			/* "AUTH MECH" waits for continuations (LOGIN: user, then
			 * password); "AUTH MECH initial-response" is done at once. */
			bool login = g_ascii_strncasecmp(l + 5, "LOGIN", 5) == 0;
			bool initial = strchr(l + 5, ' ') != NULL;

			if (login) {
				auth_wait = initial ? 1 : 2;
				say(fd, initial ? "334 UGFzc3dvcmQ6\r\n" : "334 VXNlcm5hbWU6\r\n");
			} else if (initial) {
				say(fd, "235 2.7.0 ok\r\n");
			} else {
				auth_wait = 1;
				say(fd, "334 \r\n");
			}
		} else if (g_ascii_strncasecmp(l, "MAIL", 4) == 0) {
			say(fd, s->mail_reply ? s->mail_reply : "250 2.1.0 ok");
			say(fd, "\r\n");
		} else if (g_ascii_strncasecmp(l, "RCPT", 4) == 0) {
			const char *lt = strchr(l, '<'), *gt = lt ? strchr(lt, '>') : NULL;
			char *addr = lt && gt ? g_strndup(lt + 1, (size_t)(gt - lt - 1)) : g_strdup("");
			const char *r = g_hash_table_lookup(s->rcpt_replies, addr);

			say(fd, r ? r : "250 2.1.5 ok");
			say(fd, "\r\n");
			g_free(addr);
		} else if (g_ascii_strncasecmp(l, "DATA", 4) == 0) {
			GString *msg = g_string_new(NULL);
			bool done = false;

			say(fd, "354 go ahead\r\n");
			while (read_line(s, fd, buf, line)) {
				if (strcmp(line->str, ".\r\n") == 0) {
					done = true;
					break;
				}
				g_string_append_len(msg, line->str, (gssize)line->len);
			}
			if (!done) {
				g_string_free(msg, TRUE);
				break;
			}
			g_mutex_lock(&s->lock);
			g_ptr_array_add(s->messages, msg);
			g_mutex_unlock(&s->lock);
			say(fd, s->data_reply ? s->data_reply : "250 2.0.0 queued");
			say(fd, "\r\n");
		} else if (g_ascii_strncasecmp(l, "QUIT", 4) == 0) {
			say(fd, "221 bye\r\n");
			break;
		} else if (g_ascii_strncasecmp(l, "STARTTLS", 8) == 0) {
			say(fd, "454 4.7.0 TLS not available\r\n");
		} else {
			say(fd, "250 ok\r\n");
		}
	}
	g_string_free(buf, TRUE);
	g_string_free(line, TRUE);
}

static gpointer run(gpointer ud)
{
	struct scripted *s = ud;

	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		int c;

		if (poll(&p, 1, 100) <= 0)
			continue;
		c = accept(s->fd, NULL, NULL);
		if (c < 0)
			continue;
		g_mutex_lock(&s->lock);
		s->connections++;
		g_mutex_unlock(&s->lock);
		serve(s, c);
		close(c);
	}
	return NULL;
}

void scripted_start(struct scripted *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof a;
	int one = 1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	g_assert_cmpint(s->fd, >=, 0);
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	g_assert_cmpint(bind(s->fd, (struct sockaddr *)&a, sizeof a), ==, 0);
	g_assert_cmpint(listen(s->fd, 8), ==, 0);
	g_assert_cmpint(getsockname(s->fd, (struct sockaddr *)&a, &al), ==, 0);
	s->port = ntohs(a.sin_port);
	s->thread = g_thread_new("scripted-smtp", run, s);
}

void scripted_stop(struct scripted *s)
{
	if (!s->thread)
		return;
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELAXED);
	g_thread_join(s->thread);
	s->thread = NULL;
	close(s->fd);
	s->fd = -1;
}

int scripted_count(struct scripted *s)
{
	int n;

	g_mutex_lock(&s->lock);
	n = (int)s->messages->len;
	g_mutex_unlock(&s->lock);
	return n;
}

void scripted_free(struct scripted *s)
{
	scripted_stop(s);
	g_string_free(s->log, TRUE);
	for (guint i = 0; i < s->messages->len; i++)
		g_string_free(s->messages->pdata[i], TRUE);
	g_ptr_array_unref(s->messages);
	g_hash_table_unref(s->rcpt_replies);
	g_mutex_clear(&s->lock);
	g_free(s);
}
