/* test_load.c - config_load: valid files parse to the right fields, and
 * every class of mistake is reported on the right line. */
#include "cfgtest.h"

/* Lines 1-7: a complete IMAP account.  Cases append to it. */
#define IMAP_OK                                                                                    \
	"[account work]\n"                                                                         \
	"mode = imap\n"                                                                            \
	"from = me@example.org\n"                                                                  \
	"user = me\n"                                                                              \
	"password_command = echo x\n"                                                              \
	"imap_url = imaps://imap.example.org\n"                                                    \
	"smtp_url = smtp://smtp.example.org\n"

/* Lines 1-8: a complete POP3 account. */
#define POP3_OK                                                                                    \
	"[account home]\n"                                                                         \
	"mode = pop3\n"                                                                            \
	"from = me@example.org\n"                                                                  \
	"user = me\n"                                                                              \
	"password_command = echo x\n"                                                              \
	"pop3_url = pop3s://pop.example.org\n"                                                     \
	"smtp_url = smtps://smtp.example.org\n"                                                    \
	"maildir = ~/Mail\n"

static void test_valid_fields(void)
{
	static const char text[] =
	    "# comment\n"
	    "; another comment\n"
	    "[general]\n"
	    "default_account = home\n"
	    "editor = vim\n"
	    "pager_headers = From, Subject  Date\n"
	    "sort = thread\n"
	    "collapse_threads = yes\n" /* in place of a blank line: lines stay */
	    "[account work]\n"
	    "mode = imap\n"
	    "from = \"Jane Q. Doe\" <jane@example.org>\n"
	    "user = jane\n"
	    "password_command = pass show mail/work\n"
	    "imap_url = imap://imap.example.org/\n"
	    "smtp_url = smtp://smtp.example.org\n"
	    "sent_folder = \"  Sent  \"\n"
	    "drafts_folder = Drafts\n"
	    "check_interval = 5m\n"
	    "timeout = 45\n"
	    "tls = required\n"
	    "tls_fingerprint = sha256:"
	    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
	    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\n"
	    "\n"
	    "[account home]\n"
	    "mode = pop3\n"
	    "from = joe@example.net\n"
	    "name = Joe\n"
	    "user = joe\n"
	    "password = s3cret\n"
	    "pop3_url = pop3s://[2001:db8::1]:1995\n"
	    "smtp_url = smtps://smtp.example.net\n"
	    "maildir = ~/Mail/home\n"
	    "keep = 14 days\n"
	    "signature_file = ~/sig\n"
	    "tls_fingerprint = sha256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";
	char *path = cfgtest_write("valid", text, 0600);
	char *sig = cfgtest_write("sig", "-- \nJoe\n", 0600);
	struct config *cfg = config_load(path);
	struct config_account *w, *h;
	char *maildir = g_build_filename(cfgtest_dir, "Mail", "home", NULL);

	cfgtest_dump(cfg);
	g_assert_cmpint(cfg->diags->len, ==, 0);
	g_assert_false(config_has_errors(cfg));
	g_assert_cmpuint(cfg->accounts->len, ==, 2);

	g_assert_cmpstr(cfg->general.default_account, ==, "home");
	g_assert_cmpstr(cfg->general.editor, ==, "vim");
	g_assert_cmpstr(cfg->general.sort, ==, "thread");
	g_assert_true(cfg->general.collapse_threads);
	g_assert_cmpuint(g_strv_length(cfg->general.pager_headers), ==, 3);
	g_assert_cmpstr(cfg->general.pager_headers[0], ==, "From");
	g_assert_cmpstr(cfg->general.pager_headers[1], ==, "Subject");
	g_assert_cmpstr(cfg->general.pager_headers[2], ==, "Date");
	g_assert_cmpstr(cfg->general.html_command, ==, "w3m -dump -T text/html");

	w = config_account_find(cfg, "work");
	g_assert_nonnull(w);
	g_assert_cmpint(w->line, ==, 9);
	g_assert_cmpint(w->mode, ==, CONFIG_MODE_IMAP);
	g_assert_cmpstr(w->from, ==, "jane@example.org");
	g_assert_cmpstr(w->display_name, ==, "Jane Q. Doe");
	g_assert_cmpstr(w->user, ==, "jane");
	g_assert_null(w->password);
	g_assert_cmpstr(w->password_command, ==, "pass show mail/work");
	g_assert_true(w->imap.set);
	g_assert_cmpstr(w->imap.scheme, ==, "imap");
	g_assert_cmpstr(w->imap.host, ==, "imap.example.org");
	g_assert_cmpuint(w->imap.port, ==, 143);
	g_assert_cmpint(w->imap.tls, ==, CONFIG_TLS_STARTTLS);
	g_assert_cmpuint(w->smtp.port, ==, 587);
	g_assert_cmpint(w->smtp.tls, ==, CONFIG_TLS_STARTTLS);
	g_assert_false(w->pop3.set);
	g_assert_cmpstr(w->sent_folder, ==, "  Sent  ");
	g_assert_cmpstr(w->drafts_folder, ==, "Drafts");
	g_assert_cmpint(w->check_interval, ==, 300);
	g_assert_cmpint(w->timeout, ==, 45);
	g_assert_false(w->tls_none);
	g_assert_nonnull(w->tls_fingerprint);

	h = config_account_find(cfg, "home");
	g_assert_nonnull(h);
	g_assert_cmpint(h->mode, ==, CONFIG_MODE_POP3);
	g_assert_cmpstr(h->display_name, ==, "Joe");
	g_assert_cmpstr(h->password, ==, "s3cret");
	g_assert_cmpstr(h->pop3.host, ==, "2001:db8::1");
	g_assert_cmpuint(h->pop3.port, ==, 1995);
	g_assert_cmpint(h->pop3.tls, ==, CONFIG_TLS_IMPLICIT);
	g_assert_cmpuint(h->smtp.port, ==, 465);
	g_assert_cmpint(h->smtp.tls, ==, CONFIG_TLS_IMPLICIT);
	g_assert_cmpstr(h->maildir, ==, maildir);
	g_assert_cmpint(h->keep, ==, CONFIG_KEEP_DAYS);
	g_assert_cmpint(h->keep_days, ==, 14);
	g_assert_cmpstr(h->signature_file, ==, sig);
	g_assert_cmpint(h->check_interval, ==, 300); /* default */
	g_assert_cmpint(h->timeout, ==, 30);         /* default */
	g_assert_null(config_account_find(cfg, "nope"));

	config_free(cfg);
	g_free(maildir);
	g_free(sig);
	g_free(path);
}

