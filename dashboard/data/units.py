"""Units shared by the data checks, the tables and the figures."""

#: International mile in kilometres (exact, by definition since 1959).
KM_PER_MILE = 1.609344
