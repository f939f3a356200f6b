/*
 * issuer.h - `assay issuer`: the issuer's keys as the command line names them (flags or
 * ASSAY_ISSUER_KEY), shared by `assay issuer jwks` and `assay credential sign|issue`; and
 * the `assay credential` subcommands that have files of their own.
 */
#ifndef ASSAY_CLI_ISSUER_H
#define ASSAY_CLI_ISSUER_H

#include "credential/keys.h"

/*
 * Loads the private (or, when allow_public, public) PEM key at path for the command cmd,
 * applies kid_base (may be NULL), and warns on stderr when the file is readable by group
 * or others. Returns 0 with *out set, or prints the problem (never key material) and
 * returns EXIT_UNUSABLE, or EXIT_USAGE for a bad kid_base.
 */
int cli_issuer_key(const char *cmd, const char *path, bool allow_public, const char *kid_base,
                   cred_key **out);

/* `assay credential issue` (credential_issue.c); argv[0] is "issue". */
int cmd_credential_issue(int argc, char **argv);
/* `assay credential list` or, with is_show, `show` (credential_show.c); argv[0] is the
 * subcommand. */
int cmd_credential_list_show(int argc, char **argv, bool is_show);

#endif