static void test_folders(void)
{
	char *path = cfgtest_write("folders",
	                           POP3_OK "folders = Inbox=tag:inbox and not tag:deleted;"
	                                   "  Thư mục = tag:vi ; Work=tag:work or from:boss@x=y;\n",
	                           0600);
	struct config *cfg = config_load(path);
	struct config_account *a = g_ptr_array_index(cfg->accounts, 0);
	const struct config_folder *f;

	cfgtest_dump(cfg);
	g_assert_cmpint(cfg->diags->len, ==, 0);
	g_assert_nonnull(a->folders);
	g_assert_cmpuint(a->folders->len, ==, 3);
	f = g_ptr_array_index(a->folders, 0);
	g_assert_cmpstr(f->name, ==, "Inbox");
	g_assert_cmpstr(f->query, ==, "tag:inbox and not tag:deleted");
	f = g_ptr_array_index(a->folders, 1);
	g_assert_cmpstr(f->name, ==, "Thư mục");
	g_assert_cmpstr(f->query, ==, "tag:vi");
	f = g_ptr_array_index(a->folders, 2);
	g_assert_cmpstr(f->name, ==, "Work"); /* the first '=' ends the name */
	g_assert_cmpstr(f->query, ==, "tag:work or from:boss@x=y");
	config_free(cfg);
	g_free(path);

	/* Without the key: NULL, the backend's defaults. */
	path = cfgtest_write("nofolders", POP3_OK, 0600);
	cfg = config_load(path);
	g_assert_null(((struct config_account *)g_ptr_array_index(cfg->accounts, 0))->folders);
	config_free(cfg);
	g_free(path);
}

