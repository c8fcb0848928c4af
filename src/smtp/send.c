/* send.c - one libcurl easy handle per session, one perform per message.
 *
 * Reusing the handle keeps the connection (TCP, TLS, AUTH done once) for
 * a batch; TCP_NODELAY is on (curl's default, set anyway) so replies do
 * not wait for delayed ACKs.  The debug callback feeds smtp_trace, which
 * gives each refused recipient its address and the server's text. */
#include "smtp/smtp_private.h"
#include "core/core.h"

#include <curl/curl.h>
#include <string.h>

struct smtp_session {
	CURL *curl;
	char *url, *user, *password, *token, *login_options, *ca_file, *pin;
	enum smtp_tls tls;
	long timeout;
	smtp_progress_fn progress;
	void *progress_ud;
	const volatile int *cancel;
	char errbuf[CURL_ERROR_SIZE];
	struct smtp_trace trace;
	/* the upload in progress */
	const char *data;
	size_t len, pos;
};

static gpointer global_init(gpointer unused)
{
	(void)unused;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return NULL;
}

/* Copy LF, CR or CRLF line ends as CRLF; curl adds the dot-stuffing. */
static size_t read_cb(char *buf, size_t size, size_t nitems, void *ud)
{
	struct smtp_session *s = ud;
	size_t room = size * nitems, out = 0;

	while (s->pos < s->len) {
		char c = s->data[s->pos];

		if (c == '\r' || c == '\n') {
			if (out + 2 > room)
				break;
			buf[out++] = '\r';
			buf[out++] = '\n';
			s->pos += (c == '\r' && s->pos + 1 < s->len && s->data[s->pos + 1] == '\n')
			              ? 2
			              : 1;
			continue;
		}
		if (out + 1 > room)
			break;
		buf[out++] = c;
		s->pos++;
	}
	return out;
}

static uint64_t crlf_size(const char *data, size_t len)
{
	uint64_t n = len;

	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
			i++;
		else if (data[i] == '\r' || data[i] == '\n')
			n++;
	}
	return n;
}

static int xferinfo_cb(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
	struct smtp_session *s = ud;

	(void)dltotal;
	(void)dlnow;
	if (core_flag_raised(s->cancel))
		return 1;
	if (s->progress && !s->progress(s->progress_ud, (uint64_t)ulnow, (uint64_t)ultotal))
		return 1;
	return 0;
}

static int debug_cb(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
	struct smtp_session *s = ud;

	(void)h;
	switch (type) {
	case CURLINFO_HEADER_OUT:
		smtp_trace_out(&s->trace, data, size);
		if (core_log_enabled())
			core_log_wire(CORE_LOG_SMTP, "C", data, size,
			              smtp_trace_in_auth(&s->trace));
		break;
	case CURLINFO_HEADER_IN:
		smtp_trace_in(&s->trace, data, size);
		if (core_log_enabled())
			core_log_wire(CORE_LOG_SMTP, "S", data, size, false);
		break;
	case CURLINFO_TEXT:
		if (core_log_enabled())
			core_log(CORE_LOG_SMTP, "curl: %.*s",
			         (int)(size && data[size - 1] == '\n' ? size - 1 : size), data);
		break;
	default:
		break;
	}
	return 0;
}

static char *secret_dup(const char *s)
{
	if (!s)
		return NULL;
	core_log_add_secret(s);
	return g_strdup(s);
}

static void secret_free(char *s)
{
	if (s) {
		core_wipe(s);
		g_free(s);
	}
}

struct smtp_session *smtp_session_new(const struct smtp_server *srv)
{
	static GOnce once = G_ONCE_INIT;
	struct smtp_session *s;
	bool v6 = srv->host && strchr(srv->host, ':');

	g_once(&once, global_init, NULL);
	s = g_new0(struct smtp_session, 1);
	s->curl = curl_easy_init();
	if (!s->curl) {
		g_free(s);
		return NULL;
	}
	s->tls = srv->tls;
	s->timeout = srv->timeout > 0 ? srv->timeout : 30;
	s->url = g_strdup_printf("%s://%s%s%s:%u", srv->tls == SMTP_TLS_IMPLICIT ? "smtps" : "smtp",
	                         v6 ? "[" : "", srv->host, v6 ? "]" : "", srv->port);
	s->user = g_strdup(srv->user);
	s->password = secret_dup(srv->password);
	s->token = secret_dup(srv->oauth_token);
	if (srv->auth_mech)
		s->login_options = g_strdup_printf("AUTH=%s", srv->auth_mech);
	s->ca_file = g_strdup(srv->ca_file);
	s->pin = g_strdup(srv->pin);
	smtp_trace_init(&s->trace);

	CURL *c = s->curl;

