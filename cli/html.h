/*
 * html.h - writing the self-contained HTML pages of `assay report` and `assay diff`: text and
 * attribute escaping for untrusted strings, the page frame (doctype, a Content Security
 * Policy that allows no script and no fetch, inline CSS with print rules), numbers, and
 * inline SVG charts, each with a <title> and <desc> (the tables of the same numbers are the
 * caller's).
 *
 * Output is HTML5 that a strict parser (html5lib, strict=True) accepts: characters HTML does
 * not allow in a document (NUL and other control characters, noncharacters) are written as
 * a visible "U+XXXX" marker rather than as themselves.
 */
#ifndef ASSAY_CLI_HTML_H
#define ASSAY_CLI_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Writes s[0..len) (UTF-8) as HTML text: & < > " ' escaped, so the same escaping serves text
 * and double- or single-quoted attribute values. Bytes that are not UTF-8 are written as
 * U+FFFD. */
void html_text(FILE *f, const char *s, size_t len);
/* Length of the UTF-8 character at s[0..n) (n >= 1) and its code point in *cp; 0 when the
 * bytes there are not one (overlong, surrogate, past U+10FFFF, cut short). */
size_t html_utf8_char(const char *s, size_t n, uint32_t *cp);
/* The same for a NUL-terminated string; NULL writes nothing. */
void html_str(FILE *f, const char *s);
/* Writes a number with `decimals` digits after the point; NaN and infinities as "n/a". */
void html_num(FILE *f, double v, int decimals);
/* Writes 100 * part / whole with one decimal and a % sign ("0.0%" when whole is 0). */
void html_pct(FILE *f, uint64_t part, uint64_t whole);

/* The page: doctype, head with the CSP, title (escaped) and the stylesheet; opens <body>. */
void html_begin(FILE *f, const char *title);
/* Closes <body> and <html>. */
void html_end(FILE *f);

/* A fresh id for an element of the page ("c1", "c2", ...), unique in the process. */
void html_new_id(char buf[16]);

/* ---------------------------------------------------------------------------------------
 * Charts. Colours come from CSS classes of html_begin's stylesheet: "st-correct",
 * "st-partial", "st-incorrect", "st-invalid", "st-error" (the check statuses, Okabe-Ito
 * colours), "lv0".."lv7" (a light-to-dark ramp for proficiency levels, scale order),
 * "bar" (a neutral bar), "up" and "down".
 */

/* A vertical bar chart (a histogram): n bars with their labels under them. */
void html_bars(FILE *f, const char *title, const char *desc, const char *const *labels,
               const uint64_t *counts, size_t n);

/* One row of a stacked-bar chart. */
typedef struct html_row {
    const char *label;      /* shown left of the bar (escaped) */
    const uint64_t *values; /* nseg values; the bar shows their shares of their sum */
    size_t mark;            /* a vertical mark before segment `mark` (0: none) */
    const char *mark_label; /* text by the mark, or NULL */
} html_row;

/* Horizontal 100% stacked bars, one per row; segment i has class classes[i] and legend
 * name names[i]; a segment wide enough shows its count. A legend follows the bars. */
void html_stacked(FILE *f, const char *title, const char *desc, const html_row *rows,
                  size_t nrows, const char *const *names, const char *const *classes,
                  size_t nseg);

/* Horizontal bars from a common zero, one per value, with labels; class per bar. */
void html_hbars(FILE *f, const char *title, const char *desc, const char *const *labels,
                const uint64_t *values, const char *const *classes, size_t n);

/* The class of level i of n on the level ramp ("lv0".."lv7"). */
const char *html_level_class(size_t i, size_t n);

#endif