static void test_defaults(void)
{
	char *path = cfgtest_write("defaults", POP3_OK, 0600);
	struct config *cfg = config_load(path);
	struct config_account *a;

	cfgtest_dump(cfg);
	g_assert_cmpint(cfg->diags->len, ==, 0);
	a = g_ptr_array_index(cfg->accounts, 0);
	g_assert_cmpint(a->keep, ==, CONFIG_KEEP_NO);
	g_assert_cmpuint(a->pop3.port, ==, 995);
	g_assert_null(a->display_name);
	/* The first account is the default one. */
	g_assert_cmpstr(cfg->general.default_account, ==, "home");
	g_assert_cmpstr(cfg->general.sort, ==, "date");
	g_assert_false(cfg->general.collapse_threads);
	g_assert_null(cfg->general.attachment_command); /* mailcap decides */
	g_assert_cmpuint(g_strv_length(cfg->general.pager_headers), ==, 5);
	config_free(cfg);
	g_free(path);
}

struct value_case {
	const char *line; /* appended to IMAP_OK or POP3_OK as line 8 or 9 */
	bool pop3;
	const char *field; /* what to check */
	long want;
};

/* Values that must parse, and what they become. */
static const struct value_case value_cases[] = {
    {"keep = yes", true, "keep", CONFIG_KEEP_YES},
    {"keep = no", true, "keep", CONFIG_KEEP_NO},
    {"keep = 1 day", true, "keep_days", 1},
    {"keep = 30days", true, "keep_days", 30},
    {"check_interval = 90", false, "check_interval", 90},
    {"check_interval = 90s", false, "check_interval", 90},
    {"check_interval = 2h", false, "check_interval", 7200},
    {"check_interval = 0", false, "check_interval", 0},
    {"timeout = 1m", false, "timeout", 60},
    {"imap_url = imaps://[::1]:10993", false, "imap_port", 10993},
};

static long value_of(const struct config_account *a, const char *field)
{
	if (strcmp(field, "keep") == 0)
		return a->keep;
	if (strcmp(field, "keep_days") == 0)
		return a->keep_days;
	if (strcmp(field, "check_interval") == 0)
		return a->check_interval;
	if (strcmp(field, "timeout") == 0)
		return a->timeout;
	if (strcmp(field, "imap_port") == 0)
		return a->imap.port;
	g_assert_not_reached();
}

static void test_values(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(value_cases); i++) {
		const struct value_case *c = &value_cases[i];
		char *text, *path;
		struct config *cfg;

		/* imap_url is replaced, not added: drop IMAP_OK's own. */
		if (g_str_has_prefix(c->line, "imap_url"))
			text = g_strdup_printf("[account work]\nmode = imap\nfrom = a@b\nuser = u\n"
			                       "password_command = true\nsmtp_url = smtp://h\n%s\n",
			                       c->line);
		else
			text = g_strdup_printf("%s%s\n", c->pop3 ? POP3_OK : IMAP_OK, c->line);
		path = cfgtest_write("value", text, 0600);
		cfg = config_load(path);
		g_test_message("case %zu: %s", i, c->line);
		cfgtest_dump(cfg);
		g_assert_false(config_has_errors(cfg));
		g_assert_cmpint(value_of(g_ptr_array_index(cfg->accounts, 0), c->field), ==,
		                c->want);
		config_free(cfg);
		g_free(path);
		g_free(text);
	}
}

