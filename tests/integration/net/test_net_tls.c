/* test_net_tls.c - src/net against the real Dovecot of tests/servers and
 * small scripted servers: certificate verification, fingerprints, pins,
 * the trust file, STARTTLS/STLS, and refusing to go on without them. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "net/net.h"
#include "testenv.h"

static const char *host, *ca, *tls_dir, *user, *pass;
static unsigned imap_port, imaps_port, pop3_port, pop3s_port;
static char *tmp_dir;
static char server_sha256[96], server_pin[64];

/* ---- helpers ----------------------------------------------------------- */

static char *run_sh(const char *cmd)
{
	gchar *argv[] = {"/bin/sh", "-c", (gchar *)cmd, NULL};
	gchar *out = NULL;
	gint status = 0;
	GError *e = NULL;
	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &e))
		g_error("%s: %s", cmd, e->message);
	if (!g_spawn_check_wait_status(status, NULL))
		g_error("failed: %s", cmd);
	return g_strstrip(out);
}

/* The server certificate's fingerprints as openssl computes them, to
 * check ours against an independent implementation. */
static void load_server_fingerprints(void)
{
	gchar *pem = g_build_filename(tls_dir, "server.pem", NULL);
	gchar *q = g_shell_quote(pem);
	gchar *cmd = g_strdup_printf("openssl x509 -in %s -noout -fingerprint -sha256", q);
	char *out = run_sh(cmd);
	const char *eq = strchr(out, '=');
	g_assert_nonnull(eq);
	g_strlcpy(server_sha256, eq + 1, sizeof server_sha256);
	g_free(out);
	g_free(cmd);
	cmd = g_strdup_printf("openssl x509 -in %s -pubkey -noout | openssl pkey -pubin "
	                      "-outform der | openssl dgst -sha256 -binary | base64",
	                      q);
	out = run_sh(cmd);
	g_snprintf(server_pin, sizeof server_pin, "sha256//%s", out);
	g_free(out);
	g_free(cmd);
	g_free(q);
	g_free(pem);
}

static struct net_opts opts_for(unsigned port, enum net_tls tls)
{
	static char *trust;
	if (!trust)
		trust = g_build_filename(tmp_dir, "trusted-empty", NULL);
	struct net_opts o = {.host = host,
	                     .port = port,
	                     .tls = tls,
	                     .connect_timeout_ms = 10000,
	                     .read_timeout_ms = 10000,
	                     .trust_file = trust};
	return o;
}

static void expect_prefix(struct net_conn *c, const char *prefix)
{
	const char *line;
	size_t len;
	struct net_error err;
	g_assert_cmpint(net_read_line(c, &line, &len, &err), ==, NET_OK);
	if (!g_str_has_prefix(line, prefix))
		g_error("expected %s..., got %s", prefix, line);
}

/* Send a tagged IMAP command and return true on "tag OK". */
static bool imap_cmd(struct net_conn *c, const char *tag, const char *cmd, bool sensitive)
{
	struct net_error err;
	gchar *wire = g_strdup_printf("%s %s\r\n", tag, cmd);
	enum net_status st = sensitive ? net_write_sensitive(c, wire, strlen(wire), &err)
	                               : net_write(c, wire, strlen(wire), &err);
	g_free(wire);
	g_assert_cmpint(st, ==, NET_OK);
	size_t tl = strlen(tag);
	for (;;) {
		const char *line;
		size_t len;
		g_assert_cmpint(net_read_line(c, &line, &len, &err), ==, NET_OK);
		if (strncmp(line, tag, tl) == 0 && line[tl] == ' ')
			return g_str_has_prefix(line + tl + 1, "OK");
	}
}

static gchar *imap_quote(const char *s)
{
	GString *q = g_string_new("\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			g_string_append_c(q, '\\');
		g_string_append_c(q, *s);
	}
	g_string_append_c(q, '"');
	return g_string_free(q, FALSE);
}

static void imap_login(struct net_conn *c)
{
	gchar *u = imap_quote(user), *p = imap_quote(pass);
	gchar *cmd = g_strdup_printf("LOGIN %s %s", u, p);
	g_assert_true(imap_cmd(c, "a1", cmd, true));
	g_assert_true(imap_cmd(c, "a2", "LOGOUT", false));
	g_free(cmd);
	g_free(u);
	g_free(p);
}

