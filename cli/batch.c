/*
 * batch.c - `assay grade --rubrics DIR --jsonl IN`: regrading runs.
 *
 * Submissions are read in windows of WINDOW lines; the window's lines are graded by N
 * threads (each with its own scratch; the catalog is shared read-only) that claim lines
 * through an atomic counter, then the main thread writes the window's results in input order
 * and reads the next window. Memory stays bounded by the window whatever the input size.
 * Blank lines are skipped and give no result. A progress bar goes to stderr when it is a
 * terminal; a summary (graded, not graded by error code, check errors, mastery per
 * competency) goes to stderr at the end.
 */
#include "cli.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WINDOW 4096

typedef struct line {
    char *text;
    size_t len;
    char *result;
} line;

typedef struct stats {
    size_t graded, failed, check_errors;
    json_t *codes;   /* error code -> count */
    json_t *mastery; /* "rubric competency" -> [mastered, total] */
} stats;

typedef struct shared {
    const assay_catalog *cat;
    const assay_grade_options *opts;
    line *lines;
    size_t n;
    atomic_size_t next;
} shared;

typedef struct worker {
    shared *sh;
    assay_scratch *scratch;
    stats st;
    pthread_t thread;
} worker;

static void count_add(json_t *map, const char *key, size_t idx)
{
    json_t *v = json_object_get(map, key);
    if (v == NULL) {
        v = json_pack("[ii]", 0, 0);
        json_object_set_new(map, key, v);
    }
    json_t *slot = json_array_get(v, idx);
    json_integer_set(slot, json_integer_value(slot) + 1);
}

static void tally(stats *st, const json_t *res)
{
    const char *status = json_string_value(json_object_get(res, "status"));
    if (status && strcmp(status, "graded") == 0) {
        st->graded++;
        if (json_integer_value(json_object_get(res, "check_errors")) > 0) {
            st->check_errors++;
        }
        const char *rid =
            json_string_value(json_object_get(json_object_get(res, "rubric"), "id"));
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(res, "competencies"), i, c)
        {
            char key[300];
            snprintf(key, sizeof(key), "%s %s", rid ? rid : "?",
                     json_string_value(json_object_get(c, "id")));
            count_add(st->mastery, key, 1);
            if (json_is_true(json_object_get(c, "mastered"))) {
                count_add(st->mastery, key, 0);
            }
        }
    } else {
        st->failed++;
        const char *code =
            json_string_value(json_object_get(json_object_get(res, "error"), "code"));
        count_add(st->codes, code ? code : "unknown", 0);
    }
}

static void *work(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    for (;;) {
        size_t i = atomic_fetch_add(&sh->next, 1);
        if (i >= sh->n) {
            break;
        }
        line *l = &sh->lines[i];
        json_t *res = assay_grade_buffer(sh->cat, l->text, l->len, w->scratch, sh->opts);
        if (res) {
            tally(&w->st, res);
            l->result = assay_result_dumps(res);
            json_decref(res);
        }
    }
    return NULL;
}

static size_t count_lines(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        return 0;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return 0;
    }
    char buf[1 << 16];
    size_t n = 0, got;
    while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
        for (size_t i = 0; i < got; i++) {
            n += buf[i] == '\n';
        }
    }
    fclose(f);
    return n;
}

static void progress(size_t done, size_t total, double start)
{
    char bar[CLI_BAR_WIDTH + 1];
    double frac = total ? (double)done / (double)total : 0;
    if (frac > 1) {
        frac = 1;
    }
    cli_bar(bar, frac);
    double el = cli_now_s() - start;
    fprintf(stderr, "\rgrading [%s] %3d%% %zu/%zu  %.0f/s ", bar, (int)(frac * 100), done,
            total, el > 0 ? (double)done / el : 0.0);
    fflush(stderr);
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void print_map_sorted(const json_t *map, bool pairs)
{
    size_t n = json_object_size(map), k = 0;
    const char **keys = calloc(n ? n : 1, sizeof(*keys));
    if (keys == NULL) {
        return;
    }
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)map, key, v)
    {
        keys[k++] = key;
    }
    qsort(keys, n, sizeof(*keys), key_cmp);
    for (size_t i = 0; i < n; i++) {
        json_t *a = json_object_get(map, keys[i]);
        if (pairs) {
            fprintf(stderr,
                    "  %-48s %" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT " mastered\n",
                    keys[i], json_integer_value(json_array_get(a, 0)),
                    json_integer_value(json_array_get(a, 1)));
        } else {
            fprintf(stderr, "  %-48s %" JSON_INTEGER_FORMAT "\n", keys[i],
                    json_integer_value(json_array_get(a, 0)));
        }
    }
    free(keys);
}

static void merge(json_t *into, const json_t *from)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)from, key, v)
    {
        json_t *dst = json_object_get(into, key);
        if (dst == NULL) {
            json_object_set_new(into, key, json_deep_copy(v));
            continue;
        }
        for (size_t i = 0; i < 2; i++) {
            json_t *d = json_array_get(dst, i);
            json_integer_set(d,
                             json_integer_value(d) + json_integer_value(json_array_get(v, i)));
        }
    }
}