#define EMPTY_B64 "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"
#define HEX64 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* tls_fingerprint forms: value written -> value stored (NULL: error). */
static const struct {
	const char *in, *stored;
} fp_cases[] = {
    {"sha256:" HEX64, "sha256:" HEX64},
    {"SHA256:" HEX64, "SHA256:" HEX64},
    {"sha256:E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24:"
     "27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:78:52:B8:55",
     "sha256:E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24:"
     "27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:78:52:B8:55"},
    {"sha256:" EMPTY_B64 "=", "sha256:" EMPTY_B64 "="},
    {"sha256:" EMPTY_B64, "sha256:" EMPTY_B64 "="}, /* padded for net */
    {"sha256//" EMPTY_B64 "=", "sha256//" EMPTY_B64 "="},
    {"sha256:" HEX64 "00", NULL},
    {"sha256:e3b0:c442", NULL},
    {"sha256:" EMPTY_B64 "V", NULL},                               /* 44 without '=' */
    {"sha256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=", NULL}, /* not canonical */
    {"sha256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSu!U=", NULL},
    {"md5:" HEX64, NULL},
    {EMPTY_B64 "=", NULL},
};

static void test_fingerprints(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(fp_cases); i++) {
		char *text = g_strdup_printf(IMAP_OK "tls_fingerprint = %s\n", fp_cases[i].in);
		char *path = cfgtest_write("fp", text, 0600);
		struct config *cfg = config_load(path);
		struct config_account *a = g_ptr_array_index(cfg->accounts, 0);

		g_test_message("case %zu: %s", i, fp_cases[i].in);
		cfgtest_dump(cfg);
		g_assert_cmpint(config_has_errors(cfg), ==, fp_cases[i].stored == NULL);
		g_assert_cmpstr(a->tls_fingerprint, ==, fp_cases[i].stored);
		config_free(cfg);
		g_free(path);
		g_free(text);
	}
}

static void test_tls_none(void)
{
	static const char text[] = "[account plain]\n"
	                           "mode = imap\n"
	                           "from = a@example.org\n"
	                           "user = a\n"
	                           "password_command = true\n"
	                           "imap_url = imap://localhost:1143\n"
	                           "smtp_url = smtp://localhost:1025\n"
	                           "tls = none\n";
	char *path = cfgtest_write("tlsnone", text, 0600);
	struct config *cfg = config_load(path);
	struct config_account *a = g_ptr_array_index(cfg->accounts, 0);
	const struct config_diag *d;

	cfgtest_dump(cfg);
	g_assert_false(config_has_errors(cfg));
	g_assert_cmpint(cfgtest_count(cfg, CONFIG_WARNING), ==, 1);
	d = g_ptr_array_index(cfg->diags, 0);
	g_assert_cmpint(d->line, ==, 8);
	g_assert_nonnull(strstr(d->message, "tls = none"));
	g_assert_true(a->tls_none);
	g_assert_cmpint(a->imap.tls, ==, CONFIG_TLS_NONE);
	g_assert_cmpint(a->smtp.tls, ==, CONFIG_TLS_NONE);
	config_free(cfg);
	g_free(path);
}

struct diag_case {
	const char *name;
	const char *text;
	enum config_severity sev;
	int line;
	const char *needle; /* the message must contain it */
	mode_t mode;        /* 0: 0600 */
	const char *absent; /* the message must not contain it (a secret) */
};

