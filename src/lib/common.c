/* SPDX-License-Identifier: MIT */
/* Providers, severities and RFC 3339 times. */
#include "nhi/common.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const provider_names[NHI_PROVIDER_COUNT] = {
    "aws", "gcp", "azure", "kubernetes"};

static const char *const severity_names[NHI_SEVERITY_COUNT] = {
    "critical", "high", "medium", "low", "info"};

const char *nhi_provider_name(nhi_provider provider)
{
    return (unsigned)provider < NHI_PROVIDER_COUNT ? provider_names[provider]
                                                   : "unknown";
}

int nhi_provider_from_name(const char *name)
{
    for (int i = 0; i < NHI_PROVIDER_COUNT; i++)
        if (strcmp(provider_names[i], name) == 0)
            return i;
    return -1;
}

const char *nhi_severity_name(nhi_severity severity)
{
    return (unsigned)severity < NHI_SEVERITY_COUNT ? severity_names[severity]
                                                   : "unknown";
}

int nhi_severity_from_name(const char *name)
{
    for (int i = 0; i < NHI_SEVERITY_COUNT; i++)
        if (strcmp(severity_names[i], name) == 0)
            return i;
    return -1;
}

static bool read_digits(const char **cursor, int count, int *out)
{
    int value = 0;

    for (int i = 0; i < count; i++) {
        char digit = (*cursor)[i];
        if (digit < '0' || digit > '9')
            return false;
        value = value * 10 + (digit - '0');
    }
    *cursor += count;
    *out = value;
    return true;
}

/* Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t year, unsigned month, unsigned day)
{
    int64_t era;
    unsigned year_of_era, day_of_year, day_of_era;

    year -= month <= 2;
    era = (year >= 0 ? year : year - 399) / 400;
    year_of_era = (unsigned)(year - era * 400);
    day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 +
                 day_of_year;
    return era * 146097 + (int64_t)day_of_era - 719468;
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

    return month == 2 && leap ? 29 : days[month - 1];
}

bool nhi_time_parse(const char *text, nhi_time *out)
{
    const char *cursor = text;
    int year, month, day, hour = 0, minute = 0, second = 0, offset = 0;

    if (!read_digits(&cursor, 4, &year) || *cursor++ != '-' ||
        !read_digits(&cursor, 2, &month) || *cursor++ != '-' ||
        !read_digits(&cursor, 2, &day))
        return false;
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
        return false;

    if (*cursor == 'T' || *cursor == 't' || *cursor == ' ') {
        cursor++;
        if (!read_digits(&cursor, 2, &hour) || *cursor++ != ':' ||
            !read_digits(&cursor, 2, &minute) || *cursor++ != ':' ||
            !read_digits(&cursor, 2, &second))
            return false;
        if (hour > 23 || minute > 59 || second > 60)
            return false;
        if (*cursor == '.') {
            cursor++;
            if (*cursor < '0' || *cursor > '9')
                return false;
            while (*cursor >= '0' && *cursor <= '9')
                cursor++;
        }
        if (*cursor == 'Z' || *cursor == 'z') {
            cursor++;
        } else if (*cursor == '+' || *cursor == '-') {
            int sign = *cursor++ == '-' ? -1 : 1, hours, minutes;
            if (!read_digits(&cursor, 2, &hours) || *cursor++ != ':' ||
                !read_digits(&cursor, 2, &minutes) || hours > 23 ||
                minutes > 59)
                return false;
            offset = sign * (hours * 3600 + minutes * 60);
        } else {
            return false;
        }
    }
    if (*cursor != '\0')
        return false;

    *out = days_from_civil(year, (unsigned)month, (unsigned)day) * NHI_DAY +
           hour * 3600 + minute * 60 + second - offset;
    return true;
}

void nhi_time_format(nhi_time time, char *buffer, unsigned size)
{
    time_t seconds = (time_t)time;
    struct tm parts;

    if (time == NHI_TIME_UNKNOWN || gmtime_r(&seconds, &parts) == NULL) {
        snprintf(buffer, size, "unknown");
        return;
    }
    strftime(buffer, size, "%Y-%m-%dT%H:%M:%SZ", &parts);
}