	curl_easy_setopt(c, CURLOPT_URL, s->url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->errbuf);
	/* STARTTLS that the server does not offer is an error before AUTH. */
	curl_easy_setopt(c, CURLOPT_USE_SSL,
	                 (long)(s->tls == SMTP_TLS_NONE ? CURLUSESSL_NONE : CURLUSESSL_ALL));
	if (s->user) {
		curl_easy_setopt(c, CURLOPT_USERNAME, s->user);
		if (s->token)
			curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, s->token);
		else if (s->password)
			curl_easy_setopt(c, CURLOPT_PASSWORD, s->password);
		if (s->login_options)
			curl_easy_setopt(c, CURLOPT_LOGIN_OPTIONS, s->login_options);
	}
	if (s->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, s->ca_file);
	if (s->pin) {
		/* A key the user accepted (or configured) replaces CA trust: the
		 * pin names the exact key, which is stronger than a CA chain. */
		curl_easy_setopt(c, CURLOPT_PINNEDPUBLICKEY, s->pin);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, s->timeout);
	curl_easy_setopt(c, CURLOPT_SERVER_RESPONSE_TIMEOUT, s->timeout);
	/* A stalled upload counts as a timeout too. */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, s->timeout);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, s);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, s);
	/* The debug callback only runs with VERBOSE; it prints nothing. */
	curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, debug_cb);
	curl_easy_setopt(c, CURLOPT_DEBUGDATA, s);
	/* 7.69..8.1 spell it with three Ls; later versions keep that name too. */
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
	return s;
}

void smtp_session_free(struct smtp_session *s)
{
	if (!s)
		return;
	curl_easy_cleanup(s->curl); /* sends QUIT on the open connection */
	smtp_trace_clear(&s->trace);
	g_free(s->url);
	g_free(s->user);
	secret_free(s->password);
	secret_free(s->token);
	g_free(s->login_options);
	g_free(s->ca_file);
	g_free(s->pin);
	g_free(s);
}

void smtp_session_set_progress(struct smtp_session *s, smtp_progress_fn fn, void *ud)
{
	s->progress = fn;
	s->progress_ud = ud;
}

void smtp_session_set_cancel(struct smtp_session *s, const volatile int *cancel)
{
	s->cancel = cancel;
}

static enum smtp_retry by_code(int code)
{
	return code >= 500 ? SMTP_RETRY_PERMANENT : SMTP_RETRY_TEMPORARY;
}

static void set_reply(struct smtp_result *r, int code, const char *text)
{
	r->reply_code = code;
	g_free(r->reply);
	r->reply = g_strdup(text);
}

/* Turn curl's code and what the trace saw into status and retry class. */
static void classify(struct smtp_session *s, CURLcode rc, struct smtp_result *r)
{
	struct smtp_trace *t = &s->trace;

	r->status = SMTP_ERR_NETWORK;
	r->retry = SMTP_RETRY_TEMPORARY;
	if (rc == CURLE_OK) {
		r->status = t->rcpt_failures->len ? SMTP_PARTIAL : SMTP_OK;
		r->retry = SMTP_RETRY_NONE;
		set_reply(r, t->data_code, t->data_reply);
		return;
	}
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		r->status = SMTP_ERR_RESOLVE;
		return;
	case CURLE_COULDNT_CONNECT:
		r->status = SMTP_ERR_CONNECT;
		return;
	case CURLE_OPERATION_TIMEDOUT:
		r->status = SMTP_ERR_TIMEOUT;
		return;
	case CURLE_ABORTED_BY_CALLBACK:
		r->status = SMTP_ERR_CANCELLED;
		return;
	case CURLE_USE_SSL_FAILED:
		r->status = SMTP_ERR_NO_STARTTLS;
		r->retry = SMTP_RETRY_ACCOUNT;
		return;
	case CURLE_SSL_CONNECT_ERROR:
		r->status = SMTP_ERR_TLS;
		return;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
		r->status = SMTP_ERR_CERT;
		r->retry = SMTP_RETRY_ACCOUNT;
		return;
	case CURLE_LOGIN_DENIED:
	case CURLE_AUTH_ERROR:
		r->status = SMTP_ERR_AUTH;
		r->retry = t->auth_code >= 400 && t->auth_code < 500 ? SMTP_RETRY_TEMPORARY
		                                                     : SMTP_RETRY_ACCOUNT;
		set_reply(r, t->auth_code, t->auth_reply);
		return;
	default:
		break;
	}
	/* Protocol refusals: curl says SEND_ERROR or WEIRD_SERVER_REPLY; the
	 * trace knows which command and why. */
	if (t->auth_code >= 400) {
		r->status = SMTP_ERR_AUTH;
		r->retry = t->auth_code < 500 ? SMTP_RETRY_TEMPORARY : SMTP_RETRY_ACCOUNT;
		set_reply(r, t->auth_code, t->auth_reply);
	} else if (t->mail_code >= 400) {
		/* 530: authentication required (the server offered no AUTH we use) */
		r->status = t->mail_code == 530 ? SMTP_ERR_AUTH : SMTP_ERR_SENDER;
		r->retry = t->mail_code == 530 ? SMTP_RETRY_ACCOUNT : by_code(t->mail_code);
		set_reply(r, t->mail_code, t->mail_reply);
	} else if (t->rcpt_failures->len && t->rcpt_ok == 0 && t->data_replies == 0) {
		r->status = SMTP_ERR_RECIPIENTS;
		r->retry = SMTP_RETRY_PERMANENT;
		for (guint i = 0; i < t->rcpt_failures->len; i++) {
			const struct smtp_rcpt_failure *f = t->rcpt_failures->pdata[i];

			if (f->code < 500)
				r->retry = SMTP_RETRY_TEMPORARY;
			set_reply(r, f->code, f->reply);
		}
	} else if (t->data_code >= 400) {
		r->status = SMTP_ERR_DATA;
		r->retry = by_code(t->data_code);
		set_reply(r, t->data_code, t->data_reply);
	} else if (rc == CURLE_WEIRD_SERVER_REPLY) {
		r->status = SMTP_ERR_PROTOCOL;
		set_reply(r, t->last_code, t->last_reply);
	}
}