/* Fields: name, text, severity, line, needle, mode (0: 0600), absent. */
#define A_HEAD "[account a]\n"
static const struct diag_case diag_cases[] = {
    {"unknown key suggests", IMAP_OK "chek_interval = 5m\n", CONFIG_ERROR, 8,
     "did you mean check_interval?", 0, NULL},
    {"unknown key far", IMAP_OK "colour = red\n", CONFIG_ERROR, 8, "\"colour\"", 0, NULL},
    {"unknown general key", "[general]\nsrot = date\n" IMAP_OK, CONFIG_ERROR, 2,
     "did you mean sort?", 0, NULL},
    {"missing mode",
     "\n" A_HEAD "from = a@b\nuser = u\npassword_command = true\n"
     "imap_url = imaps://h\nsmtp_url = smtps://h\n",
     CONFIG_ERROR, 2, "mode", 0, NULL},
    {"missing from",
     A_HEAD "mode = imap\nuser = u\npassword_command = true\n"
            "imap_url = imaps://h\nsmtp_url = smtps://h\n",
     CONFIG_ERROR, 1, "from", 0, NULL},
    {"missing user",
     A_HEAD "mode = imap\nfrom = a@b\npassword_command = true\n"
            "imap_url = imaps://h\nsmtp_url = smtps://h\n",
     CONFIG_ERROR, 1, "user", 0, NULL},
    {"missing imap_url", A_HEAD "mode = imap\nfrom = a@b\nuser = u\npassword_command = true\n",
     CONFIG_ERROR, 1, "imap_url", 0, NULL},
    {"missing pop3_url",
     A_HEAD "mode = pop3\nfrom = a@b\nuser = u\npassword_command = true\n"
            "maildir = /tmp/m\n",
     CONFIG_ERROR, 1, "pop3_url", 0, NULL},
    {"missing maildir",
     A_HEAD "mode = pop3\nfrom = a@b\nuser = u\npassword_command = true\n"
            "pop3_url = pop3s://h\n",
     CONFIG_ERROR, 1, "maildir", 0, NULL},
    {"missing password", A_HEAD "mode = imap\nfrom = a@b\nuser = u\nimap_url = imaps://h\n",
     CONFIG_ERROR, 1, "password_command", 0, NULL},
    {"bad mode", IMAP_OK "[account b]\nmode = maildir\n", CONFIG_ERROR, 9, "mode", 0, NULL},
    {"scheme for other key", IMAP_OK "pop3_url = imap://h\n", CONFIG_ERROR, 8, "pop3_url", 0, NULL},
    {"imap_url with pop3 scheme",
     A_HEAD "mode = imap\nfrom = a@b\nuser = u\npassword_command = true\n"
            "imap_url = pop3://h\n",
     CONFIG_ERROR, 6, "imap_url", 0, NULL},
    {"unknown scheme",
     A_HEAD "mode = imap\nfrom = a@b\nuser = u\npassword_command = true\n"
            "imap_url = imaps://h\nsmtp_url = http://h\n",
     CONFIG_ERROR, 7, "\"http\"", 0, NULL},
    {"port too big", A_HEAD "imap_url = imaps://h:99999\n", CONFIG_ERROR, 2, "port", 0, NULL},
    {"port zero", A_HEAD "imap_url = imaps://h:0\n", CONFIG_ERROR, 2, "port", 0, NULL},
    {"port not a number", A_HEAD "imap_url = imaps://h:imap\n", CONFIG_ERROR, 2, "port", 0, NULL},
    {"port empty", A_HEAD "imap_url = imaps://h:\n", CONFIG_ERROR, 2, "port", 0, NULL},
    {"garbage url", A_HEAD "imap_url = imap.example.org\n", CONFIG_ERROR, 2, "imap_url", 0, NULL},
    {"no host", A_HEAD "imap_url = imaps://:993\n", CONFIG_ERROR, 2, "host", 0, NULL},
    {"bad host", A_HEAD "imap_url = imaps://ex ample.org\n", CONFIG_ERROR, 2, "host", 0, NULL},
    {"url path", A_HEAD "imap_url = imaps://h/INBOX\n", CONFIG_ERROR, 2, "path", 0, NULL},
    {"ipv6 without brackets", A_HEAD "imap_url = imaps://::1\n", CONFIG_ERROR, 2, "brackets", 0,
     NULL},
    {"userinfo in url", A_HEAD "imap_url = imaps://me:hunter2@h\n", CONFIG_ERROR, 2,
     "password_command", 0, "hunter2"},
    {"user in url", A_HEAD "smtp_url = smtps://me@h\n", CONFIG_ERROR, 2, "user name", 0, NULL},
    {"duplicate url", IMAP_OK "imap_url = imaps://other\n", CONFIG_ERROR, 8, "twice", 0, NULL},
    {"tls none with imaps", IMAP_OK "tls = none\n", CONFIG_ERROR, 8, "imap_url (line 6)", 0, NULL},
    {"tls bad value", IMAP_OK "tls = starttls\n", CONFIG_ERROR, 8, "tls", 0, NULL},
    {"password 0644", IMAP_OK "password = pw\n", CONFIG_ERROR, 8, "chmod 600", 0644, NULL},
    {"password 0640 group", POP3_OK "password = pw\n", CONFIG_ERROR, 9, "chmod 600", 0640, NULL},
    {"password and command", IMAP_OK "password = pw\n", CONFIG_ERROR, 8, "both", 0, NULL},
    {"keep garbage", POP3_OK "keep = 7d\n", CONFIG_ERROR, 9, "keep", 0, NULL},
    {"keep zero", POP3_OK "keep = 0 days\n", CONFIG_ERROR, 9, "keep", 0, NULL},
    {"keep for imap warns", IMAP_OK "keep = yes\n", CONFIG_WARNING, 8, "keep", 0, NULL},
    {"pop3_url for imap warns", IMAP_OK "pop3_url = pop3s://h\n", CONFIG_WARNING, 8, "pop3_url", 0,
     NULL},
    {"no smtp warns",
     A_HEAD "mode = imap\nfrom = a@b\nuser = u\npassword_command = true\n"
            "imap_url = imaps://h\n",
     CONFIG_WARNING, 1, "smtp_url", 0, NULL},
    {"duplicate account", IMAP_OK "\n[account work]\nmode = imap\n", CONFIG_ERROR, 9,
     "duplicate account \"work\" (first defined at line 1)", 0, NULL},
    {"duplicate key", IMAP_OK "user = other\n", CONFIG_ERROR, 8, "user", 0, NULL},
    {"default_account unknown", "[general]\ndefault_account = nope\n" IMAP_OK, CONFIG_ERROR, 2,
     "\"nope\"", 0, NULL},
    {"empty file", "", CONFIG_ERROR, 0, "no account", 0, NULL},
    {"only general", "[general]\nsort = date\n", CONFIG_ERROR, 0, "no account", 0, NULL},
    {"key outside section", "mode = imap\n" IMAP_OK, CONFIG_ERROR, 1, "\"mode\"", 0, NULL},
    {"unknown section", IMAP_OK "[accounts x]\n", CONFIG_ERROR, 8, "[accounts x]", 0, NULL},
    {"account without name", "[account]\n" IMAP_OK, CONFIG_ERROR, 1, "NAME", 0, NULL},
    {"bad account name", "[account a/b]\n", CONFIG_ERROR, 1, "a/b", 0, NULL},
    {"header not closed", "[account a\n", CONFIG_ERROR, 1, "]", 0, NULL},
    {"neither line", IMAP_OK "just words\n", CONFIG_ERROR, 8, "key = value", 0, NULL},
    {"empty value", IMAP_OK "sent_folder =\n", CONFIG_ERROR, 8, "sent_folder", 0, NULL},
    {"unterminated quote", IMAP_OK "sent_folder = \"Sent\n", CONFIG_ERROR, 8, "quote", 0, NULL},
    {"bad from", A_HEAD "from = not an address\n", CONFIG_ERROR, 2, "from", 0, NULL},
    {"from without domain", A_HEAD "from = Me <me@>\n", CONFIG_ERROR, 2, "from", 0, NULL},
    {"bad fingerprint", IMAP_OK "tls_fingerprint = sha1:abcd\n", CONFIG_ERROR, 8, "tls_fingerprint",
     0, NULL},
    {"short hex fingerprint", IMAP_OK "tls_fingerprint = sha256:abcd\n", CONFIG_ERROR, 8,
     "tls_fingerprint", 0, NULL},
    {"bad interval", IMAP_OK "check_interval = soon\n", CONFIG_ERROR, 8, "check_interval", 0, NULL},
    {"zero timeout", IMAP_OK "timeout = 0\n", CONFIG_ERROR, 8, "timeout", 0, NULL},
    {"missing ca file", IMAP_OK "tls_ca_file = /nonexistent/ca.pem\n", CONFIG_ERROR, 8,
     "tls_ca_file", 0, NULL},
    {"relative maildir", A_HEAD "maildir = Mail\n", CONFIG_ERROR, 2, "absolute", 0, NULL},
    {"bad sort", "[general]\nsort = size\n" IMAP_OK, CONFIG_ERROR, 2, "sort", 0, NULL},
    {"bad collapse_threads", "[general]\ncollapse_threads = maybe\n" IMAP_OK, CONFIG_ERROR, 2,
     "collapse_threads must be \"yes\" or \"no\", not \"maybe\"", 0, NULL},
    {"bad pager header", "[general]\npager_headers = From:\n" IMAP_OK, CONFIG_ERROR, 2, "From:", 0,
     NULL},
    {"duplicate general", "[general]\n[general]\n" IMAP_OK, CONFIG_ERROR, 2, "[general]", 0, NULL},
    {"missing signature warns", IMAP_OK "signature_file = ~/none\n", CONFIG_WARNING, 8,
     "signature_file", 0, NULL},
    {"folder without =", POP3_OK "folders = Inbox=tag:inbox; Work\n", CONFIG_ERROR, 9,
     "\"Work\" should be NAME=QUERY", 0, NULL},
    {"folder without name", POP3_OK "folders = =tag:inbox\n", CONFIG_ERROR, 9, "name", 0, NULL},
    {"folder empty query", POP3_OK "folders = Inbox=\n", CONFIG_ERROR, 9, "Inbox has an empty",
     0, NULL},
    {"folder twice", POP3_OK "folders = A=tag:a; A=tag:b\n", CONFIG_ERROR, 9, "A is given twice",
     0, NULL},
    {"folders empty", POP3_OK "folders = ;\n", CONFIG_ERROR, 9, "no folder", 0, NULL},
    {"folders on imap", IMAP_OK "folders = A=tag:a\n", CONFIG_WARNING, 8, "folders is ignored",
     0, NULL},
};