static enum net_status try_connect(const struct net_opts *o, struct net_error *err)
{
	struct net_conn *c = NULL;
	enum net_status st = net_connect(o, &c, err);
	if (st == NET_OK) {
		g_assert_nonnull(c);
		g_assert_true(net_is_tls(c));
		net_close(c);
	} else {
		g_assert_null(c);
	}
	return st;
}

/* A scripted server (scripted_server.py) on a free port. */
struct script {
	GPid pid;
	unsigned port;
	char *record;
};

static void script_start(struct script *s, const char *mode, const char *cert, const char *key)
{
	const char *py = NET_SCRIPTED_SERVER;
	static int n;
	s->record = g_strdup_printf("%s/record-%d", tmp_dir, ++n);
	gchar *argv[] = {"/usr/bin/python3", (gchar *)py,  (gchar *)mode, s->record,
	                 (gchar *)cert,      (gchar *)key, NULL};
	gint out_fd;
	GError *e = NULL;
	if (!g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
	                              &s->pid, NULL, &out_fd, NULL, &e))
		g_error("scripted_server.py: %s", e->message);
	char buf[32] = "";
	size_t got = 0;
	while (got < sizeof buf - 1 && !strchr(buf, '\n')) {
		ssize_t r = read(out_fd, buf + got, sizeof buf - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
		buf[got] = '\0';
	}
	close(out_fd);
	s->port = (unsigned)strtoul(buf, NULL, 10);
	g_assert_cmpuint(s->port, >, 0);
}

/* Wait for the script to finish its one connection; what it received. */
static gchar *script_finish(struct script *s)
{
	int status;
	for (int i = 0; i < 100; i++) {
		if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
			s->pid = 0;
			break;
		}
		g_usleep(50 * 1000);
	}
	if (s->pid) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, &status, 0);
		g_error("scripted server did not finish");
	}
	gchar *rec = NULL;
	if (!g_file_get_contents(s->record, &rec, NULL, NULL))
		rec = g_strdup("");
	g_free(s->record);
	return rec;
}

/* A certificate for the test CA, made now in tmp_dir from a template. */
static void make_cert(const char *name, const char *template_body, char **cert, char **key)
{
	*cert = g_strdup_printf("%s/%s.pem", tmp_dir, name);
	*key = g_strdup_printf("%s/%s-key.pem", tmp_dir, name);
	gchar *tmpl = g_strdup_printf("%s/%s.tmpl", tmp_dir, name);
	g_assert_true(g_file_set_contents(tmpl, template_body, -1, NULL));
	gchar *ca_pem = g_build_filename(tls_dir, "ca.pem", NULL);
	gchar *ca_key = g_build_filename(tls_dir, "ca-key.pem", NULL);
	gchar *cmd = g_strdup_printf(
	    "certtool --generate-privkey --key-type rsa --bits 2048 --no-text --outfile '%s' "
	    "2>/dev/null && certtool --generate-certificate --load-privkey '%s' "
	    "--load-ca-certificate '%s' --load-ca-privkey '%s' --template '%s' --no-text "
	    "--outfile '%s' 2>&1 >/dev/null",
	    *key, *key, ca_pem, ca_key, tmpl, *cert);
	g_free(run_sh(cmd));
	g_free(cmd);
	g_free(ca_pem);
	g_free(ca_key);
	g_free(tmpl);
}

/* ---- implicit TLS against Dovecot ------------------------------------- */

static void test_imaps_ca_login(void)
{
	struct net_opts o = opts_for(imaps_port, NET_TLS_IMPLICIT);
	o.ca_file = ca;
	struct net_conn *c;
	struct net_error err;
	enum net_status st = net_connect(&o, &c, &err);
	if (st != NET_OK)
		g_error("connect: %d %s", st, err.detail);
	g_assert_true(net_is_tls(c));
	const struct net_cert_info *ci = net_peer_cert(c);
	g_assert_nonnull(ci);
	g_assert_cmpstr(ci->pin, ==, server_pin);
	g_assert_cmpstr(ci->cert_sha256, ==, server_sha256);
	expect_prefix(c, "* OK");
	imap_login(c);
	g_assert_cmpuint(net_bytes_read(c), >, 20);
	net_close(c);
}

