/*
 * html.c - the HTML writer of html.h: escaping, the page frame and stylesheet, numbers, and
 * the inline SVG charts shared by `assay report` and `assay diff`.
 *
 * Every string that may come from a results file goes through html_text, in text and in
 * attribute values alike. Nothing here knows about results; report_html.c and diff_html.c
 * lay the pages out.
 */
#include "html.h"

#include <math.h>
#include <string.h>

static const char stylesheet[] =
    ":root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--head:#f6f8fa}\n"
    "*{box-sizing:border-box}\n"
    "body{font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,Arial,sans-serif;"
    "color:var(--fg);background:#fff;margin:0 auto;max-width:1120px;padding:24px}\n"
    "h1{font-size:24px;margin:0 0 4px}\n"
    "h2{font-size:20px;border-bottom:2px solid var(--fg);padding-bottom:4px;margin:44px 0 "
    "8px}\n"
    "h3{font-size:16px;margin:28px 0 8px}\n"
    "h4{font-size:14px;margin:20px 0 6px}\n"
    "p{margin:6px 0}\n"
    ".meta{color:var(--muted)}\n"
    "code,.mono{font-family:ui-monospace,\"SFMono-Regular\",Menlo,Consolas,monospace;"
    "font-size:12.5px}\n"
    "table{border-collapse:collapse;margin:8px 0 16px;font-variant-numeric:tabular-nums}\n"
    "th,td{border-bottom:1px solid var(--line);padding:3px 8px;text-align:left;"
    "vertical-align:top}\n"
    "th{font-weight:600;background:var(--head)}\n"
    "td.n,th.n{text-align:right}\n"
    "caption{text-align:left;font-weight:600;padding:4px 0}\n"
    "figure{margin:8px 0 4px;max-width:100%;overflow-x:auto}\n"
    "figcaption{font-weight:600;margin-bottom:4px}\n"
    "svg{max-width:100%;height:auto}\n"
    "svg text{font:12px system-ui,Arial,sans-serif;fill:#1b1f24}\n"
    "svg text.in{fill:#fff}\n"
    "svg .axis{stroke:#8c959f;stroke-width:1}\n"
    "svg .mark{stroke:#1b1f24;stroke-width:2}\n"
    ".st-correct{fill:#009e73;background:#009e73}\n"
    ".st-partial{fill:#e69f00;background:#e69f00}\n"
    ".st-incorrect{fill:#d55e00;background:#d55e00}\n"
    ".st-invalid{fill:#cc79a7;background:#cc79a7}\n"
    ".st-error{fill:#555;background:#555}\n"
    ".st-absent{fill:#d0d7de;background:#d0d7de}\n"
    ".lv0{fill:#deebf7;background:#deebf7}.lv1{fill:#c6dbef;background:#c6dbef}\n"
    ".lv2{fill:#9ecae1;background:#9ecae1}.lv3{fill:#6baed6;background:#6baed6}\n"
    ".lv4{fill:#4292c6;background:#4292c6}.lv5{fill:#2171b5;background:#2171b5}\n"
    ".lv6{fill:#08519c;background:#08519c}.lv7{fill:#08306b;background:#08306b}\n"
    ".bar{fill:#4c6ef5;background:#4c6ef5}\n"
    ".up{fill:#1a7f37;background:#1a7f37}.down{fill:#cf222e;background:#cf222e}\n"
    ".sw{display:inline-block;width:11px;height:11px;margin:0 4px 0 10px;"
    "vertical-align:-1px;border:1px solid rgba(0,0,0,.25)}\n"
    ".legend{font-size:12px;margin:2px 0 8px}\n"
    ".flag{display:inline-block;border:1px solid #cf222e;color:#a40e26;border-radius:3px;"
    "padding:0 4px;font-size:12px;margin:1px 3px 1px 0;white-space:nowrap}\n"
    ".note{background:#fff8c5;border-left:3px solid #d4a72c;padding:6px 10px;margin:8px 0}\n"
    ".ans{white-space:pre-wrap;overflow-wrap:anywhere;font-family:ui-monospace,Menlo,"
    "Consolas,monospace;font-size:12.5px}\n"
    ".cc{color:#a40e26;border:1px dotted #a40e26;font-size:11px;padding:0 2px}\n"
    ".grid{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:20px;"
    "align-items:start}\n"
    ".h0{background:#fff}.h1{background:#eef4fb}.h2{background:#d6e6f5}"
    ".h3{background:#b3d0ec}.h4{background:#86b4df}.h5{background:#5b95cf;color:#fff}\n"
    ".diag{font-weight:600}.gain{color:#1a7f37}.loss{color:#cf222e}\n"
    "nav ul{columns:2;padding-left:18px}\n"
    "@media (max-width:800px){.grid{grid-template-columns:1fr}}\n"
    "@media print{body{max-width:none;padding:0;font-size:11px}nav{display:none}"
    "section.rubric{break-before:page}figure,table,.grid{break-inside:avoid}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}\n";

