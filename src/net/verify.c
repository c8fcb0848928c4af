/* verify.c - what the peer's certificate is (fingerprints, names,
 * dates) and whether to accept it: a configured pin, else the CA
 * verdict, else a key the user accepted once or always. */
#include <arpa/inet.h>
#include <string.h>

#include <glib.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "net/net_private.h"

bool net_host_is_ip(const char *host)
{
	unsigned char a[sizeof(struct in6_addr)];
	return inet_pton(AF_INET, host, a) == 1 || inet_pton(AF_INET6, host, a) == 1;
}

static void hex_colons(const unsigned char *d, size_t n, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	for (size_t i = 0; i < n && o + 3 < outsz; i++) {
		if (i)
			out[o++] = ':';
		out[o++] = hex[d[i] >> 4];
		out[o++] = hex[d[i] & 15];
	}
	out[o] = '\0';
}

static void copy_datum(char *out, size_t outsz, const gnutls_datum_t *d)
{
	size_t n = d->size < outsz - 1 ? d->size : outsz - 1;
	memcpy(out, d->data, n);
	out[n] = '\0';
}

static int spki_pin(gnutls_x509_crt_t crt, char out[64])
{
	gnutls_pubkey_t pk;
	gnutls_datum_t spki = {NULL, 0};
	unsigned char dig[32];
	int rc = gnutls_pubkey_init(&pk);
	if (rc < 0)
		return rc;
	rc = gnutls_pubkey_import_x509(pk, crt, 0);
	if (rc >= 0)
		rc = gnutls_pubkey_export2(pk, GNUTLS_X509_FMT_DER, &spki);
	if (rc >= 0)
		rc = gnutls_hash_fast(GNUTLS_DIG_SHA256, spki.data, spki.size, dig);
	if (rc >= 0) {
		gchar *b64 = g_base64_encode(dig, sizeof dig);
		g_snprintf(out, 64, "sha256//%s", b64);
		g_free(b64);
	}
	gnutls_free(spki.data);
	gnutls_pubkey_deinit(pk);
	return rc;
}

static int fill_info(const gnutls_datum_t *der, struct net_cert_info *info)
{
	gnutls_x509_crt_t crt;
	unsigned char dig[32];
	gnutls_datum_t dn = {NULL, 0};
	memset(info, 0, sizeof *info);
	int rc = gnutls_hash_fast(GNUTLS_DIG_SHA256, der->data, der->size, dig);
	if (rc < 0)
		return rc;
	hex_colons(dig, sizeof dig, info->cert_sha256, sizeof info->cert_sha256);
	rc = gnutls_x509_crt_init(&crt);
	if (rc < 0)
		return rc;
	rc = gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER);
	if (rc >= 0)
		rc = spki_pin(crt, info->pin);
	if (rc >= 0 && gnutls_x509_crt_get_dn3(crt, &dn, 0) >= 0) {
		copy_datum(info->subject, sizeof info->subject, &dn);
		gnutls_free(dn.data);
	}
	if (rc >= 0 && gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0) >= 0) {
		copy_datum(info->issuer, sizeof info->issuer, &dn);
		gnutls_free(dn.data);
	}
	if (rc >= 0) {
		info->not_before = gnutls_x509_crt_get_activation_time(crt);
		info->not_after = gnutls_x509_crt_get_expiration_time(crt);
	}
	gnutls_x509_crt_deinit(crt);
	return rc;
}

/* A certificate failure always carries the certificate, so the user can
 * be shown the fingerprint. */
static enum net_status cert_fail(struct net_conn *c, struct net_error *err, enum net_status st,
                                 const char *detail)
{
	net_fail(err, st, "%s", detail);
	if (err) {
		err->has_cert = true;
		err->cert = c->cert;
	}
	return st;
}

/* Most specific problem first: expiry and host name are hard errors the
 * user cannot wave through by trusting the issuer. */
static enum net_status status_code(unsigned status)
{
	if (status & GNUTLS_CERT_EXPIRED)
		return NET_ERR_CERT_EXPIRED;
	if (status & GNUTLS_CERT_NOT_ACTIVATED)
		return NET_ERR_CERT_NOT_ACTIVATED;
	if (status & GNUTLS_CERT_UNEXPECTED_OWNER)
		return NET_ERR_CERT_HOSTNAME;
	return NET_ERR_CERT_UNTRUSTED;
}

enum net_status net_verify_peer(struct net_conn *c, struct net_error *err)
{
	unsigned n = 0;
	const gnutls_datum_t *chain = gnutls_certificate_get_peers(c->session, &n);
	if (!chain || n == 0)
		return net_fail(err, NET_ERR_TLS, "server sent no certificate");
	int rc = fill_info(&chain[0], &c->cert);
	if (rc < 0)
		return net_fail(err, NET_ERR_TLS, "%s", gnutls_strerror(rc));
	c->has_cert = true;

	/* A configured pin replaces CA trust: the key is what the user named. */
	if (c->pin)
		return strcmp(c->pin, c->cert.pin) == 0
		           ? NET_OK
		           : cert_fail(c, err, NET_ERR_CERT_PIN,
		                       "public key does not match the pin");

	unsigned status = 0;
	rc = gnutls_certificate_verify_peers3(c->session, c->host, &status);
	if (rc < 0)
		return cert_fail(c, err, NET_ERR_TLS, gnutls_strerror(rc));
	if (status == 0)
		return NET_OK;

	/* The user saw this key for this host:port and accepted it: that
	 * covers whatever CA, date or name problem it had then. */
	if (c->accept_once && strcmp(c->accept_once, c->cert.pin) == 0)
		return NET_OK;
	char *stored = net_trust_lookup(c->trust_file, c->host, c->port);
	if (stored) {
		bool same = strcmp(stored, c->cert.pin) == 0;
		g_free(stored);
		if (same)
			return NET_OK;
		return cert_fail(c, err, NET_ERR_CERT_CHANGED,
		                 "public key differs from the one accepted for this host and port");
	}

	gnutls_datum_t text = {NULL, 0};
	char detail[256] = "certificate verification failed";
	if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) >= 0) {
		copy_datum(detail, sizeof detail, &text);
		gnutls_free(text.data);
	}
	return cert_fail(c, err, status_code(status), detail);
}
