/*
 * synth.c - the generated 10-check rubric and its essays (see synth.h).
 */
#include "synth.h"

typedef struct synth_pattern {
    const char *id, *mode, *pattern, *flag, *normalize, *comp;
    int min, max; /* count only; max 0: unbounded */
    double points;
    const char *pass, *fail;
} synth_pattern;

static const synth_pattern synth_patterns[] = {
    {"kinetic", "search", "\\bkinetic\\s+energy\\b", "caseless", NULL, "energy-transfer", 0, 0,
     1, "You name the kinetic energy the ball gains.",
     "Say which store the energy ends up in: kinetic energy."},
    {"conservation", "search",
     "conserv(?:ed|ation)\\s+of\\s+(?:mechanical\\s+)?energy|energy\\s+is\\s+conserved|"
     "mgh\\s*=\\s*(?:½|1/2)\\s*mv(?:²|\\^2)",
     "caseless", "collapse", "conservation", 0, 0, 2, "You use conservation of energy.",
     "Use conservation of energy: mgh = ½mv²."},
    {"dissipation", "search", "\\b(?:friction|air\\s+resistance|drag|thermal\\s+energy)\\b",
     "caseless", "collapse", "energy-transfer", 0, 0, 1, "You note where energy is dissipated.",
     "Mention what happens with air resistance in a real drop."},
    {"not-destroyed", "forbid",
     "energy\\s+(?:is|gets|was)\\s+(?:destroyed|used\\s+up|lost\\s+forever)", "caseless",
     "collapse", "conservation", 0, 0, 1, "",
     "Energy is never destroyed or used up; it is transferred to other stores."},
    {"not-heavier-faster", "forbid",
     "\\bheavier\\s+(?:objects?|things?|balls?|bodies)\\s+(?:fall|falls|drop)\\s+faster\\b",
     "caseless", "collapse", "conservation", 0, 0, 1, "",
     "Without air resistance every object falls with the same acceleration."},
    {"sentences", "count", "[^.!?]+[.!?]+", NULL, "trim", "communication", 6, 60, 1,
     "Your explanation is developed in full sentences.",
     "Explain in at least six full sentences."},
    {"reasoning", "count", "\\b(?:because|therefore|so|thus|hence|which\\s+means)\\b",
     "caseless", NULL, "communication", 3, 0, 1, "You link your steps with reasons.",
     "Give reasons: link your steps with because, so or therefore."},
    {"ends-properly", "whole", ".+[.!?][\"”’)]?", "dotall", "trim", "communication", 0, 0, 0.5,
     "", "Finish your explanation with a full sentence."},
};

/* The 10-check rubric: the eight pattern checks above and two numeric checks that read their
 * number through a source pattern, with units and significant figures. */
