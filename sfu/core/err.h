/*
 * err.h: Konsil error codes. Every function that can fail returns 0 or one of
 * these negative codes; kn_strerror() names them for logs and API errors.
 */
#ifndef KN_ERR_H
#define KN_ERR_H

enum {
    KN_EINVAL = -1,  /* a parameter or field is out of range or malformed */
    KN_ETRUNC = -2,  /* input ends before a part it announces */
    KN_EPROTO = -3,  /* well-formed bytes that break the protocol */
    KN_EAUTH = -4,   /* integrity, fingerprint or token check failed */
    KN_ELIMIT = -5,  /* a configured limit or a fixed capacity is reached */
    KN_ENOMEM = -6,  /* allocation failed */
    KN_ENOENT = -7,  /* the named object does not exist */
    KN_EEXIST = -8,  /* an object with that name exists already */
    KN_ESTATE = -9,  /* the call is not valid in the object's current state */
    KN_EIO = -10,    /* a system call failed */
    KN_ECRYPTO = -11 /* OpenSSL or libsrtp reported an error */
};

/* Returns a static lowercase name for a KN_E* code ("invalid", "truncated", ...). */
const char *kn_strerror(int code);

#endif
