/*
 * report.c - what the engine benchmark prints (see report.h).
 */
#include "report.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static void read_cpu_model(char *buf, size_t size)
{
    snprintf(buf, size, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL) {
        return;
    }
    char line[512];
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "model name", 10) == 0) {
            const char *p = strchr(line, ':');
            if (p) {
                p++;
                while (*p == ' ' || *p == '\t') {
                    p++;
                }
                snprintf(buf, size, "%.*s", (int)strcspn(p, "\n"), p);
            }
            break;
        }
    }
    fclose(f);
}

json_t *machine_json(void)
{
    char cpu[256], pcre_ver[64] = "";
    struct utsname u;
    uint32_t jit = 0;
    read_cpu_model(cpu, sizeof(cpu));
    if (uname(&u) != 0) {
        memset(&u, 0, sizeof(u));
    }
    pcre2_config(PCRE2_CONFIG_VERSION, pcre_ver);
    pcre2_config(PCRE2_CONFIG_JIT, &jit);
#ifdef __VERSION__
    const char *compiler = __VERSION__;
#else
    const char *compiler = "unknown";
#endif
    return json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:b, s:s}", "cpu", cpu, "kernel",
                     u.release, "arch", u.machine, "online_cpus",
                     (int)sysconf(_SC_NPROCESSORS_ONLN), "compiler", compiler, "jansson",
                     jansson_version_str(), "pcre2", pcre_ver, "pcre2_jit", (int)jit, "assay",
                     assay_version());
}

void print_tables(bcase *const *cases, size_t ncases, int nthreads)
{
    printf("\nPer core, one thread; time per submission (median of rounds)\n");
    printf("%-22s %5s %6s %6s %6s %9s %9s %8s %8s %8s %8s %8s %8s %6s\n", "case", "subs",
           "checks", "sub B", "res B", "engine us", "subs/s", "ns/check", "floor us", "parse",
           "regex", "build", "dump", "ratio");
    for (size_t i = 0; i < ncases; i++) {
        const bcase *c = cases[i];
        printf("%-22s %5zu %6.1f %6.0f %6.0f %9.2f %9.0f %8.0f %8.2f %8.2f %8.2f %8.2f %8.2f "
               "%6.2f\n",
               c->name, c->n, c->checks, c->sub_bytes, c->result_bytes, c->engine / 1e3,
               1e9 / c->engine, c->engine / c->checks, c->floor / 1e3, c->parse / 1e3,
               c->regex / 1e3, c->build / 1e3, c->dump / 1e3, c->ratio);
    }
    printf("\nEngine by CPU time of the thread (less sensitive to other work on the machine);\n"
           "on-CPU: the measurements' CPU time over their wall time (100%% on an idle core)\n");
    printf("%-22s %13s %9s %8s %7s   %s\n", "case", "engine cpu us", "subs/s", "ns/check",
           "on-CPU", "fastest rounds: engine us / floor us = ratio");
    for (size_t i = 0; i < ncases; i++) {
        const bcase *c = cases[i];
        printf("%-22s %13.2f %9.0f %8.0f %6.1f%%   %8.2f / %8.2f = %4.2f\n", c->name,
               c->engine_cpu / 1e3, 1e9 / c->engine_cpu, c->engine_cpu / c->checks,
               100 * c->on_cpu, c->engine_best / 1e3, c->floor_best / 1e3,
               c->engine_best / c->floor_best);
    }
    printf("\nResult serialisation alone (us per result)\n");
    printf("%-22s %18s %18s %6s\n", "case", "assay_result_dumps", "json_dumpb (floor)",
           "ratio");
    for (size_t i = 0; i < ncases; i++) {
        const bcase *c = cases[i];
        printf("%-22s %18.2f %18.2f %6.2f\n", c->name, c->dumps / 1e3, c->dump / 1e3,
               c->dumps_ratio);
    }
    bool any = false;
    for (size_t i = 0; i < ncases; i++) {
        any = any || cases[i]->rateN > 0;
    }
    if (any) {
        printf("\nIn-process threads sharing one catalog (engine, submissions/s)\n");
        printf("%-22s %12s %12s %8s\n", "case", "1 thread", "threads", "scaling");
        for (size_t i = 0; i < ncases; i++) {
            const bcase *c = cases[i];
            if (c->rateN > 0) {
                printf("%-22s %12.0f %9.0f x%-2d %7.2fx\n", c->name, c->rate1, c->rateN,
                       nthreads, c->rateN / c->rate1);
            }
        }
    }
    printf("\nfloor = json_loadb + the same patterns with pcre2_match (JIT) + an equal result "
           "built with jansson + json_dumpb;\nratio = engine / floor. Times in us per "
           "submission unless noted.\n");
}

json_t *case_json(const bcase *c)
{
    json_t *o = json_pack(
        "{s:s, s:i, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}",
        "case", c->name, "submissions", (int)c->n, "checks_per_submission", c->checks,
        "submission_bytes", c->sub_bytes, "result_bytes", c->result_bytes, "engine_ns",
        c->engine, "submissions_per_s", 1e9 / c->engine, "ns_per_check", c->engine / c->checks,
        "floor_ns", c->floor, "floor_parse_ns", c->parse, "floor_regex_ns", c->regex,
        "floor_build_ns", c->build, "floor_dump_ns", c->dump, "ratio", c->ratio,
        "result_dumps_ns", c->dumps, "result_dumps_ratio", c->dumps_ratio, "floor_ns_per_check",
        c->floor / c->checks);
    json_object_set_new(o, "engine_cpu_ns", json_real(c->engine_cpu));
    json_object_set_new(o, "on_cpu_share", json_real(c->on_cpu));
    json_object_set_new(o, "engine_best_ns", json_real(c->engine_best));
    json_object_set_new(o, "floor_best_ns", json_real(c->floor_best));
    if (c->rateN > 0) {
        json_object_set_new(o, "threads_1_per_s", json_real(c->rate1));
        json_object_set_new(o, "threads_n_per_s", json_real(c->rateN));
        json_object_set_new(o, "thread_scaling", json_real(c->rateN / c->rate1));
    }
    return o;
}