static void test_diagnostics(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(diag_cases); i++) {
		const struct diag_case *c = &diag_cases[i];
		char *path;
		struct config *cfg;
		bool found = false;

		path = cfgtest_write("case", c->text, c->mode ? c->mode : 0600);
		cfg = config_load(path);
		g_test_message("case %zu: %s", i, c->name);
		cfgtest_dump(cfg);
		for (guint j = 0; j < cfg->diags->len; j++) {
			const struct config_diag *d = g_ptr_array_index(cfg->diags, j);

			g_assert_cmpstr(d->file, ==, path);
			if (c->absent)
				g_assert_null(strstr(d->message, c->absent));
			if (d->severity == c->sev && d->line == c->line &&
			    strstr(d->message, c->needle))
				found = true;
		}
		if (!found)
			g_error("case \"%s\": no %s at line %d containing \"%s\"", c->name,
			        c->sev == CONFIG_ERROR ? "error" : "warning", c->line, c->needle);
		if (c->sev == CONFIG_ERROR)
			g_assert_true(config_has_errors(cfg));
		config_free(cfg);
		g_free(path);
	}
}

static void test_missing_file(void)
{
	char *path = g_build_filename(cfgtest_dir, "does-not-exist", NULL);
	struct config *cfg = config_load(path);
	const struct config_diag *d;

	g_assert_true(config_has_errors(cfg));
	g_assert_cmpuint(cfg->diags->len, ==, 1);
	d = g_ptr_array_index(cfg->diags, 0);
	g_assert_cmpint(d->line, ==, 0);
	g_assert_cmpstr(d->file, ==, path);
	g_assert_nonnull(strstr(d->message, "cannot read"));
	g_assert_cmpuint(cfg->accounts->len, ==, 0);
	config_free(cfg);
	g_free(path);
}