json_t *synth_rubric(void)
{
    json_t *checks = json_array();
    for (size_t i = 0; i < sizeof(synth_patterns) / sizeof(synth_patterns[0]); i++) {
        const synth_pattern *p = &synth_patterns[i];
        json_t *c =
            json_pack("{s:s, s:s, s:s, s:s, s:f, s:{s:i}, s:{s:s, s:s}}", "id", p->id, "type",
                      "pattern", "mode", p->mode, "pattern", p->pattern, "points", p->points,
                      "evidence", p->comp, 1, "feedback", "pass", p->pass, "fail", p->fail);
        if (p->flag) {
            json_object_set_new(c, "flags", json_pack("[s]", p->flag));
        }
        if (p->normalize) {
            json_object_set_new(c, "normalize", json_pack("[s]", p->normalize));
        }
        if (p->min) {
            json_object_set_new(c, "min", json_integer(p->min));
        }
        if (p->max) {
            json_object_set_new(c, "max", json_integer(p->max));
        }
        json_array_append_new(checks, c);
    }
    json_array_append_new(
        checks,
        json_pack("{s:s, s:s, s:i, s:{s:i, s:f}, s:i, s:f, s:{s:i, s:f}, "
                  "s:{s:{s:i, s:f}, s:b, s:f}, s:{s:s, s:s}, s:{s:s, s:s, s:s}}",
                  "id", "final-speed", "type", "numeric", "points", 2, "evidence",
                  "quantitative", 1, "energy-transfer", 0.5, "expected", 14, "tolerance", 0.1,
                  "sig_figs", "at_least", 2, "penalty", 0.25, "units", "table", "m/s", 1,
                  "cm/s", 0.01, "required", 1, "penalty", 0.5, "source", "pattern",
                  "\\bspeed\\b[^.]{0,80}?(?<v>[0-9]+(?:\\.[0-9]+)?(?:\\s*(?:m/s|cm/s|km/h))?)",
                  "group", "v", "feedback", "pass", "Right: v = √(2gh) = 14 m/s.", "fail",
                  "From mgh = ½mv², v = √(2gh) = √(2 · 9.8 m/s² · 10 m) = 14 m/s.", "partial",
                  "The value is right; check the unit and the significant figures."));
    json_array_append_new(
        checks, json_pack("{s:s, s:s, s:i, s:{s:i}, s:i, s:f, s:{s:{s:i, s:i}, s:b}, "
                          "s:{s:s, s:s, s:[s]}, s:{s:s, s:s}}",
                          "id", "final-energy", "type", "numeric", "points", 2, "evidence",
                          "quantitative", 1, "expected", 490, "relative", 0.02, "units",
                          "table", "J", 1, "kJ", 1000, "required", 1, "source", "pattern",
                          "\\benergy\\b[^.]{0,80}?\\b(?<e>[0-9]+(?:\\.[0-9]+)?"
                          "(?:\\s*[×x]\\s*10\\^[−-]?[0-9]+)?\\s*k?J)\\b",
                          "group", "e", "flags", "caseless", "feedback", "pass",
                          "Right: E = mgh = 5 kg · 9.8 m/s² · 10 m = 490 J.", "fail",
                          "The kinetic energy at the bottom equals mgh = 490 J."));
    json_t *r = json_pack(
        "{s:i, s:s, s:s, s:s, s:{s:s}, s:{s:[{s:s, s:s, s:i}, {s:s, s:s, s:f}, "
        "{s:s, s:s, s:f, s:b}, {s:s, s:s, s:i}]}, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, "
        "{s:s, s:s}], s:[{s:s, s:s, s:o}]}",
        "assay", 1, "id", SYNTH_RUBRIC, "version", "1.0.0", "title",
        "Energy of a falling ball (benchmark)", "settings", "decimal_separator", ".", "scale",
        "levels", "id", "beginning", "name", "Beginning", "min", 0, "id", "developing", "name",
        "Developing", "min", 0.5, "id", "proficient", "name", "Proficient", "min", 0.8,
        "mastery", 1, "id", "exemplary", "name", "Exemplary", "min", 1, "competencies", "id",
        "energy-transfer", "name", "Energy stores and transfers", "id", "conservation", "name",
        "Conservation of energy", "id", "quantitative", "name", "Quantitative reasoning", "id",
        "communication", "name", "Scientific communication", "items", "id", "essay", "prompt",
        "A 5 kg ball is dropped from 10 m. Explain its energy transfers and find its speed "
        "and kinetic energy just before it lands (g = 9.8 m/s²).",
        "checks", checks);
    if (r == NULL) {
        die("cannot build the 10-check rubric");
    }
    return r;
}

static const char *const filler[] = {
    "The ball has a mass of 5 kg and it is dropped from rest at a height of 10 m.",
    "I take g = 9.8 m/s² and treat the ball as a point mass.",
    "At the top the ball is at rest, so all of its energy is in the gravitational store, "
    "Ep = mgh.",
    "The graph of height against time is a parabola because the acceleration is constant.",
    "The only force that matters here is the weight of the ball, which acts downwards.",
    "I put the reference level at the ground, where the potential energy is zero.",
    "The work done by gravity equals the loss of gravitational potential energy, W = mgh = "
    "490 J.",
    "Doubling the height would double the energy at the bottom, but the speed would only "
    "grow by a factor of √2 ≈ 1.41.",
    "The units work out because kg·m²/s² is the same as a joule.",
    "If the ball bounced, some energy would also be carried away as sound.",
    "The momentum of the ball increases as it falls, but that is not needed here.",
    "The time of the fall follows from h = ½gt², which gives t ≈ 1.43 s.",
    "The mass cancels in mgh = ½mv², so a lighter ball reaches the same speed in a vacuum.",
    "In our lab the light gate measured a slightly lower value, probably a timing error.",
    "Halfway down, at 5 m, half of the energy has moved from one store to the other.",
    "This is the same reasoning as for a pendulum swinging down from its highest point.",
    "A table of Ep and Ek every metre would show the two always adding up to the same total.",
    "Our teacher said we should always check that the answer has a sensible size.",
};

