/* err.c: names of the KN_E* codes, for logs and control API errors. */
#include "core/err.h"

const char *kn_strerror(int code) {
    switch (code) {
    case 0:
        return "ok";
    case KN_EINVAL:
        return "invalid";
    case KN_ETRUNC:
        return "truncated";
    case KN_EPROTO:
        return "protocol";
    case KN_EAUTH:
        return "unauthorized";
    case KN_ELIMIT:
        return "limit";
    case KN_ENOMEM:
        return "no_memory";
    case KN_ENOENT:
        return "not_found";
    case KN_EEXIST:
        return "exists";
    case KN_ESTATE:
        return "state";
    case KN_EIO:
        return "io";
    case KN_ECRYPTO:
        return "crypto";
    default:
        return "unknown";
    }
}
