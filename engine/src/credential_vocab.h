/*
 * credential_vocab.h - the OB 3.0 vocabularies as lists (NULL-terminated) for the definition
 * loader's checks and suggestions (credential_vocab.c; the public checks are in
 * assay/credential_def.h).
 */
#ifndef ENGINE_CREDENTIAL_VOCAB_H
#define ENGINE_CREDENTIAL_VOCAB_H

#include <stdbool.h>

extern const char *const assay__achievement_types[];
extern const char *const assay__identifier_types[];
extern const char *const assay__alignment_types[];

/* Whether s is one of names, or an extension term "ext:<something>". */
bool assay__in_vocabulary(const char *s, const char *const *names);

#endif