size_t html_utf8_char(const char *str, size_t n, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        len = 2, v = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, v = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len) {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
        return 0;
    }
    *cp = v;
    return len;
}

/* Characters an HTML document may not hold as themselves (control characters other than
 * tab, line feed, form feed and carriage return; noncharacters). */
static bool html_forbidden(uint32_t cp)
{
    if (cp < 0x20) {
        return cp != '\t' && cp != '\n' && cp != '\f' && cp != '\r';
    }
    if (cp >= 0x7f && cp <= 0x9f) {
        return true;
    }
    return (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe;
}

void html_text(FILE *f, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        /* Copy plain ASCII in one go. */
        while (run < len && p[run] >= 0x20 && p[run] < 0x7f && p[run] != '&' && p[run] != '<' &&
               p[run] != '>' && p[run] != '"' && p[run] != '\'') {
            run++;
        }
        fwrite(p + i, 1, run - i, f);
        i = run;
        if (i == len) {
            break;
        }
        uint32_t cp;
        size_t n = html_utf8_char(s + i, len - i, &cp);
        if (n == 0) {
            fputs("\xef\xbf\xbd", f); /* U+FFFD */
            i++;
            continue;
        }
        switch (cp) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            if (html_forbidden(cp)) {
                fprintf(f, "U+%04X", (unsigned)cp);
            } else {
                fwrite(p + i, 1, n, f);
            }
        }
        i += n;
    }
}

void html_str(FILE *f, const char *s)
{
    if (s) {
        html_text(f, s, strlen(s));
    }
}

void html_num(FILE *f, double v, int decimals)
{
    if (!isfinite(v)) {
        fputs("n/a", f);
        return;
    }
    /* No "-0.00". */
    double scale = pow(10, decimals);
    if (fabs(v) * scale < 0.5) {
        v = 0;
    }
    fprintf(f, "%.*f", decimals, v);
}

void html_pct(FILE *f, uint64_t part, uint64_t whole)
{
    html_num(f, whole ? 100.0 * (double)part / (double)whole : 0.0, 1);
    fputc('%', f);
}

void html_begin(FILE *f, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; img-src data:\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>",
          f);
    html_str(f, title);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", stylesheet);
}

void html_end(FILE *f)
{
    fputs("</body>\n</html>\n", f);
}

void html_new_id(char buf[16])
{
    static unsigned long next;
    snprintf(buf, 16, "c%lu", ++next);
}

const char *html_level_class(size_t i, size_t n)
{
    static const char *const ramp[] = {"lv0", "lv1", "lv2", "lv3", "lv4", "lv5", "lv6", "lv7"};
    if (n <= 1) {
        return ramp[4];
    }
    /* Spread the levels over the ramp, keeping its lightest shade for the lowest. */
    size_t k = (i * 7 + (n - 1) / 2) / (n - 1);
    return ramp[k > 7 ? 7 : k];
}

/* Is the fill of this class dark (white text reads on it)? */
static bool dark(const char *cls)
{
    static const char *const darks[] = {"st-correct", "st-incorrect", "st-error", "lv4",
                                        "lv5",        "lv6",          "lv7",      "bar",
                                        "up",         "down"};
    for (size_t i = 0; i < sizeof(darks) / sizeof(*darks); i++) {
        if (strcmp(cls, darks[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* Opens an <svg> with its title and description. */
static void svg_open(FILE *f, int w, int h, const char *title, const char *desc)
{
    char tid[16], did[16];
    html_new_id(tid);
    html_new_id(did);
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" aria-labelledby=\"%s %s\">\n<title id=\"%s\">",
            w, h, w, h, tid, did, tid);
    html_str(f, title);
    fprintf(f, "</title>\n<desc id=\"%s\">", did);
    html_str(f, desc);
    fputs("</desc>\n", f);
}

/* A label cut to at most max characters (an ellipsis marks the cut), escaped. */
static void svg_label(FILE *f, const char *s, size_t max)
{
    size_t len = strlen(s), chars = 0, i = 0;
    while (i < len && chars < max) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80) {
            i++;
        }
        chars++;
    }
    html_text(f, s, i);
    if (i < len) {
        fputs("\xe2\x80\xa6", f); /* U+2026 */
    }
}

void html_bars(FILE *f, const char *title, const char *desc, const char *const *labels,
               const uint64_t *counts, size_t n)
{
    const int left = 48, top = 16, plot_h = 170, bottom = 40, bw = 52, gap = 8;
    int w = left + (int)n * (bw + gap) + 16, h = top + plot_h + bottom;
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++) {
        max = counts[i] > max ? counts[i] : max;
    }
    svg_open(f, w, h, title, desc);
    int base = top + plot_h;
    fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", left, base,
            w - 8, base);
    fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", left, top,
            left, base);
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n", left - 6, base + 4);
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%llu</text>\n", left - 6, top + 4,
            (unsigned long long)max);
    for (size_t i = 0; i < n; i++) {
        int x = left + gap + (int)i * (bw + gap);
        double frac = max ? (double)counts[i] / (double)max : 0;
        int bh = (int)lround(frac * plot_h);
        if (counts[i] > 0 && bh < 1) {
            bh = 1;
        }
        fprintf(f, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n", x,
                base - bh, bw, bh);
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%llu</text>\n", x + bw / 2,
                base - bh - 4, (unsigned long long)counts[i]);
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x + bw / 2, base + 16);
        svg_label(f, labels[i], 12);
        fputs("</text>\n", f);
    }
    fputs("</svg>\n", f);
}