static void test_untrusted_fingerprint(void)
{
	struct net_opts o = opts_for(imaps_port, NET_TLS_IMPLICIT);
	struct net_error err;
	g_assert_cmpint(try_connect(&o, &err), ==, NET_ERR_CERT_UNTRUSTED);
	g_assert_cmpint(err.status, ==, NET_ERR_CERT_UNTRUSTED);
	g_assert_true(err.has_cert);
	g_assert_cmpstr(err.cert.cert_sha256, ==, server_sha256);
	g_assert_cmpstr(err.cert.pin, ==, server_pin);
	g_assert_nonnull(strstr(err.cert.subject, "CN=localhost"));
	g_assert_nonnull(strstr(err.cert.issuer, "mailtui test CA"));
	time_t now = time(NULL);
	g_assert_cmpint(err.cert.not_before, <=, now);
	g_assert_cmpint(err.cert.not_after, >, now);
}

static void test_accept_once(void)
{
	struct net_opts o = opts_for(imaps_port, NET_TLS_IMPLICIT);
	struct net_error err;
	o.accept_once = server_pin;
	g_assert_cmpint(try_connect(&o, &err), ==, NET_OK);
	/* Another key's pin is no acceptance. */
	o.accept_once = "sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
	g_assert_cmpint(try_connect(&o, &err), ==, NET_ERR_CERT_UNTRUSTED);
}

static void test_trust_always(void)
{
	gchar *trust = g_build_filename(tmp_dir, "trusted-always", NULL);
	struct net_opts o = opts_for(imaps_port, NET_TLS_IMPLICIT);
	o.trust_file = trust;
	struct net_error err;
	g_assert_cmpint(net_trust_add(trust, host, imaps_port, server_pin), ==, 0);
	g_assert_cmpint(try_connect(&o, &err), ==, NET_OK);

	/* Stored per port: POP3S on the same host is still unknown. */
	struct net_opts p = opts_for(pop3s_port, NET_TLS_IMPLICIT);
	p.trust_file = trust;
	g_assert_cmpint(try_connect(&p, &err), ==, NET_ERR_CERT_UNTRUSTED);

	/* The server's key is not the one accepted before. */
	g_assert_cmpint(net_trust_add(trust, host, imaps_port,
	                              "sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="),
	                ==, 0);
	g_assert_cmpint(try_connect(&o, &err), ==, NET_ERR_CERT_CHANGED);
	g_assert_true(err.has_cert);
	g_assert_cmpstr(err.cert.pin, ==, server_pin);
	/* A CA-valid certificate needs no entry and ignores a stale one. */
	o.ca_file = ca;
	g_assert_cmpint(try_connect(&o, &err), ==, NET_OK);
	g_free(trust);
}

static void test_pin(void)
{
	struct net_opts o = opts_for(pop3s_port, NET_TLS_IMPLICIT);
	struct net_error err;
	o.pin = server_pin;
	g_assert_cmpint(try_connect(&o, &err), ==, NET_OK);
	/* The user's own spelling: "sha256:" and hex of the SPKI hash. */
	gsize n;
	guchar *raw = g_base64_decode(server_pin + 8, &n);
	GString *hex = g_string_new("sha256:");
	for (gsize i = 0; i < n; i++)
		g_string_append_printf(hex, i ? ":%02x" : "%02x", raw[i]);
	o.pin = hex->str;
	g_assert_cmpint(try_connect(&o, &err), ==, NET_OK);
	g_string_free(hex, TRUE);
	g_free(raw);

	/* The certificate's hash is not the key's: refused, CA or not. */
	gchar *wrong = g_strdup_printf("sha256:%s", server_sha256);
	o.pin = wrong;
	o.ca_file = ca;
	g_assert_cmpint(try_connect(&o, &err), ==, NET_ERR_CERT_PIN);
	g_assert_true(err.has_cert);
	g_free(wrong);
}

/* ---- STARTTLS against Dovecot ----------------------------------------- */

static void test_imap_starttls(void)
{
	struct net_opts o = opts_for(imap_port, NET_TLS_STARTTLS);
	o.ca_file = ca;
	struct net_conn *c;
	struct net_error err;
	g_assert_cmpint(net_connect(&o, &c, &err), ==, NET_OK);
	g_assert_false(net_is_tls(c));
	expect_prefix(c, "* OK");
	enum net_status st = net_starttls(c, NET_STARTTLS_IMAP, &err);
	if (st != NET_OK)
		g_error("starttls: %d %s", st, err.detail);
	g_assert_true(net_is_tls(c));
	g_assert_cmpstr(net_peer_cert(c)->pin, ==, server_pin);
	g_assert_true(imap_cmd(c, "c1", "CAPABILITY", false));
	imap_login(c);
	net_close(c);

	/* Verification is the same after an upgrade. */
	o.ca_file = NULL;
	g_assert_cmpint(net_connect(&o, &c, &err), ==, NET_OK);
	expect_prefix(c, "* OK");
	g_assert_cmpint(net_starttls(c, NET_STARTTLS_IMAP, &err), ==, NET_ERR_CERT_UNTRUSTED);
	g_assert_cmpstr(err.cert.pin, ==, server_pin);
	net_close(c);
}

