/*
 * sfu_conf.h: the optional settings file of konsil-sfu (--config FILE), read
 * at start and again on SIGHUP. Same syntax as konsil-signaling's file:
 * KEY=VALUE lines, '#' starts a comment line, blanks around key and value are
 * trimmed, at most 64 KiB. konsil-sfu applies KONSIL_LOG_LEVEL and
 * KONSIL_LOG_FORMAT from it; any other KONSIL_* key is accepted and ignored
 * (so a systemd EnvironmentFile such as /etc/konsil/sfu.env can be the same
 * file: media port, addresses and secrets are flags and need a restart).
 * A line that is not KEY=VALUE, a key not starting with KONSIL_, or a log
 * value that does not parse is an error naming the line. Pure parser over
 * (p, len); no allocation.
 */
#ifndef KN_SFU_CONF_H
#define KN_SFU_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"

#define KN_SFUCONF_MAX_BYTES 65536

typedef struct kn_sfuconf {
    bool has_level, has_format; /* false: the key is not in the file */
    kn_log_level level;
    kn_log_format format;
} kn_sfuconf;

/*
 * Parses the file text p[0..len). On success returns 0 and fills *out (keys
 * given twice: the last wins). On failure returns KN_EINVAL (or KN_ELIMIT for
 * more than KN_SFUCONF_MAX_BYTES), sets *line to the 1-based line and *why to
 * a static message; *out is then unspecified.
 */
int kn_sfuconf_parse(const uint8_t *p, size_t len, kn_sfuconf *out, unsigned *line,
                     const char **why);

/*
 * Reads and parses `path`. Returns 0, KN_EIO (cannot read; *line 0) or the
 * parser's error; *why as above (for KN_EIO: "cannot read the file").
 */
int kn_sfuconf_load(const char *path, kn_sfuconf *out, unsigned *line, const char **why);

#endif
