/*
 * report_lines.c - the line reader of report_lines.h, with its progress bar, and the writer
 * of the commands' output.
 */
#include "report_lines.h"

#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int lines_open(lines_in *in, const char *path, const char *name, const char *what)
{
    memset(in, 0, sizeof(*in));
    in->path = path;
    in->what = what;
    in->f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (in->f == NULL) {
        fprintf(stderr, "%s: %s: %s\n", name, path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (in->f != stdin && fstat(fileno(in->f), &st) == 0 && S_ISREG(st.st_mode)) {
        in->total = (uint64_t)st.st_size;
    }
    in->show = in->total > 0 && isatty(fileno(stderr));
    in->start = cli_now_s();
    return 0;
}

static void progress(lines_in *in, bool last)
{
    double now = cli_now_s();
    if (!last && now - in->last < 0.1) {
        return;
    }
    in->last = now;
    char bar[CLI_BAR_WIDTH + 1];
    double frac = (double)in->bytes / (double)in->total;
    cli_bar(bar, frac);
    double el = now - in->start;
    fprintf(stderr, "\r%s [%s] %3d%% %llu lines  %.0f/s ", in->what, bar,
            (int)(frac > 1 ? 100 : frac * 100), (unsigned long long)in->lineno,
            el > 0 ? (double)in->lineno / el : 0.0);
    fflush(stderr);
}

ssize_t lines_next(lines_in *in, const char **line)
{
    ssize_t got = getline(&in->buf, &in->cap, in->f);
    if (got < 0) {
        return -1;
    }
    in->lineno++;
    in->bytes += (uint64_t)got;
    if (in->show && (in->lineno & 1023) == 0) {
        progress(in, false);
    }
    *line = in->buf;
    return got;
}

bool lines_failed(const lines_in *in)
{
    return in->f && ferror(in->f);
}

void lines_close(lines_in *in)
{
    if (in->show) {
        progress(in, true);
        fputc('\n', stderr);
    }
    if (in->f && in->f != stdin) {
        fclose(in->f);
    }
    free(in->buf);
    in->f = NULL;
    in->buf = NULL;
}

int lines_write_output(const char *name, const char *path, int (*fn)(void *ctx, FILE *f),
                       void *ctx)
{
    FILE *f = path ? fopen(path, "wb") : stdout;
    if (f == NULL) {
        fprintf(stderr, "%s: %s: %s\n", name, path, strerror(errno));
        return EXIT_UNUSABLE;
    }
    int w = fn(ctx, f);
    int e = fflush(f) != 0 || ferror(f) ? -1 : 0;
    if (f != stdout && fclose(f) != 0) {
        e = -1;
    }
    if (w != 0 || e != 0) {
        fprintf(stderr, "%s: could not write %s\n", name, path ? path : "standard output");
        return EXIT_UNUSABLE;
    }
    return EXIT_OK;
}
