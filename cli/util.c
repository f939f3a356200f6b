/*
 * util.c - helpers every subcommand of the assay tool shares: reading a file or standard
 * input whole, printing rubric diagnostics, loading a rubric directory, the graded_at to
 * use, the options every command takes (--help, --version) and command-line errors, a
 * monotonic clock, progress bars, and writing untrusted text to a terminal. Nothing here
 * talks to Redis (ops.c does).
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void cli_print_diags(FILE *f, const assay_diags *d)
{
    char line[1200];
    for (size_t i = 0; i < assay_diags_count(d); i++) {
        assay_diag_format(assay_diags_get(d, i), line, sizeof(line));
        fprintf(f, "%s\n", line);
    }
}

int cli_load_rubric_dir(assay_catalog *cat, const char *dir, const char *name, bool *usable)
{
    assay_diags *d = assay_diags_create();
    int loaded = assay_catalog_load_dir(cat, dir, NULL, d);
    cli_print_diags(stderr, d);
    int rc = loaded >= 0 ? EXIT_OK : loaded == ASSAY_E_NOMEM ? EXIT_UNUSABLE : EXIT_FAILED;
    for (size_t i = 0; i < assay_diags_count(d); i++) {
        if (assay_diags_get(d, i)->code == ASSAY_E_IO) {
            rc = EXIT_UNUSABLE;
        }
    }
    assay_diags_destroy(d);
    *usable = loaded >= 0 || assay_catalog_count(cat) > 0;
    if (!*usable) {
        fprintf(stderr, "%s: no rubric loaded from %s\n", name, dir);
    }
    return rc;
}

char *cli_read_file(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            if (ferror(f)) {
                free(buf);
                buf = NULL;
            }
            break;
        }
        char *nb = realloc(buf, cap * 2 + 1);
        if (nb == NULL) {
            free(buf);
            buf = NULL;
            errno = ENOMEM;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    if (f != stdin) {
        int saved = errno;
        fclose(f);
        errno = saved;
    }
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

const char *cli_graded_at(const char *flag, char *buf, size_t size)
{
    if (flag) {
        return flag;
    }
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    if (epoch && *epoch) {
        char *end;
        long long v = strtoll(epoch, &end, 10);
        if (*end == '\0' && v >= 0) {
            time_t t = (time_t)v;
            struct tm tm;
            gmtime_r(&t, &tm);
            strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
            return buf;
        }
    }
    return NULL;
}

const char *cli_env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

void cli_getopt_begin(void)
{
    optind = 0;
    opterr = 0;
}

int cli_print_version(void)
{
    printf("assay %s (rubric format %d)\n", assay_version(), ASSAY_RUBRIC_FORMAT);
    return EXIT_OK;
}

/* The option c that getopt_long returned and the command does not handle itself: prints the
 * usage on stdout for -h/--help, the version for --version (both: EXIT_OK); otherwise says
 * what is wrong with the command line, naming the option, prints the synopsis on stderr and
 * returns EXIT_USAGE. */
static int common_option(const char *name, const char *usage, int c, char **argv)
{
    if (c == 'h') {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (c == CLI_OPT_VERSION) {
        return cli_print_version();
    }
    /* A long option is named as written, only up to its '=' (a mistyped --redis=URL must
     * not print the password); getopt_long has moved optind past it. A short one is named
     * by its letter, as it may sit inside a cluster (-xv). */
    const char *arg = optind > 0 ? argv[optind - 1] : "";
    int n = (int)strcspn(arg, "=");
    if (c == ':' && strncmp(arg, "--", 2) == 0) {
        fprintf(stderr, "%s: %.*s needs a value\n", name, n, arg);
    } else if (c == ':') {
        fprintf(stderr, "%s: -%c needs a value\n", name, optopt);
    } else if (optopt == 0) {
        fprintf(stderr, "%s: unknown option %.*s\n", name, n, arg);
    } else if (optopt == 'h' || optopt >= CLI_OPT_VERSION) {
        fprintf(stderr, "%s: %.*s takes no value\n", name, n, arg);
    } else {
        fprintf(stderr, "%s: unknown option -%c\n", name, optopt);
    }
    cli_short_usage(name, usage);
    return EXIT_USAGE;
}

int cli_next_option(const char *name, const char *usage, int argc, char **argv,
                    const char *shortopts, const struct option *options, int *rc)
{
    int c = getopt_long(argc, argv, shortopts, options, NULL);
    if (c == 'h' || c == CLI_OPT_VERSION || c == '?' || c == ':') {
        *rc = common_option(name, usage, c, argv);
        return 0;
    }
    return c;
}

int cli_common_options_only(const char *name, const char *usage, int argc, char **argv,
                            const char *shortopts)
{
    static const struct option options[] = {
        CLI_OPTIONS_COMMON,
        {NULL, 0, NULL, 0},
    };
    int rc = CLI_RUN;
    cli_getopt_begin();
    cli_next_option(name, usage, argc, argv, shortopts, options, &rc);
    return rc;
}

void cli_short_usage(const char *name, const char *usage)
{
    const char *end = strstr(usage, "\n\n");
    int n = end ? (int)(end - usage) : (int)strlen(usage);
    fprintf(stderr, "%.*s\n(%s --help for more)\n", n, usage, name);
}

int cli_usage_error(const char *name, const char *usage, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    cli_short_usage(name, usage);
    return EXIT_USAGE;
}

double cli_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_bar(char bar[CLI_BAR_WIDTH + 1], double frac)
{
    frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
    int fill = (int)(frac * CLI_BAR_WIDTH);
    for (int i = 0; i < CLI_BAR_WIDTH; i++) {
        bar[i] = i < fill ? '#' : '.';
    }
    bar[CLI_BAR_WIDTH] = '\0';
}

bool cli_is_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') {
            return false;
        }
    }
    return true;
}

size_t cli_put_clean(FILE *f, const char *s, size_t n)
{
    size_t cols = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            cols += (size_t)fprintf(f, "\\x%02x", c);
        } else if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
                   (unsigned char)s[i + 1] <= 0x9f) {
            cols += (size_t)fprintf(f, "\\u%04x", (unsigned char)s[++i]);
        } else {
            putc(c, f);
            cols += (c & 0xc0) != 0x80;
        }
    }
    return cols;
}

void cli_pad(FILE *f, size_t used, size_t width)
{
    for (size_t i = used; i < width + 2; i++) {
        putc(' ', f);
    }
}
