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

/* The number of non-blank lines of the regular file at path (as the grading loop counts
 * them: a last line without a line ending too), for the progress bar; 0 when path is not a
 * regular file. */
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
    bool filled = false; /* the current line has a character that is not blank */
    while ((got = fread(buf, 1, sizeof(buf), f)) > 0) {
        for (size_t i = 0; i < got; i++) {
            if (buf[i] == '\n') {
                n += filled;
                filled = false;
            } else if (!cli_is_blank(buf + i, 1)) {
                filled = true;
            }
        }
    }
    fclose(f);
    return n + filled;
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

/* A batch run: the threads, the files, what is done. */
typedef struct run {
    shared sh;
    worker *ws;
    int jobs;
    FILE *fin, *fout;
    size_t total; /* non-blank lines of IN, for the progress bar; 0 unknown */
    size_t done;
    bool show; /* the progress bar */
} run;

/* Opens IN and OUT. EXIT_OK, or EXIT_UNUSABLE after saying why. */
static int open_files(run *r, const char *in, const char *out)
{
    r->fin = strcmp(in, "-") == 0 ? stdin : fopen(in, "rb");
    if (r->fin == NULL) {
        fprintf(stderr, "assay grade: %s: %s\n", in, strerror(errno));
        return EXIT_UNUSABLE;
    }
    r->fout = out ? fopen(out, "wb") : stdout;
    if (r->fout == NULL) {
        fprintf(stderr, "assay grade: %s: %s\n", out, strerror(errno));
        return EXIT_UNUSABLE;
    }
    r->total = r->fin == stdin ? 0 : count_lines(in);
    r->show = isatty(fileno(stderr)) && r->total > 0;
    return EXIT_OK;
}

/* Sets up the threads' state. false when out of memory. */
static bool start_workers(run *r, const assay_catalog *cat, const assay_grade_options *opts)
{
    r->sh.cat = cat;
    r->sh.opts = opts;
    r->sh.lines = calloc(WINDOW, sizeof(line));
    r->ws = calloc((size_t)r->jobs, sizeof(worker));
    if (r->sh.lines == NULL || r->ws == NULL) {
        return false;
    }
    for (int t = 0; t < r->jobs; t++) {
        r->ws[t].sh = &r->sh;
        r->ws[t].scratch = assay_scratch_create();
        r->ws[t].st.codes = json_object();
        r->ws[t].st.mastery = json_object();
    }
    return true;
}

/* Reads the next window of non-blank lines into r->sh. true at the end of the input. */
static bool read_window(run *r, char **buf, size_t *cap)
{
    r->sh.n = 0;
    atomic_store(&r->sh.next, 0);
    while (r->sh.n < WINDOW) {
        ssize_t got = getline(buf, cap, r->fin);
        if (got < 0) {
            return true;
        }
        if (cli_is_blank(*buf, (size_t)got)) {
            continue;
        }
        line *l = &r->sh.lines[r->sh.n++];
        l->text = *buf;
        l->len = (size_t)got;
        l->result = NULL;
        *buf = NULL;
        *cap = 0;
    }
    return false;
}

/* Grades the window on r->jobs threads, then writes its results in input order.
 * EXIT_OK, or EXIT_UNUSABLE when a result could not be made or written. */
static int grade_window(run *r)
{
    if (r->jobs == 1) {
        work(&r->ws[0]);
    } else {
        for (int t = 0; t < r->jobs; t++) {
            pthread_create(&r->ws[t].thread, NULL, work, &r->ws[t]);
        }
        for (int t = 0; t < r->jobs; t++) {
            pthread_join(r->ws[t].thread, NULL);
        }
    }
    int rc = EXIT_OK;
    for (size_t i = 0; i < r->sh.n; i++) {
        line *l = &r->sh.lines[i];
        if (l->result == NULL || fprintf(r->fout, "%s\n", l->result) < 0) {
            rc = EXIT_UNUSABLE;
        }
        free(l->result);
        free(l->text);
    }
    r->done += r->sh.n;
    return rc;
}