static void test_ca_file_exists(void)
{
	char *ca = cfgtest_write("ca.pem", "not checked here\n", 0644);
	char *text = g_strdup_printf(IMAP_OK "tls_ca_file = ~/ca.pem\n");
	char *path = cfgtest_write("cafile", text, 0600);
	struct config *cfg = config_load(path);
	struct config_account *a = g_ptr_array_index(cfg->accounts, 0);

	cfgtest_dump(cfg);
	g_assert_false(config_has_errors(cfg));
	g_assert_cmpstr(a->tls_ca_file, ==, ca);
	config_free(cfg);
	g_free(path);
	g_free(text);
	g_free(ca);
}

/* attachment_command is kept as written: %s and %t are the UI's. */
static void test_attachment_command(void)
{
	char *path = cfgtest_write("attcmd", "[general]\nattachment_command = xdg-open %s\n" IMAP_OK,
		0600);
	struct config *cfg = config_load(path);

	cfgtest_dump(cfg);
	g_assert_false(config_has_errors(cfg));
	g_assert_cmpstr(cfg->general.attachment_command, ==, "xdg-open %s");
	config_free(cfg);
	g_free(path);
}

/* Messages come sorted by line, whatever pass found them. */
static void test_sorted(void)
{
	static const char text[] = "[account a]\n" /* 1: missing keys */
	                           "bogus = 1\n"   /* 2 */
	                           "mode = imap\n" /* 3 */
	                           "imap_url = x://\n" /* 4 */;
	char *path = cfgtest_write("sorted", text, 0600);
	struct config *cfg = config_load(path);
	int last = -1;

	for (guint i = 0; i < cfg->diags->len; i++) {
		const struct config_diag *d = g_ptr_array_index(cfg->diags, i);

		g_assert_cmpint(d->line, >=, last);
		last = d->line;
	}
	g_assert_cmpint(last, ==, 4);
	config_free(cfg);
	g_free(path);
}