static void test_pop3_stls(void)
{
	struct net_opts o = opts_for(pop3_port, NET_TLS_STARTTLS);
	o.ca_file = ca;
	struct net_conn *c;
	struct net_error err;
	g_assert_cmpint(net_connect(&o, &c, &err), ==, NET_OK);
	expect_prefix(c, "+OK");
	enum net_status st = net_starttls(c, NET_STARTTLS_POP3, &err);
	if (st != NET_OK)
		g_error("stls: %d %s", st, err.detail);
	g_assert_true(net_is_tls(c));
	gchar *cmd = g_strdup_printf("USER %s\r\n", user);
	g_assert_cmpint(net_write(c, cmd, strlen(cmd), &err), ==, NET_OK);
	expect_prefix(c, "+OK");
	g_free(cmd);
	cmd = g_strdup_printf("PASS %s\r\n", pass);
	g_assert_cmpint(net_write_sensitive(c, cmd, strlen(cmd), &err), ==, NET_OK);
	expect_prefix(c, "+OK");
	g_free(cmd);
	g_assert_cmpint(net_write(c, "QUIT\r\n", 6, &err), ==, NET_OK);
	expect_prefix(c, "+OK");
	net_close(c);

	/* A wrong pin is refused at the upgrade too. */
	o.pin = "sha256//AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
	g_assert_cmpint(net_connect(&o, &c, &err), ==, NET_OK);
	expect_prefix(c, "+OK");
	g_assert_cmpint(net_starttls(c, NET_STARTTLS_POP3, &err), ==, NET_ERR_CERT_PIN);
	g_assert_false(net_is_tls(c));
	net_close(c);
}

/* ---- scripted servers -------------------------------------------------- */

static void no_starttls(const char *mode, enum net_starttls_proto proto, const char *greeting,
                        const char *expect_record)
{
	struct script s;
	script_start(&s, mode, NULL, NULL);
	struct net_opts o = opts_for(s.port, NET_TLS_STARTTLS);
	o.host = "127.0.0.1";
	struct net_conn *c;
	struct net_error err;
	g_assert_cmpint(net_connect(&o, &c, &err), ==, NET_OK);
	expect_prefix(c, greeting);
	g_assert_cmpint(net_starttls(c, proto, &err), ==, NET_ERR_NO_STARTTLS);
	g_assert_cmpint(err.status, ==, NET_ERR_NO_STARTTLS);
	g_assert_cmpstr(err.detail, !=, "");
	net_close(c);
	gchar *rec = script_finish(&s);
	g_assert_cmpstr(rec, ==, expect_record);
	static const char *const never[] = {"LOGIN", "USER", "PASS", "AUTH"};
	for (size_t i = 0; i < G_N_ELEMENTS(never); i++)
		g_assert_null(strstr(rec, never[i]));
	g_free(rec);
}

static void test_imap_no_starttls(void)
{
	no_starttls("imap-nostarttls", NET_STARTTLS_IMAP, "* OK", "S1 CAPABILITY\r\n");
}

static void test_pop3_no_stls(void)
{
	no_starttls("pop3-nostls", NET_STARTTLS_POP3, "+OK", "CAPA\r\n");
}

/* Plaintext sent after "S2 OK" must not be read as if it came over TLS. */
static void test_starttls_injection(void)
{
	gchar *cert = g_build_filename(tls_dir, "server.pem", NULL);
	gchar *key = g_build_filename(tls_dir, "server-key.pem", NULL);
	struct script s;
	script_start(&s, "imap-inject", cert, key);
	struct net_opts o = opts_for(s.port, NET_TLS_STARTTLS);
	o.host = "127.0.0.1";
	o.ca_file = ca;
	struct net_conn *c;
	struct net_error err;
	g_assert_cmpint(net_connect(&o, &c, &err), ==, NET_OK);
	expect_prefix(c, "* OK");
	enum net_status st = net_starttls(c, NET_STARTTLS_IMAP, &err);
	if (st != NET_OK)
		g_error("starttls: %d %s", st, err.detail);
	const char *line;
	size_t len;
	g_assert_cmpint(net_read_line(c, &line, &len, &err), ==, NET_OK);
	g_assert_cmpstr(line, ==, "* OK after tls");
	net_close(c);
	g_free(script_finish(&s));
	g_free(cert);
	g_free(key);
}

