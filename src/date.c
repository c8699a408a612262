/* date: see date.h. */
#include "date.h"

#include <stdlib.h>
#include <string.h>

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days[m - 1];
}

bool date_parse(const char *s, int *y, int *m, int *d)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int yy = atoi(s), mm = atoi(s + 5), dd = atoi(s + 8);
    if (yy < DATE_MIN_YEAR || yy > DATE_MAX_YEAR || mm < 1 || mm > 12 || dd < 1 ||
        dd > days_in_month(yy, mm))
        return false;
    *y = yy, *m = mm, *d = dd;
    return true;
}

int date_year_outside(const char *year4)
{
    int y = 0;
    for (int i = 0; i < 4; i++) {
        if (year4[i] < '0' || year4[i] > '9')
            return -1;
        y = 10 * y + (year4[i] - '0');
    }
    return y < DATE_MIN_YEAR || y > DATE_MAX_YEAR ? y : -1;
}

const char *date_month_genitive(int m)
{
    static const char *const names[] = {"января",   "февраля", "марта",  "апреля",
                                        "мая",      "июня",    "июля",   "августа",
                                        "сентября", "октября", "ноября", "декабря"};
    return m >= 1 && m <= 12 ? names[m - 1] : "";
}
