/*
 * batch.c - `assay grade --rubrics DIR --jsonl IN`: regrading runs.
 *
 * Submissions are read in windows of WINDOW lines; a window's lines are graded by N threads
 * (the main thread and N-1 started once, each with its own scratch and its own output
 * buffers; the catalog is shared read-only) that claim CLAIM lines at a time through the
 * window's atomic counter. There are two window slots: while the threads grade window k, the
 * main thread first writes window k-1's results in input order and reads window k+1, then
 * joins the grading of what is left of k, so that no thread waits for the reading and
 * writing (one job has nothing to overlap: it grades, writes and reads in one slot). Nothing
 * allocated by one thread is freed by another, and memory stays bounded by two windows whatever
 * the input size; the results of consecutive lines one thread graded are written with one
 * write. Blank lines are skipped and give no result. A progress bar goes to stderr when it is a
 * terminal; a summary (graded, not graded by error code, check errors, mastery per competency)
 * goes to stderr at the end. A line left ungraded for want of memory stops the reading, but
 * the windows already graded are still written (with two slots, one more than with one job);
 * a failed write is said once and nothing more is written.
 */
#include "cli.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Lines per window: small enough that the window's input and results stay in the caches
 * (results are ~10 times the input), large enough that starting threads per window is
 * noise. */
#define WINDOW 512
/* Lines a thread claims at a time: fewer trips to the shared counter, and neighbouring
 * results written by one thread. */
#define CLAIM 16

/* A growable byte buffer. */
typedef struct bytes {
    char *p;
    size_t len, cap;
} bytes;

/* Appends s[0..n). false when out of memory. */
static bool bytes_put(bytes *b, const char *s, size_t n)
{
    if (b->cap - b->len < n) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap - b->len < n) {
            cap *= 2;
        }
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            return false;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    return true;
}

/* One non-blank input line: its text in the window's input, its result in the output of
 * the thread that graded it. */
typedef struct line {
    size_t at, len;
    int by; /* the thread; -1 when no result could be made */
    size_t out_at, out_len;
} line;

/* Per-rubric counts of mastery, per competency (rubrics told apart by their SHA-256). */
typedef struct rubric_counts {
    char sha256[65];
    char *rubric;
    size_t n;
    char **comps;
    size_t *mastered;
    size_t *total;
} rubric_counts;

/* Results not graded, per error code. */
typedef struct code_count {
    char *code;
    size_t n;
} code_count;

typedef struct stats {
    size_t graded, failed, check_errors;
    code_count *codes;
    size_t ncodes;
    rubric_counts *rubrics;
    size_t nrubrics;
    bool nomem;
} stats;

/* One window slot: its lines, read by the main thread, graded by all. */
typedef struct window {
    _Alignas(64) atomic_size_t next; /* the first line not yet claimed */
    bytes in;                        /* the lines' text */
    line *lines;
    size_t n;
} window;

typedef struct shared {
    const assay_catalog *cat;
    const assay_grade_options *opts;
    window win[2];
    int cur; /* the slot being graded, set before the start barrier */
    /* With more than one job: the threads (started once) wait at start for a window and at
     * end for each other; finished tells them to leave. */
    pthread_barrier_t start, end;
    bool finished;
} shared;

/* A grading thread's state, on a cache line of its own. */
typedef struct worker {
    _Alignas(64) shared *sh;
    int index;
    assay_scratch *scratch;
    bytes out[2]; /* the results of each window slot's lines */
    stats st;
    pthread_t thread;
} worker;

static char *dup_str(const char *s, stats *st)
{
    char *d = strdup(s ? s : "?");
    if (d == NULL) {
        st->nomem = true;
    }
    return d;
}

