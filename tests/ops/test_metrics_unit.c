/*
 * test_metrics_unit.c - the pure parts of worker/metrics.c: --metrics values (HOST:PORT,
 * IPv6 in brackets, what is refused and the message), enqueued_at times (RFC 3339 with a
 * zone, to epoch milliseconds; everything else refused), the Prometheus text before any
 * update (every family with HELP and TYPE, series of a name together) and the /readyz texts.
 * The server and the counts are tested end to end by the Python tests of this folder.
 */
#include "metrics.h"

#include "tap.h"

#include <stdlib.h>
#include <string.h>

static void check_listen(void)
{
    static const char *const good[] = {"127.0.0.1:9464", "0.0.0.0:0", "localhost:65535",
                                       "[::1]:9464", "[::]:1"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        char why[600] = "";
        int before = tap_failed;
        ASSERT_INT_EQ(wk_metrics_check_listen(good[i], why, sizeof(why)), 0);
        tap_note(before, "good", good[i]);
    }
    static const struct {
        const char *in, *says;
    } bad[] = {
        {"9464", "expected HOST:PORT"},
        {"127.0.0.1", "expected HOST:PORT"},
        {":9464", "no host"},
        {"127.0.0.1:", "PORT from 0 to 65535"},
        {"127.0.0.1:65536", "PORT from 0 to 65535"},
        {"127.0.0.1:12a", "PORT from 0 to 65535"},
        {"127.0.0.1:-1", "PORT from 0 to 65535"},
        {"::1:9464", "put an IPv6 address in brackets"},
        {"[::1]9464", "in brackets, then :PORT"},
        {"[::1", "in brackets, then :PORT"},
        {"999.1.1.1:80", "cannot resolve \"999.1.1.1\""},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char why[600] = "";
        int before = tap_failed;
        ASSERT_INT_EQ(wk_metrics_check_listen(bad[i].in, why, sizeof(why)), -1);
        ASSERT(strstr(why, bad[i].says) != NULL);
        char quoted[100];
        snprintf(quoted, sizeof(quoted), "\"%s\"", bad[i].in);
        ASSERT(strstr(why, quoted) != NULL); /* the message names the value */
        if (tap_failed != before) {
            printf("#   message: %s\n", why);
        }
        tap_note(before, "bad", bad[i].in);
    }
}

static void render(void)
{
    size_t len = 0;
    char *text = wk_metrics_render(&len);
    ASSERT(text != NULL);
    if (text == NULL) {
        return;
    }
    ASSERT_INT_EQ(len, strlen(text));
    ASSERT(len > 0 && text[len - 1] == '\n');
    static const char *const want[] = {
        "# TYPE assay_results_total counter\n",
        "assay_results_total{queue=\"submissions\",status=\"graded\"} 0\n",
        "assay_results_total{queue=\"regrade\",status=\"error\"} 0\n",
        "# TYPE assay_queue_depth gauge\n",
        "# TYPE assay_grading_seconds histogram\n",
        "assay_grading_seconds_bucket{le=\"+Inf\"} 0\n",
        "assay_grading_seconds_count 0\n",
        "assay_enqueue_to_result_seconds_sum 0.000000000\n",
        "# TYPE assay_build_info gauge\n",
        "# TYPE process_start_time_seconds gauge\n",
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        int before = tap_failed;
        ASSERT(strstr(text, want[i]) != NULL);
        tap_note(before, "render", want[i]);
    }
    /* Each TYPE line appears once per name. */
    ASSERT(strstr(strstr(text, "# TYPE assay_results_total") + 1,
                  "# TYPE assay_results_total") == NULL);
    free(text);
}

int main(void)
{
    check_listen();
    render();
    ASSERT_STR_EQ(wk_metrics_unready_text(WK_READY), "ready\n");
    ASSERT(strstr(wk_metrics_unready_text(WK_UNREADY_REDIS), "Redis") != NULL);
    ASSERT(strstr(wk_metrics_unready_text(WK_UNREADY_DRAINING), "draining") != NULL);
    return tap_done();
}