void html_stacked(FILE *f, const char *title, const char *desc, const html_row *rows,
                  size_t nrows, const char *const *names, const char *const *classes,
                  size_t nseg)
{
    /* A single unlabelled bar (a competency's levels) takes the whole width. */
    bool labels = !(nrows == 1 && rows[0].label[0] == '\0');
    const int label_w = labels ? 190 : 0, bar_w = labels ? 520 : 600, row_h = 24, top = 8;
    int w = label_w + bar_w + 16, h = top + (int)nrows * row_h + 12;
    svg_open(f, w, h, title, desc);
    for (size_t r = 0; r < nrows; r++) {
        const html_row *row = &rows[r];
        int y = top + (int)r * row_h;
        uint64_t sum = 0;
        for (size_t s = 0; s < nseg; s++) {
            sum += row->values[s];
        }
        if (labels) {
            fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", label_w - 8, y + 15);
            svg_label(f, row->label, 26);
            fputs("</text>\n", f);
        }
        if (sum == 0) {
            fprintf(
                f, "<rect class=\"st-absent\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\"/>\n",
                label_w, y + 2, bar_w);
            continue;
        }
        double x = label_w, mark_x = -1;
        for (size_t s = 0; s < nseg; s++) {
            double sw = (double)bar_w * (double)row->values[s] / (double)sum;
            if (row->mark && s == row->mark) {
                mark_x = x;
            }
            if (row->values[s] > 0) {
                fprintf(f,
                        "<rect class=\"%s\" x=\"%.2f\" y=\"%d\" width=\"%.2f\" "
                        "height=\"18\"><title>",
                        classes[s], x, y + 2, sw);
                html_str(f, names[s]);
                fprintf(f, ": %llu</title></rect>\n", (unsigned long long)row->values[s]);
                int digits = snprintf(NULL, 0, "%llu", (unsigned long long)row->values[s]);
                if (sw >= 8.0 * digits + 6) {
                    fprintf(f,
                            "<text%s x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">%llu</text>\n",
                            dark(classes[s]) ? " class=\"in\"" : "", x + sw / 2, y + 15,
                            (unsigned long long)row->values[s]);
                }
            }
            x += sw;
        }
        if (mark_x >= 0) {
            fprintf(f, "<line class=\"mark\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"/>\n",
                    mark_x, y, mark_x, y + 22);
        }
    }
    fputs("</svg>\n<div class=\"legend\">", f);
    for (size_t s = 0; s < nseg; s++) {
        fprintf(f, "<span class=\"sw %s\"></span>", classes[s]);
        html_str(f, names[s]);
    }
    if (nrows && rows[0].mark && rows[0].mark_label) {
        fputs(" &#160; <b>|</b> ", f);
        html_str(f, rows[0].mark_label);
    }
    fputs("</div>\n", f);
}

void html_hbars(FILE *f, const char *title, const char *desc, const char *const *labels,
                const uint64_t *values, const char *const *classes, size_t n)
{
    const int label_w = 190, bar_w = 440, row_h = 24, top = 8;
    int w = label_w + bar_w + 70, h = top + (int)n * row_h + 12;
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++) {
        max = values[i] > max ? values[i] : max;
    }
    svg_open(f, w, h, title, desc);
    fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", label_w, top,
            label_w, top + (int)n * row_h);
    for (size_t i = 0; i < n; i++) {
        int y = top + (int)i * row_h;
        double bw = max ? (double)bar_w * (double)values[i] / (double)max : 0;
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", label_w - 8, y + 15);
        svg_label(f, labels[i], 26);
        fputs("</text>\n", f);
        fprintf(f, "<rect class=\"%s\" x=\"%d\" y=\"%d\" width=\"%.2f\" height=\"18\"/>\n",
                classes[i], label_w, y + 2, bw);
        fprintf(f, "<text x=\"%.2f\" y=\"%d\">%llu</text>\n", label_w + bw + 6, y + 15,
                (unsigned long long)values[i]);
    }
    fputs("</svg>\n", f);
}
