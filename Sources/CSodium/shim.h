#ifndef PARLEY_CSODIUM_SHIM_H
#define PARLEY_CSODIUM_SHIM_H
#include <sodium.h>
/// Constants that are macros Swift cannot import.
static inline unsigned long long parley_pwhash_opslimit_moderate(void) { return crypto_pwhash_OPSLIMIT_MODERATE; }
static inline size_t parley_pwhash_memlimit_moderate(void) { return crypto_pwhash_MEMLIMIT_MODERATE; }
static inline int parley_pwhash_alg_argon2id13(void) { return crypto_pwhash_ALG_ARGON2ID13; }
static inline size_t parley_pwhash_strbytes(void) { return crypto_pwhash_STRBYTES; }
#endif