static const char *const speeds[] = {"14 m/s", "14.0 m/s", "1400 cm/s", "13.9 m/s", "14 m/s",
                                     "15 m/s", "14",       "50.4 km/h", "14.0 m/s", "1.4 m/s"};
static const char *const energies[] = {"490 J",  "490 J",        "0.49 kJ", "500 J",
                                       "4.9 J",  "4.9 × 10^2 J", "490 J",   "49 J",
                                       "490 kJ", "4.90 × 10^2 J"};

static char *synth_answer(rng *g, size_t target)
{
    sbuf b = {0};
    size_t nf = sizeof(filler) / sizeof(filler[0]);
    bool kinetic = rng_chance(g, 80), conserve = rng_chance(g, 70), drag = rng_chance(g, 60);
    bool destroyed = rng_chance(g, 15), heavier = rng_chance(g, 10);
    bool speed = rng_chance(g, 90), energy = rng_chance(g, 85);
    size_t key_at = 2 + rng_below(g, 4); /* where the key sentences start */
    size_t k = 0, order = rng_next(g);
    while (b.len < target) {
        if (k == key_at) {
            if (kinetic) {
                sb_puts(&b, "As it falls, its gravitational potential energy is transferred to "
                            "kinetic energy. ");
            }
            if (conserve) {
                sb_puts(&b, rng_chance(g, 50)
                                ? "Energy is conserved, so the total stays the same all the "
                                  "way down. "
                                : "By conservation of energy, mgh = ½mv², therefore v = "
                                  "√(2gh). ");
            }
            if (destroyed) {
                sb_puts(&b, "When it lands the energy is used up. ");
            }
            if (heavier) {
                sb_puts(&b, "Heavier objects fall faster, so a bigger ball lands sooner. ");
            }
            if (speed) {
                sb_puts(&b, "The speed just before it lands is ");
                sb_puts(&b, speeds[rng_below(g, sizeof(speeds) / sizeof(speeds[0]))]);
                sb_puts(&b, ", because v = √(2 · 9.8 · 10). ");
            }
            if (energy) {
                sb_puts(&b, "So the kinetic energy at the bottom is ");
                sb_puts(&b, energies[rng_below(g, sizeof(energies) / sizeof(energies[0]))]);
                sb_puts(&b, ". ");
            }
            if (drag) {
                sb_puts(&b, "In a real drop air resistance turns a little of it into thermal "
                            "energy, which means the ball is slightly slower. ");
            }
        } else {
            sb_puts(&b, filler[(order + k * 7 + rng_below(g, 3)) % nf]);
            sb_puts(&b, " ");
        }
        k++;
    }
    if (rng_chance(g, 10)) {
        sb_puts(&b, "and then it stops"); /* no full stop: the whole check fails */
    }
    return b.p;
}

json_t *synth_submission(rng *g, size_t serial, size_t answer_bytes)
{
    char id[64], learner[32];
    snprintf(id, sizeof(id), "gen-%s-%06zu", SYNTH_RUBRIC, serial);
    snprintf(learner, sizeof(learner), "learner-%04zu", rng_below(g, 10000));
    char *answer = synth_answer(g, answer_bytes);
    json_t *sub = json_pack("{s:s, s:s, s:s, s:s, s:{s:s}, s:{s:s, s:s, s:s, s:i, s:s}}", "id",
                            id, "rubric", SYNTH_RUBRIC, "rubric_version", "1.0.0", "learner",
                            learner, "responses", "essay", answer, "meta", "lms", "moodle",
                            "course", "PHYS-100-2025", "activity", "energy-essay", "attempt",
                            (int)(1 + rng_below(g, 3)), "submitted_at", "2025-04-02T09:41:17Z");
    free(answer);
    return sub;
}