static void count_code(stats *st, const char *code)
{
    code = code ? code : "unknown";
    for (size_t i = 0; i < st->ncodes; i++) {
        if (strcmp(st->codes[i].code, code) == 0) {
            st->codes[i].n++;
            return;
        }
    }
    code_count *c = realloc(st->codes, (st->ncodes + 1) * sizeof(*c));
    if (c == NULL) {
        st->nomem = true;
        return;
    }
    st->codes = c;
    c[st->ncodes].code = dup_str(code, st);
    c[st->ncodes].n = 1;
    st->ncodes++;
}

/* The counts of the rubric info names, made on first sight. NULL when out of memory. */
static rubric_counts *rubric_of(stats *st, const assay_result_info *info)
{
    for (size_t i = 0; i < st->nrubrics; i++) {
        if (memcmp(st->rubrics[i].sha256, info->rubric_sha256, 64) == 0) {
            return &st->rubrics[i];
        }
    }
    rubric_counts *rs = realloc(st->rubrics, (st->nrubrics + 1) * sizeof(*rs));
    if (rs == NULL) {
        st->nomem = true;
        return NULL;
    }
    st->rubrics = rs;
    rubric_counts *rc = &rs[st->nrubrics++];
    memset(rc, 0, sizeof(*rc));
    snprintf(rc->sha256, sizeof(rc->sha256), "%s", info->rubric_sha256);
    rc->rubric = dup_str(info->rubric_id, st);
    rc->comps = calloc(info->ncompetencies + 1, sizeof(char *));
    rc->mastered = calloc(info->ncompetencies + 1, sizeof(size_t));
    rc->total = calloc(info->ncompetencies + 1, sizeof(size_t));
    if (rc->comps == NULL || rc->mastered == NULL || rc->total == NULL) {
        st->nomem = true;
        return rc;
    }
    rc->n = info->ncompetencies;
    for (size_t k = 0; k < rc->n; k++) {
        rc->comps[k] = dup_str(info->competencies[k].id, st);
    }
    return rc;
}

static void tally(stats *st, const assay_result_info *info)
{
    if (!info->graded) {
        st->failed++;
        count_code(st, info->error_code);
        return;
    }
    st->graded++;
    if (info->check_errors > 0) {
        st->check_errors++;
    }
    rubric_counts *rc = rubric_of(st, info);
    for (size_t k = 0; rc && k < rc->n && k < info->ncompetencies; k++) {
        rc->total[k]++;
        rc->mastered[k] += info->competencies[k].mastered;
    }
}

static void stats_free(stats *st)
{
    for (size_t i = 0; i < st->ncodes; i++) {
        free(st->codes[i].code);
    }
    free(st->codes);
    for (size_t i = 0; i < st->nrubrics; i++) {
        rubric_counts *rc = &st->rubrics[i];
        for (size_t k = 0; rc->comps && k < rc->n; k++) {
            free(rc->comps[k]);
        }
        free(rc->rubric);
        free(rc->comps);
        free(rc->mastered);
        free(rc->total);
    }
    free(st->rubrics);
}

/* Grades the window's lines that w claims. */
static void work(worker *w)
{
    shared *sh = w->sh;
    window *win = &sh->win[sh->cur];
    bytes *out = &w->out[sh->cur];
    out->len = 0;
    for (;;) {
        size_t first = atomic_fetch_add(&win->next, CLAIM);
        if (first >= win->n) {
            break;
        }
        size_t end = first + CLAIM < win->n ? first + CLAIM : win->n;
        for (size_t i = first; i < end; i++) {
            line *l = &win->lines[i];
            const char *text;
            size_t len;
            assay_result_info info;
            l->by = -1;
            if (assay_grade_text(sh->cat, win->in.p + l->at, l->len, w->scratch, sh->opts,
                                 &text, &len, &info) != 0) {
                continue;
            }
            tally(&w->st, &info);
            l->out_at = out->len;
            l->out_len = len + 1;
            if (bytes_put(out, text, len) && bytes_put(out, "\n", 1)) {
                l->by = w->index;
            }
        }
    }
}

