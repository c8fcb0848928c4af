/* starttls.c - ask for STARTTLS (IMAP) or STLS (POP3) and upgrade, in
 * one place, so no protocol can fall back to plaintext: when the server
 * does not offer it we stop before anything else is sent. */
#include <string.h>

#include <glib.h>

#include "net/net_private.h"

/* word appears in s as a whole space-separated token, any case. */
static bool has_word(const char *s, size_t len, const char *word)
{
	size_t wl = strlen(word);
	size_t i = 0;
	while (i < len) {
		while (i < len && s[i] == ' ')
			i++;
		size_t start = i;
		while (i < len && s[i] != ' ')
			i++;
		if (i - start == wl && g_ascii_strncasecmp(s + start, word, wl) == 0)
			return true;
	}
	return false;
}

static bool starts_with_word(const char *line, size_t len, const char *word)
{
	size_t wl = strlen(word);
	return len >= wl && g_ascii_strncasecmp(line, word, wl) == 0 &&
	       (len == wl || line[wl] == ' ');
}

static enum net_status refuse(struct net_error *err, const char *what, const char *line)
{
	return net_fail(err, NET_ERR_NO_STARTTLS, "%s%s", what, line);
}

/* An IMAP tagged reply: tag, then OK (true) or anything else (false). */
static bool imap_tagged_ok(const char *line, size_t len, const char *tag)
{
	size_t tl = strlen(tag);
	return len > tl && strncmp(line, tag, tl) == 0 && line[tl] == ' ' &&
	       starts_with_word(line + tl + 1, len - tl - 1, "OK");
}

/* The STARTTLS atom inside an "[CAPABILITY ...]" response code, if any. */
static bool imap_code_offers(const char *text, size_t len)
{
	if (len < 12 || g_ascii_strncasecmp(text, "[CAPABILITY ", 12) != 0)
		return false;
	const char *end = memchr(text, ']', len);
	return end && has_word(text + 12, (size_t)(end - text) - 12, "STARTTLS");
}

static enum net_status imap_starttls(struct net_conn *c, struct net_error *err)
{
	static const char cmd1[] = "S1 CAPABILITY\r\n", cmd2[] = "S2 STARTTLS\r\n";
	const char *line;
	size_t len;
	bool offered = false;
	GString *caps = g_string_new("");
	enum net_status st = net_write(c, cmd1, sizeof cmd1 - 1, err);
	while (st == NET_OK) {
		st = net_read_line(c, &line, &len, err);
		if (st != NET_OK)
			break;
		if (len >= 13 && g_ascii_strncasecmp(line, "* CAPABILITY ", 13) == 0) {
			offered = offered || has_word(line + 13, len - 13, "STARTTLS");
			g_string_assign(caps, line);
		} else if (line[0] == '*') {
			continue;
		} else if (imap_tagged_ok(line, len, "S1")) {
			if (len > 6)
				offered = offered || imap_code_offers(line + 6, len - 6);
			if (caps->len == 0)
				g_string_assign(caps, line);
			break;
		} else {
			st = refuse(err, "CAPABILITY: ", line);
		}
	}
	if (st == NET_OK && !offered)
		st = refuse(err, "", caps->str);
	g_string_free(caps, TRUE);
	if (st == NET_OK)
		st = net_write(c, cmd2, sizeof cmd2 - 1, err);
	while (st == NET_OK) {
		st = net_read_line(c, &line, &len, err);
		if (st != NET_OK || imap_tagged_ok(line, len, "S2"))
			break;
		if (line[0] != '*')
			st = refuse(err, "STARTTLS: ", line);
	}
	return st == NET_OK ? net_start_tls(c, err) : st;
}

static enum net_status pop3_starttls(struct net_conn *c, struct net_error *err)
{
	static const char cmd1[] = "CAPA\r\n", cmd2[] = "STLS\r\n";
	const char *line;
	size_t len;
	bool offered = false;
	enum net_status st = net_write(c, cmd1, sizeof cmd1 - 1, err);
	if (st == NET_OK)
		st = net_read_line(c, &line, &len, err);
	if (st == NET_OK && !starts_with_word(line, len, "+OK"))
		return refuse(err, "CAPA: ", line);
	GString *caps = g_string_new("");
	while (st == NET_OK) {
		st = net_read_line(c, &line, &len, err);
		if (st != NET_OK || (len == 1 && line[0] == '.'))
			break;
		if (line[0] == '.') { /* dot-stuffed */
			line++;
			len--;
		}
		offered = offered || starts_with_word(line, len, "STLS");
		if (caps->len)
			g_string_append_c(caps, ' ');
		g_string_append_len(caps, line, (gssize)len);
	}
	if (st == NET_OK && !offered)
		st = refuse(err, "", caps->str);
	g_string_free(caps, TRUE);
	if (st == NET_OK)
		st = net_write(c, cmd2, sizeof cmd2 - 1, err);
	if (st == NET_OK)
		st = net_read_line(c, &line, &len, err);
	if (st == NET_OK && !starts_with_word(line, len, "+OK"))
		return refuse(err, "STLS: ", line);
	return st == NET_OK ? net_start_tls(c, err) : st;
}

enum net_status net_starttls(struct net_conn *c, enum net_starttls_proto p, struct net_error *err)
{
	struct net_error local;
	if (!err)
		err = &local;
	if (c->session)
		return net_fail(err, NET_ERR_TLS, "already using TLS");
	enum net_status st = p == NET_STARTTLS_IMAP ? imap_starttls(c, err) : pop3_starttls(c, err);
	/* Whatever went wrong, nothing may follow in plaintext (credentials). */
	if (st != NET_OK)
		net_conn_kill(c);
	return st;
}
