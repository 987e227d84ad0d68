/*
 * crc32.h: CRC-32 (ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320), the
 * checksum of the STUN FINGERPRINT attribute (RFC 8489 §14.7). Pure.
 */
#ifndef KN_CRC32_H
#define KN_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32 of p[0..len) (initial value and final XOR 0xFFFFFFFF). */
uint32_t kn_crc32(const uint8_t *p, size_t len);

#endif
