/*
 * test_version.c - the generated <assay/version.h> agrees with the project's version in
 * meson.build (passed as PROJECT_VERSION) and with the library linked (assay_version()).
 */
#include "tap.h"

#include <assay/assay.h>

#include <stdio.h>

int main(void)
{
    ASSERT_STR_EQ(ASSAY_VERSION_STRING, PROJECT_VERSION);
    ASSERT_STR_EQ(assay_version(), ASSAY_VERSION_STRING);
    char parts[64];
    snprintf(parts, sizeof(parts), "%d.%d.%d", ASSAY_VERSION_MAJOR, ASSAY_VERSION_MINOR,
             ASSAY_VERSION_PATCH);
    ASSERT_STR_EQ(parts, ASSAY_VERSION_STRING);
    return tap_done();
}