int cmd_batch(const char *rubrics, const char *in, const char *out, int jobs,
              const assay_grade_options *opts)
{
    assay_catalog *cat = assay_catalog_create();
    assay_diags *d = assay_diags_create();
    int loaded = assay_catalog_load_dir(cat, rubrics, NULL, d);
    cli_print_diags(stderr, d);
    assay_diags_destroy(d);
    if (loaded < 0 && assay_catalog_count(cat) == 0) {
        assay_catalog_destroy(cat);
        return EXIT_UNUSABLE;
    }
    FILE *fin = strcmp(in, "-") == 0 ? stdin : fopen(in, "rb");
    if (fin == NULL) {
        fprintf(stderr, "assay grade: %s: %s\n", in, strerror(errno));
        assay_catalog_destroy(cat);
        return EXIT_UNUSABLE;
    }
    FILE *fout = out ? fopen(out, "wb") : stdout;
    if (fout == NULL) {
        fprintf(stderr, "assay grade: %s: %s\n", out, strerror(errno));
        if (fin != stdin) {
            fclose(fin);
        }
        assay_catalog_destroy(cat);
        return EXIT_UNUSABLE;
    }
    if (jobs <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = n > 0 ? (int)n : 1;
    }
    size_t total = strcmp(in, "-") == 0 ? 0 : count_lines(in);
    bool show = isatty(fileno(stderr)) && total > 0;

    shared sh = {.cat = cat, .opts = opts};
    sh.lines = calloc(WINDOW, sizeof(line));
    worker *ws = calloc((size_t)jobs, sizeof(worker));
    int rc = EXIT_OK;
    if (sh.lines == NULL || ws == NULL) {
        fprintf(stderr, "assay grade: out of memory\n");
        rc = EXIT_UNUSABLE;
        goto out;
    }
    for (int t = 0; t < jobs; t++) {
        ws[t].sh = &sh;
        ws[t].scratch = assay_scratch_create();
        ws[t].st.codes = json_object();
        ws[t].st.mastery = json_object();
    }

    double start = cli_now_s(), last = 0;
    size_t done = 0;
    char *buf = NULL;
    size_t cap = 0;
    bool eof = false;
    while (!eof && rc == EXIT_OK) {
        sh.n = 0;
        atomic_store(&sh.next, 0);
        while (sh.n < WINDOW) {
            ssize_t got = getline(&buf, &cap, fin);
            if (got < 0) {
                eof = true;
                break;
            }
            if (cli_is_blank(buf, (size_t)got)) {
                continue;
            }
            line *l = &sh.lines[sh.n++];
            l->text = buf;
            l->len = (size_t)got;
            l->result = NULL;
            buf = NULL;
            cap = 0;
        }
        if (jobs == 1) {
            work(&ws[0]);
        } else {
            for (int t = 0; t < jobs; t++) {
                pthread_create(&ws[t].thread, NULL, work, &ws[t]);
            }
            for (int t = 0; t < jobs; t++) {
                pthread_join(ws[t].thread, NULL);
            }
        }
        for (size_t i = 0; i < sh.n; i++) {
            line *l = &sh.lines[i];
            if (l->result == NULL || fprintf(fout, "%s\n", l->result) < 0) {
                rc = EXIT_UNUSABLE;
            }
            free(l->result);
            free(l->text);
        }
        done += sh.n;
        if (show && (cli_now_s() - last > 0.1 || eof)) {
            progress(done, total, start);
            last = cli_now_s();
        }
    }
    free(buf);
    if (show) {
        fputc('\n', stderr);
    }
    if (fflush(fout) != 0 || ferror(fin)) {
        fprintf(stderr, "assay grade: I/O error\n");
        rc = EXIT_UNUSABLE;
    }

    stats all = {.codes = json_object(), .mastery = json_object()};
    for (int t = 0; t < jobs; t++) {
        all.graded += ws[t].st.graded;
        all.failed += ws[t].st.failed;
        all.check_errors += ws[t].st.check_errors;
        merge(all.codes, ws[t].st.codes);
        merge(all.mastery, ws[t].st.mastery);
    }
    double el = cli_now_s() - start;
    fprintf(stderr,
            "assay: %zu submissions in %.2f s (%d thread%s): %zu graded, %zu not graded, %zu "
            "with check errors\n",
            done, el, jobs, jobs == 1 ? "" : "s", all.graded, all.failed, all.check_errors);
    if (all.failed) {
        fprintf(stderr, "not graded, by error code:\n");
        print_map_sorted(all.codes, false);
    }
    if (json_object_size(all.mastery)) {
        fprintf(stderr, "mastery (rubric competency):\n");
        print_map_sorted(all.mastery, true);
    }
    if (rc == EXIT_OK && all.failed) {
        rc = EXIT_FAILED;
    }
    json_decref(all.codes);
    json_decref(all.mastery);
    for (int t = 0; t < jobs; t++) {
        assay_scratch_destroy(ws[t].scratch);
        json_decref(ws[t].st.codes);
        json_decref(ws[t].st.mastery);
    }
out:
    free(ws);
    free(sh.lines);
    if (fin != stdin) {
        fclose(fin);
    }
    if (fout != stdout) {
        fclose(fout);
    }
    assay_catalog_destroy(cat);
    return rc;
}
