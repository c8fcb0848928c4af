/* trace.c - tie SMTP replies to the commands libcurl sent. */
#include "smtp/smtp_private.h"

#include <stdlib.h>
#include <string.h>

void smtp_rcpt_failure_free(gpointer p)
{
	struct smtp_rcpt_failure *f = p;

	g_free(f->address);
	g_free(f->reply);
	g_free(f);
}

void smtp_trace_init(struct smtp_trace *t)
{
	memset(t, 0, sizeof *t);
	t->partial = g_string_new(NULL);
	t->lines = g_string_new(NULL);
	t->rcpt_failures = g_ptr_array_new_with_free_func(smtp_rcpt_failure_free);
}

void smtp_trace_clear(struct smtp_trace *t)
{
	if (t->partial)
		g_string_free(t->partial, TRUE);
	if (t->lines)
		g_string_free(t->lines, TRUE);
	if (t->rcpt_failures)
		g_ptr_array_unref(t->rcpt_failures);
	g_free(t->rcpt);
	g_free(t->auth_reply);
	g_free(t->mail_reply);
	g_free(t->data_reply);
	g_free(t->last_reply);
	memset(t, 0, sizeof *t);
}

bool smtp_trace_in_auth(const struct smtp_trace *t)
{
	return t->cmd == SMTP_CMD_AUTH;
}

static const struct {
	const char *verb;
	enum smtp_cmd cmd;
} verbs[] = {
    {"EHLO", SMTP_CMD_EHLO},  {"HELO", SMTP_CMD_EHLO},  {"STARTTLS", SMTP_CMD_STARTTLS},
    {"AUTH", SMTP_CMD_AUTH},  {"MAIL", SMTP_CMD_MAIL},  {"RCPT", SMTP_CMD_RCPT},
    {"DATA", SMTP_CMD_DATA},  {"QUIT", SMTP_CMD_OTHER}, {"RSET", SMTP_CMD_OTHER},
    {"NOOP", SMTP_CMD_OTHER}, {"VRFY", SMTP_CMD_OTHER}, {"EXPN", SMTP_CMD_OTHER},
};

/* "RCPT TO:<a@b> NOTIFY=..." -> "a@b" */
static char *rcpt_address(const char *line, size_t len)
{
	const char *lt = memchr(line, '<', len);
	const char *gt = lt ? memchr(lt, '>', len - (size_t)(lt - line)) : NULL;

	if (lt && gt)
		return g_strndup(lt + 1, (size_t)(gt - lt - 1));
	return g_strndup(line, len);
}

void smtp_trace_out(struct smtp_trace *t, const char *data, size_t len)
{
	size_t n = len;

	while (n > 0 && (data[n - 1] == '\r' || data[n - 1] == '\n'))
		n--;
	for (size_t i = 0; i < G_N_ELEMENTS(verbs); i++) {
		size_t vl = strlen(verbs[i].verb);

		if (n < vl || g_ascii_strncasecmp(data, verbs[i].verb, vl) != 0 ||
		    (n > vl && data[vl] != ' '))
			continue;
		t->cmd = verbs[i].cmd;
		if (t->cmd == SMTP_CMD_AUTH)
			t->auth_sent = true;
		if (t->cmd == SMTP_CMD_RCPT) {
			g_free(t->rcpt);
			t->rcpt = rcpt_address(data, n);
		}
		if (t->cmd == SMTP_CMD_DATA)
			t->data_replies = 0;
		g_string_truncate(t->lines, 0);
		return;
	}
	/* Anything else is a SASL continuation while in AUTH (base64), or
	 * a command we do not track. */
	if (t->cmd != SMTP_CMD_AUTH)
		t->cmd = SMTP_CMD_OTHER;
	g_string_truncate(t->lines, 0);
}

static void keep(char **slot, int *code_slot, int code, const char *text)
{
	g_free(*slot);
	*slot = g_strdup(text);
	*code_slot = code;
}

/* A complete reply (every line in t->lines) with its code. */
static void reply_done(struct smtp_trace *t, int code)
{
	const char *text = t->lines->str;

	keep(&t->last_reply, &t->last_code, code, text);
	switch (t->cmd) {
	case SMTP_CMD_EHLO:
		/* Only the EHLO before TLS matters: after STARTTLS curl does
		 * not look at it again, and without TLS there is none. */
		for (const char *p = text; p && *p;) {
			const char *nl = strchr(p, '\n');
			size_t l = nl ? (size_t)(nl - p) : strlen(p);

			if (l >= 12 && g_ascii_strncasecmp(p + 4, "STARTTLS", 8) == 0)
				t->starttls_offered = true;
			p = nl ? nl + 1 : NULL;
		}
		break;
	case SMTP_CMD_AUTH:
		if (code != 334)
			keep(&t->auth_reply, &t->auth_code, code, text);
		break;
	case SMTP_CMD_MAIL:
		keep(&t->mail_reply, &t->mail_code, code, text);
		break;
	case SMTP_CMD_RCPT:
		if (code >= 300) {
			struct smtp_rcpt_failure *f = g_new0(struct smtp_rcpt_failure, 1);

			f->address = g_strdup(t->rcpt ? t->rcpt : "");
			f->code = code;
			f->reply = g_strdup(text);
			g_ptr_array_add(t->rcpt_failures, f);
		} else {
			t->rcpt_ok++;
		}
		break;
	case SMTP_CMD_DATA:
		/* 354 go ahead, then the final reply after the dot; a refusal
		 * instead of 354 is final too. */
		t->data_replies++;
		if (code != 354)
			keep(&t->data_reply, &t->data_code, code, text);
		break;
	default:
		break;
	}
	g_string_truncate(t->lines, 0);
}

static void reply_line(struct smtp_trace *t, const char *line, size_t len)
{
	int code;

	if (len < 3 || !g_ascii_isdigit(line[0]) || !g_ascii_isdigit(line[1]) ||
	    !g_ascii_isdigit(line[2]))
		return; /* not a reply line (curl shows nothing else here) */
	if (t->lines->len)
		g_string_append_c(t->lines, '\n');
	g_string_append_len(t->lines, line, (gssize)len);
	if (len > 3 && line[3] == '-')
		return; /* more lines follow */
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	reply_done(t, code);
}

void smtp_trace_in(struct smtp_trace *t, const char *data, size_t len)
{
	g_string_append_len(t->partial, data, (gssize)len);
	for (;;) {
		char *nl = memchr(t->partial->str, '\n', t->partial->len);
		size_t l;

		if (!nl)
			break;
		l = (size_t)(nl - t->partial->str);
		reply_line(t, t->partial->str, l > 0 && nl[-1] == '\r' ? l - 1 : l);
		g_string_erase(t->partial, 0, (gssize)(l + 1));
	}
}
