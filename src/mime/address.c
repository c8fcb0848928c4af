/* address.c - address lists as typed, envelope recipients, Message-IDs. */
#include "mime/mime_private.h"

#include <string.h>

/* Split at top-level commas (not inside quotes, comments, angle brackets
 * or a group's "name: ...;"). */
static GPtrArray *split_entries(const char *text)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	const char *start = text;
	bool quote = false, group = false;
	int paren = 0, angle = 0;

	for (const char *p = text;; p++) {
		if (*p == '\0' || (*p == ',' && !quote && !group && !paren && !angle)) {
			char *e = g_strstrip(g_strndup(start, (size_t)(p - start)));

			if (*e)
				g_ptr_array_add(out, e);
			else
				g_free(e);
			if (!*p)
				break;
			start = p + 1;
			continue;
		}
		if (*p == '\\' && (quote || paren) && p[1]) {
			p++;
			continue;
		}
		if (*p == '"' && !paren)
			quote = !quote;
		else if (quote)
			continue;
		else if (*p == '(')
			paren++;
		else if (*p == ')' && paren)
			paren--;
		else if (paren)
			continue;
		else if (*p == '<')
			angle++;
		else if (*p == '>' && angle)
			angle--;
		else if (*p == ':' && !angle)
			group = true;
		else if (*p == ';' && group)
			group = false;
	}
	return out;
}

InternetAddressList *mime_parse_address_list(const char *text, char **bad)
{
	InternetAddressList *all = internet_address_list_new();
	GPtrArray *entries;

	*bad = NULL;
	if (!text)
		return all;
	/* GMime skips what it cannot parse; parsing entry by entry lets a
	 * mistyped recipient be reported instead of silently dropped. */
	entries = split_entries(text);
	for (guint i = 0; i < entries->len; i++) {
		InternetAddressList *one = internet_address_list_parse(NULL, entries->pdata[i]);

		if (!one || internet_address_list_length(one) == 0) {
			*bad = g_strdup(entries->pdata[i]);
			if (one)
				g_object_unref(one);
			g_object_unref(all);
			all = NULL;
			break;
		}
		internet_address_list_append(all, one);
		g_object_unref(one);
	}
	g_ptr_array_unref(entries);
	return all;
}

/* An envelope address must be one token: RCPT TO:<...> would otherwise
 * carry spaces, brackets or line breaks to the server. */
static bool address_usable(const char *addr)
{
	const char *at;

	if (!addr || !*addr)
		return false;
	for (const unsigned char *p = (const unsigned char *)addr; *p; p++)
		if (*p <= ' ' || *p == '<' || *p == '>' || *p == 0x7f)
			return false;
	at = strrchr(addr, '@');
	return at && at != addr && at[1] != '\0';
}

static bool collect(InternetAddressList *list, GPtrArray *out, char **bad)
{
	int n = internet_address_list_length(list);

	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);

		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			InternetAddressList *members =
			    internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia));

			if (members && !collect(members, out, bad))
				return false;
			continue;
		}
		const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
		bool seen = false;

		if (!address_usable(addr)) {
			*bad = internet_address_to_string(ia, NULL, FALSE);
			return false;
		}
		for (guint j = 0; j < out->len && !seen; j++)
			seen = g_ascii_strcasecmp(out->pdata[j], addr) == 0;
		if (!seen)
			g_ptr_array_add(out, g_strdup(addr));
	}
	return true;
}

bool mime_collect_addresses(InternetAddressList *list, GPtrArray *out, char **bad)
{
	*bad = NULL;
	return collect(list, out, bad);
}

char *mime_strip_angle(const char *id)
{
	char *s = g_strstrip(g_strdup(id ? id : ""));
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		char *inner = g_strndup(s + 1, n - 2);

		g_free(s);
		return inner;
	}
	return s;
}

char *mime_new_message_id(const char *address)
{
	const char *at = address ? strrchr(address, '@') : NULL;
	const char *domain = at && at[1] ? at + 1 : "localhost.localdomain";

	return g_mime_utils_generate_message_id(domain);
}