static enum net_status tls_script(const char *cert, const char *key, const char *trust_pin,
                                  struct net_error *err)
{
	struct script s;
	script_start(&s, "tls", cert, key);
	struct net_opts o = opts_for(s.port, NET_TLS_IMPLICIT);
	o.host = "127.0.0.1";
	o.ca_file = ca;
	gchar *trust = NULL;
	if (trust_pin) {
		trust = g_strdup_printf("%s/trusted-%u", tmp_dir, s.port);
		g_assert_cmpint(net_trust_add(trust, "127.0.0.1", s.port, trust_pin), ==, 0);
		o.trust_file = trust;
	}
	enum net_status st = try_connect(&o, err);
	g_free(script_finish(&s));
	g_free(trust);
	return st;
}

static void test_expired(void)
{
	char *cert, *key;
	make_cert("expired",
	          "cn = \"127.0.0.1\"\nip_address = \"127.0.0.1\"\n"
	          "dns_name = \"localhost\"\ntls_www_server\nsigning_key\nencryption_key\n"
	          "activation_date = \"2020-01-01 00:00:00 UTC\"\n"
	          "expiration_date = \"2021-01-01 00:00:00 UTC\"\n",
	          &cert, &key);
	struct net_error err;
	g_assert_cmpint(tls_script(cert, key, NULL, &err), ==, NET_ERR_CERT_EXPIRED);
	g_assert_true(err.has_cert);
	g_assert_cmpint(err.cert.not_after, <, time(NULL));
	/* Accepted always for this host:port: the user saw it and said yes. */
	char pin[64];
	strcpy(pin, err.cert.pin);
	g_assert_cmpint(tls_script(cert, key, pin, &err), ==, NET_OK);
	g_free(cert);
	g_free(key);
}

static void test_wrong_hostname(void)
{
	char *cert, *key;
	make_cert("wronghost",
	          "cn = \"wrong.example\"\ndns_name = \"wrong.example\"\n"
	          "tls_www_server\nsigning_key\nencryption_key\nexpiration_days = 30\n",
	          &cert, &key);
	struct net_error err;
	g_assert_cmpint(tls_script(cert, key, NULL, &err), ==, NET_ERR_CERT_HOSTNAME);
	g_assert_true(err.has_cert);
	g_assert_nonnull(strstr(err.cert.subject, "wrong.example"));
	g_free(cert);
	g_free(key);
}

static void remove_tree(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	while (d && (name = g_dir_read_name(d))) {
		gchar *p = g_build_filename(dir, name, NULL);
		g_remove(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(dir);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	host = testenv_get("HOST");
	ca = testenv_get("CA");
	user = testenv_get("USER");
	pass = testenv_get("PASS");
	imap_port = testenv_port("IMAP_PORT");
	imaps_port = testenv_port("IMAPS_PORT");
	pop3_port = testenv_port("POP3_PORT");
	pop3s_port = testenv_port("POP3S_PORT");
	tls_dir = g_build_filename(testenv_get("DIR"), "tls", NULL);
	tmp_dir = g_dir_make_tmp("net-tls-XXXXXX", NULL);
	g_assert_nonnull(tmp_dir);
	load_server_fingerprints();

	g_test_add_func("/net/tls/imaps_ca_login", test_imaps_ca_login);
	g_test_add_func("/net/tls/untrusted_fingerprint", test_untrusted_fingerprint);
	g_test_add_func("/net/tls/accept_once", test_accept_once);
	g_test_add_func("/net/tls/trust_always", test_trust_always);
	g_test_add_func("/net/tls/pin", test_pin);
	g_test_add_func("/net/tls/expired", test_expired);
	g_test_add_func("/net/tls/wrong_hostname", test_wrong_hostname);
	g_test_add_func("/net/starttls/imap", test_imap_starttls);
	g_test_add_func("/net/starttls/pop3", test_pop3_stls);
	g_test_add_func("/net/starttls/imap_not_offered", test_imap_no_starttls);
	g_test_add_func("/net/starttls/pop3_not_offered", test_pop3_no_stls);
	g_test_add_func("/net/starttls/injection", test_starttls_injection);
	int rc = g_test_run();
	remove_tree(tmp_dir);
	return rc;
}