/* A thread of its own (jobs 1..N-1; the main thread is job 0): a window at a time. */
static void *work_loop(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    for (;;) {
        pthread_barrier_wait(&sh->start);
        if (sh->finished) {
            return NULL;
        }
        work(w);
        pthread_barrier_wait(&sh->end);
    }
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

/* A summary line: "rubric competency" (or an error code) and its counts. */
typedef struct summary_row {
    char *key;
    size_t a, b;
} summary_row;

static int row_cmp(const void *x, const void *y)
{
    return strcmp(((const summary_row *)x)->key, ((const summary_row *)y)->key);
}

/* Adds a and b to the row named key in rows (made when missing). */
static void row_add(summary_row **rows, size_t *n, const char *key, size_t a, size_t b)
{
    for (size_t i = 0; i < *n; i++) {
        if (strcmp((*rows)[i].key, key) == 0) {
            (*rows)[i].a += a;
            (*rows)[i].b += b;
            return;
        }
    }
    char *k = strdup(key);
    summary_row *r = k ? realloc(*rows, (*n + 1) * sizeof(**rows)) : NULL;
    if (r == NULL) {
        free(k);
        return;
    }
    *rows = r;
    r[*n] = (summary_row){k, a, b};
    (*n)++;
}

/* Prints rows sorted by key ("mastered" pairs, or single counts), and frees them. */
static void print_rows(summary_row *rows, size_t n, bool pairs)
{
    if (n == 0) {
        free(rows);
        return;
    }
    qsort(rows, n, sizeof(*rows), row_cmp);
    for (size_t i = 0; i < n; i++) {
        if (pairs) {
            fprintf(stderr, "  %-48s %zu of %zu mastered\n", rows[i].key, rows[i].a, rows[i].b);
        } else {
            fprintf(stderr, "  %-48s %zu\n", rows[i].key, rows[i].a);
        }
        free(rows[i].key);
    }
    free(rows);
}

/* A batch run: the threads, the files, what is done. */
typedef struct run {
    shared sh;
    worker *ws;
    int jobs;
    FILE *fin, *fout;
    const char *out_name; /* for messages: the -o file, or "standard output" */
    bool write_failed;    /* said once; nothing more is written */
    size_t total;         /* non-blank lines of IN, for the progress bar; 0 unknown */
    size_t done;
    bool show;    /* the progress bar */
    bool started; /* threads 1..jobs-1 are running */
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
    r->out_name = out ? out : "standard output";
    if (r->fout == NULL) {
        fprintf(stderr, "assay grade: %s: %s\n", out, strerror(errno));
        return EXIT_UNUSABLE;
    }
    /* Counting reads the whole input once more: only for the progress bar. */
    bool tty = isatty(fileno(stderr));
    r->total = r->fin == stdin || !tty ? 0 : count_lines(in);
    r->show = tty && r->total > 0;
    return EXIT_OK;
}

/* Sets up the threads' state. false when out of memory. */
static bool start_workers(run *r, const assay_catalog *cat, const assay_grade_options *opts)
{
    r->sh.cat = cat;
    r->sh.opts = opts;
    r->sh.win[0].lines = calloc(WINDOW, sizeof(line));
    r->sh.win[1].lines = calloc(WINDOW, sizeof(line));
    r->ws = aligned_alloc(_Alignof(worker), (size_t)r->jobs * sizeof(worker));
    if (r->sh.win[0].lines == NULL || r->sh.win[1].lines == NULL || r->ws == NULL) {
        return false;
    }
    memset(r->ws, 0, (size_t)r->jobs * sizeof(worker));
    for (int t = 0; t < r->jobs; t++) {
        r->ws[t].sh = &r->sh;
        r->ws[t].index = t;
        r->ws[t].scratch = assay_scratch_create();
        if (r->ws[t].scratch == NULL) {
            return false;
        }
    }
    if (r->jobs > 1) {
        pthread_barrier_init(&r->sh.start, NULL, (unsigned)r->jobs);
        pthread_barrier_init(&r->sh.end, NULL, (unsigned)r->jobs);
        for (int t = 1; t < r->jobs; t++) {
            if (pthread_create(&r->ws[t].thread, NULL, work_loop, &r->ws[t]) != 0) {
                /* Fewer threads is still correct: the barriers wait for the missing ones,
                 * so give up instead. */
                fprintf(stderr, "assay grade: cannot start a grading thread\n");
                exit(EXIT_UNUSABLE);
            }
        }
        r->started = true;
    }
    return true;
}

/* Lets the threads leave and joins them. */
static void stop_workers(run *r)
{
    if (!r->started) {
        return;
    }
    r->sh.finished = true;
    pthread_barrier_wait(&r->sh.start);
    for (int t = 1; t < r->jobs; t++) {
        pthread_join(r->ws[t].thread, NULL);
    }
    pthread_barrier_destroy(&r->sh.start);
    pthread_barrier_destroy(&r->sh.end);
}

/* Reads the next window of non-blank lines into w. true at the end of the input; *nomem
 * set when the window could not be held. */
static bool read_window(run *r, window *w, char **buf, size_t *cap, bool *nomem)
{
    w->n = 0;
    w->in.len = 0;
    atomic_store(&w->next, 0);
    while (w->n < WINDOW) {
        ssize_t got = getline(buf, cap, r->fin);
        if (got < 0) {
            break;
        }
        if (cli_is_blank(*buf, (size_t)got)) {
            continue;
        }
        line *l = &w->lines[w->n++];
        l->at = w->in.len;
        l->len = (size_t)got;
        if (!bytes_put(&w->in, *buf, (size_t)got)) {
            *nomem = true;
            return true;
        }
    }
    return w->n < WINDOW;
}

/* Writes the results of the window in slot k in input order. EXIT_OK, or EXIT_UNUSABLE when
 * a result could not be made or written. */
/* Says, once, that the results could not be written; nothing more is written after it. */
static int say_write_failed(run *r)
{
    if (!r->write_failed) {
        fprintf(stderr, "assay grade: %s: writing the results failed: %s\n", r->out_name,
                strerror(errno));
        r->write_failed = true;
    }
    return EXIT_UNUSABLE;
}

static int write_window(run *r, int k)
{
    const window *w = &r->sh.win[k];
    int rc = EXIT_OK;
    if (r->write_failed) {
        return EXIT_UNUSABLE;
    }
    /* Consecutive lines graded by one thread are contiguous in its output: one write each. */
    for (size_t i = 0; i < w->n;) {
        const line *l = &w->lines[i];
        if (l->by < 0) {
            rc = EXIT_UNUSABLE;
            i++;
            continue;
        }
        size_t at = l->out_at, len = l->out_len, j = i + 1;
        while (j < w->n && w->lines[j].by == l->by && w->lines[j].out_at == at + len) {
            len += w->lines[j++].out_len;
        }
        if (fwrite(r->ws[l->by].out[k].p + at, 1, len, r->fout) != len) {
            return say_write_failed(r); /* reading and grading stop */
        }
        i = j;
    }
    return rc;
}

/* Prints the summary on stderr. The number of submissions not graded. */
static size_t summary(const run *r, double seconds)
{
    size_t graded = 0, failed = 0, check_errors = 0, ncodes = 0, nmastery = 0;
    summary_row *codes = NULL, *mastery = NULL;
    for (int t = 0; t < r->jobs; t++) {
        const stats *st = &r->ws[t].st;
        graded += st->graded;
        failed += st->failed;
        check_errors += st->check_errors;
        for (size_t i = 0; i < st->ncodes; i++) {
            row_add(&codes, &ncodes, st->codes[i].code, st->codes[i].n, 0);
        }
        for (size_t i = 0; i < st->nrubrics; i++) {
            const rubric_counts *rc = &st->rubrics[i];
            for (size_t k = 0; k < rc->n; k++) {
                char key[300];
                snprintf(key, sizeof(key), "%s %s", rc->rubric, rc->comps[k]);
                row_add(&mastery, &nmastery, key, rc->mastered[k], rc->total[k]);
            }
        }
    }
    fprintf(stderr,
            "assay: %zu submissions in %.2f s (%d thread%s): %zu graded, %zu not graded, %zu "
            "with check errors\n",
            r->done, seconds, r->jobs, r->jobs == 1 ? "" : "s", graded, failed, check_errors);
    if (failed) {
        fprintf(stderr, "not graded, by error code:\n");
    }
    print_rows(codes, ncodes, false);
    if (nmastery) {
        fprintf(stderr, "mastery (rubric competency):\n");
    }
    print_rows(mastery, nmastery, true);
    return failed;
}

/* Grades every window of the input: while the threads grade the window in slot cur, the
 * main thread writes the previous window's results and reads the next window into the other
 * slot, then grades with them. EXIT_OK, or EXIT_UNUSABLE on an I/O error. */
static int grade_all(run *r, double start)
{
    char *buf = NULL;
    size_t cap = 0;
    double last = 0;
    bool nomem = false;
    int cur = 0, prev = -1;
    bool eof = read_window(r, &r->sh.win[cur], &buf, &cap, &nomem);
    bool more = !nomem; /* slot cur holds a window to grade */
    int rc = EXIT_OK;
    while (more) {
        size_t n = r->sh.win[cur].n;
        r->sh.cur = cur;
        if (r->started) {
            pthread_barrier_wait(&r->sh.start);
        } else {
            /* One job: nothing to overlap, so grade, write, and read into the same slot
             * (one window's buffers stay in the caches). */
            work(&r->ws[0]);
            prev = cur;
        }
        if (prev >= 0 && write_window(r, prev) != EXIT_OK) {
            rc = EXIT_UNUSABLE;
        }
        int next = r->started ? 1 - cur : cur;
        more = !eof && rc == EXIT_OK;
        if (more) {
            eof = read_window(r, &r->sh.win[next], &buf, &cap, &nomem);
            more = !nomem;
        }
        prev = -1;
        if (r->started) {
            work(&r->ws[0]);
            pthread_barrier_wait(&r->sh.end);
            prev = cur;
        }
        r->done += n;
        if (r->show && (cli_now_s() - last > 0.1 || !more)) {
            progress(r->done, r->total, start);
            last = cli_now_s();
        }
        cur = next;
    }
    /* The last window graded is written even after an error: nothing graded is dropped. */
    if (prev >= 0 && write_window(r, prev) != EXIT_OK) {
        rc = EXIT_UNUSABLE;
    }
    free(buf);
    if (r->show) {
        fputc('\n', stderr);
    }
    if (nomem) {
        fprintf(stderr, "assay grade: out of memory\n");
        rc = EXIT_UNUSABLE;
    }
    if (fflush(r->fout) != 0) {
        rc = say_write_failed(r);
    }
    if (ferror(r->fin)) {
        fprintf(stderr, "assay grade: reading the submissions failed\n");
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
    stop_workers(&r);
    for (int t = 0; r.ws && t < r.jobs; t++) {
        assay_scratch_destroy(r.ws[t].scratch);
        stats_free(&r.ws[t].st);
        free(r.ws[t].out[0].p);
        free(r.ws[t].out[1].p);
    }
    free(r.ws);
    for (int k = 0; k < 2; k++) {
        free(r.sh.win[k].in.p);
        free(r.sh.win[k].lines);
    }
    if (r.fin && r.fin != stdin) {
        fclose(r.fin);
    }
    if (r.fout && r.fout != stdout) {
        fclose(r.fout);
    }
    assay_catalog_destroy(cat);
    return rc;
}