/* Prints the summary on stderr. The number of submissions not graded. */
static size_t summary(const run *r, double seconds)
{
    stats all = {.codes = json_object(), .mastery = json_object()};
    for (int t = 0; t < r->jobs; t++) {
        all.graded += r->ws[t].st.graded;
        all.failed += r->ws[t].st.failed;
        all.check_errors += r->ws[t].st.check_errors;
        merge(all.codes, r->ws[t].st.codes);
        merge(all.mastery, r->ws[t].st.mastery);
    }
    fprintf(stderr,
            "assay: %zu submissions in %.2f s (%d thread%s): %zu graded, %zu not graded, %zu "
            "with check errors\n",
            r->done, seconds, r->jobs, r->jobs == 1 ? "" : "s", all.graded, all.failed,
            all.check_errors);
    if (all.failed) {
        fprintf(stderr, "not graded, by error code:\n");
        print_map_sorted(all.codes, false);
    }
    if (json_object_size(all.mastery)) {
        fprintf(stderr, "mastery (rubric competency):\n");
        print_map_sorted(all.mastery, true);
    }
    json_decref(all.codes);
    json_decref(all.mastery);
    return all.failed;
}

/* Grades every window of the input. EXIT_OK, or EXIT_UNUSABLE on an I/O error. */
static int grade_all(run *r, double start)
{
    char *buf = NULL;
    size_t cap = 0;
    double last = 0;
    bool eof = false;
    int rc = EXIT_OK;
    while (!eof && rc == EXIT_OK) {
        eof = read_window(r, &buf, &cap);
        rc = grade_window(r);
        if (r->show && (cli_now_s() - last > 0.1 || eof)) {
            progress(r->done, r->total, start);
            last = cli_now_s();
        }
    }
    free(buf);
    if (r->show) {
        fputc('\n', stderr);
    }
    if (fflush(r->fout) != 0 || ferror(r->fin)) {
        fprintf(stderr, "assay grade: I/O error\n");
        rc = EXIT_UNUSABLE;
    }
    return rc;
}

int cmd_batch(const char *rubrics, const char *in, const char *out, int jobs,
              const assay_grade_options *opts)
{
    assay_catalog *cat = assay_catalog_create();
    bool usable = false;
    int rubrics_rc =
        cat ? cli_load_rubric_dir(cat, rubrics, "assay grade", &usable) : EXIT_UNUSABLE;
    run r = {.jobs = jobs};
    if (r.jobs <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        r.jobs = n > 0 ? (int)n : 1;
    }
    int rc = usable ? open_files(&r, in, out) : rubrics_rc;
    if (rc == EXIT_OK && !start_workers(&r, cat, opts)) {
        fprintf(stderr, "assay grade: out of memory\n");
        rc = EXIT_UNUSABLE;
    }
    if (rc == EXIT_OK) {
        double start = cli_now_s();
        rc = grade_all(&r, start);
        if (summary(&r, cli_now_s() - start) > 0 && rc == EXIT_OK) {
            rc = EXIT_FAILED;
        }
        /* The worse of the two: 3 (could not read or write) over 1 (invalid, not graded). */
        rc = rubrics_rc > rc ? rubrics_rc : rc;
    }
    for (int t = 0; r.ws && t < r.jobs; t++) {
        assay_scratch_destroy(r.ws[t].scratch);
        json_decref(r.ws[t].st.codes);
        json_decref(r.ws[t].st.mastery);
    }
    free(r.ws);
    free(r.sh.lines);
    if (r.fin && r.fin != stdin) {
        fclose(r.fin);
    }
    if (r.fout && r.fout != stdout) {
        fclose(r.fout);
    }
    assay_catalog_destroy(cat);
    return rc;
}
