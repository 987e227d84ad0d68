/*
 * selfsigned.h: the self-signed HTTPS certificate used when no
 * KONSIL_TLS_CERT is configured: EC P-256, CN=localhost, SAN localhost and
 * 127.0.0.1, generated once into the state directory with OpenSSL.
 */
#ifndef KN_SELFSIGNED_H
#define KN_SELFSIGNED_H

#include <stddef.h>

/*
 * Sets cert_path/key_path to <state_dir>/tls-cert.pem and tls-key.pem,
 * creating both if either is missing (key 0600). Returns 0, KN_EIO, KN_ELIMIT
 * (paths too long) or KN_ECRYPTO.
 */
int kn_selfsigned_ensure(const char *state_dir, char *cert_path, char *key_path, size_t cap);

#endif
