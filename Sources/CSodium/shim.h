#ifndef PARLEY_CSODIUM_SHIM_H
#define PARLEY_CSODIUM_SHIM_H
#include <sodium.h>
/// Constants that are macros Swift cannot import.
static inline unsigned long long parley_pwhash_opslimit_moderate(void) { return crypto_pwhash_OPSLIMIT_MODERATE; }
static inline size_t parley_pwhash_memlimit_moderate(void) { return crypto_pwhash_MEMLIMIT_MODERATE; }
static inline int parley_pwhash_alg_argon2id13(void) { return crypto_pwhash_ALG_ARGON2ID13; }
static inline size_t parley_pwhash_strbytes(void) { return crypto_pwhash_STRBYTES; }
/// argon2id's own limits: the interactive preset (t = 2, m = 64 MiB, above OWASP's m = 19 MiB,
/// t = 2) and the smallest values libsodium accepts (t = 1, m = 8 KiB; for tests only).
static inline unsigned long long parley_pwhash_argon2id_opslimit_interactive(void) { return crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE; }
static inline size_t parley_pwhash_argon2id_memlimit_interactive(void) { return crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE; }
static inline unsigned long long parley_pwhash_argon2id_opslimit_min(void) { return crypto_pwhash_argon2id_OPSLIMIT_MIN; }
static inline size_t parley_pwhash_argon2id_memlimit_min(void) { return crypto_pwhash_argon2id_MEMLIMIT_MIN; }
static inline size_t parley_pwhash_argon2id_memlimit_max(void) { return crypto_pwhash_argon2id_MEMLIMIT_MAX; }
static inline size_t parley_pwhash_argon2id_strbytes(void) { return crypto_pwhash_argon2id_STRBYTES; }
#endif
