"""One way of writing dates across the site, the admin and the mails: “7 December 2026”,
“7 December 2026, 23:36”, 24-hour times (Django's English would write “Dec. 7, 2026,
11:36 p.m.” wherever a template or the admin shows a date without its own format)."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