enum smtp_status smtp_send(struct smtp_session *s, const char *from, const char *const *rcpts,
                           size_t n, const char *data, size_t len, struct smtp_result *res)
{
	struct curl_slist *list = NULL;
	char *mail_from;
	CURLcode rc;

	smtp_result_clear(res);
	for (size_t i = 0; i < n; i++) {
		char *r = g_strdup_printf("<%s>", rcpts[i]);

		list = curl_slist_append(list, r);
		g_free(r);
	}
	mail_from = g_strdup_printf("<%s>", from ? from : "");
	smtp_trace_clear(&s->trace);
	smtp_trace_init(&s->trace);
	s->errbuf[0] = '\0';
	s->data = data;
	s->len = len;
	s->pos = 0;
	curl_easy_setopt(s->curl, CURLOPT_MAIL_FROM, mail_from);
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, list);
	curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)crlf_size(data, len));
	rc = curl_easy_perform(s->curl);
	classify(s, rc, res);
	res->auth_sent = s->trace.auth_sent;
	g_ptr_array_extend_and_steal(res->rcpt_failures, s->trace.rcpt_failures);
	s->trace.rcpt_failures = g_ptr_array_new_with_free_func(smtp_rcpt_failure_free);
	g_strlcpy(res->detail, s->errbuf[0] ? s->errbuf : (rc ? curl_easy_strerror(rc) : ""),
	          sizeof res->detail);
	/* The slist and strings must outlive the perform only. */
	curl_easy_setopt(s->curl, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(s->curl, CURLOPT_MAIL_FROM, NULL);
	curl_slist_free_all(list);
	g_free(mail_from);
	s->data = NULL;
	return res->status;
}

void smtp_result_clear(struct smtp_result *r)
{
	if (r->rcpt_failures)
		g_ptr_array_unref(r->rcpt_failures);
	g_free(r->reply);
	memset(r, 0, sizeof *r);
	r->rcpt_failures = g_ptr_array_new_with_free_func(smtp_rcpt_failure_free);
}

const char *smtp_status_name(enum smtp_status st)
{
	static const char *const names[] = {
	    [SMTP_OK] = "SMTP_OK",
	    [SMTP_PARTIAL] = "SMTP_PARTIAL",
	    [SMTP_ERR_RESOLVE] = "SMTP_ERR_RESOLVE",
	    [SMTP_ERR_CONNECT] = "SMTP_ERR_CONNECT",
	    [SMTP_ERR_TIMEOUT] = "SMTP_ERR_TIMEOUT",
	    [SMTP_ERR_NETWORK] = "SMTP_ERR_NETWORK",
	    [SMTP_ERR_TLS] = "SMTP_ERR_TLS",
	    [SMTP_ERR_CERT] = "SMTP_ERR_CERT",
	    [SMTP_ERR_NO_STARTTLS] = "SMTP_ERR_NO_STARTTLS",
	    [SMTP_ERR_AUTH] = "SMTP_ERR_AUTH",
	    [SMTP_ERR_SENDER] = "SMTP_ERR_SENDER",
	    [SMTP_ERR_RECIPIENTS] = "SMTP_ERR_RECIPIENTS",
	    [SMTP_ERR_DATA] = "SMTP_ERR_DATA",
	    [SMTP_ERR_PROTOCOL] = "SMTP_ERR_PROTOCOL",
	    [SMTP_ERR_CANCELLED] = "SMTP_ERR_CANCELLED",
	    [SMTP_ERR_INTERNAL] = "SMTP_ERR_INTERNAL",
	};

	if ((unsigned)st < G_N_ELEMENTS(names) && names[st])
		return names[st];
	return "SMTP_ERR_?";
}