static void test_summary(void)
{
	char *path = cfgtest_write("summary", IMAP_OK, 0600);
	struct config *cfg = config_load(path);
	char *s = config_account_summary(g_ptr_array_index(cfg->accounts, 0));
	struct config_diag d = {CONFIG_WARNING, (char *)"f.conf", 7, (char *)"msg"};
	char *line;

	g_assert_cmpstr(s, ==,
	                "work  imap  imap: imap.example.org:993 (TLS)  smtp: smtp.example.org:587 "
	                "(STARTTLS)");
	line = config_diag_format(&d);
	g_assert_cmpstr(line, ==, "f.conf:7: warning: msg");
	g_free(line);
	d.line = 0;
	d.severity = CONFIG_ERROR;
	line = config_diag_format(&d);
	g_assert_cmpstr(line, ==, "f.conf: error: msg");
	g_free(line);
	g_free(s);
	config_free(cfg);
	g_free(path);
}

static void test_summary_pop3_no_smtp(void)
{
	struct config_account a = {0};
	char *s;

	a.name = (char *)"home";
	a.mode = CONFIG_MODE_POP3;
	a.pop3 =
	    (struct config_url){true, NULL, (char *)"pop3", (char *)"::1", 110, CONFIG_TLS_NONE};
	s = config_account_summary(&a);
	g_assert_cmpstr(s, ==, "home  pop3  pop3: [::1]:110 (no TLS)  smtp: none (cannot send)");
	g_free(s);
}

int main(int argc, char **argv)
{
	int r;

	g_test_init(&argc, &argv, NULL);
	cfgtest_init();
	g_test_add_func("/config/load/valid", test_valid_fields);
	g_test_add_func("/config/load/defaults", test_defaults);
	g_test_add_func("/config/load/values", test_values);
	g_test_add_func("/config/load/tls_none", test_tls_none);
	g_test_add_func("/config/load/fingerprints", test_fingerprints);
	g_test_add_func("/config/load/diagnostics", test_diagnostics);
	g_test_add_func("/config/load/missing_file", test_missing_file);
	g_test_add_func("/config/load/folders", test_folders);
	g_test_add_func("/config/load/ca_file", test_ca_file_exists);
	g_test_add_func("/config/load/sorted", test_sorted);
	g_test_add_func("/config/load/attachment-command", test_attachment_command);
	g_test_add_func("/config/summary/imap", test_summary);
	g_test_add_func("/config/summary/pop3", test_summary_pop3_no_smtp);
	r = g_test_run();
	cfgtest_cleanup();
	return r;
}
