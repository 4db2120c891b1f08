"""The tables of ISO 2859-1:1999 single sampling as data: Table I (sample size code letters) and Tables II-A, II-B
and II-C (the plans for normal, tightened and reduced inspection), with nothing else in this file.

The master tables are written the way the standard prints them: one row per code letter, one column per AQL, each
cell the row's own acceptance number Ac (the rejection number is always Ac + 1) or an arrow, `v` or `^`: use the
first plan below or above it in the same column, with that plan's sample size. `.` is a blank cell (the tightened
table's letter S has a plan only at AQL 0.025 and is reached only through arrows).

Sources, compared cell by cell (every cell of Table I and of the three master tables, resolved):
- A: MIL-STD-105E / ANSI/ASQ Z1.4 as encoded, arrows resolved, by the R package AQLSchemes
  (github.com/fjgonzalezmgt/AQLSchemesCust, R/AAZ14Single.R).
- B: GB/T 2828.1-2012, the identical Chinese adoption of ISO 2859-1:1999, transcribed from the standard's pages
  (github.com/nihantao-crosis/quality-platform, src/core/aql.ts and its fixtures; its errata are listed there).
- Spot checks: the manual of the AQL Inspector's Rule (aqlinspectorsrule.com), worked examples in its ANSI and ISO
  versions.
What they say:
- Table I and Table II-A: A and B agree everywhere.
- Table II-B: A and B agree except code letter A at AQL 10, where A (105E) and the Inspector's Rule manual's note
  have an arrow down to D (n 8, Ac 1) and B (ISO) has A's own plan (n 2, Ac 0), where the table's diagonal puts it.
  We follow the ISO table.
- Table II-C differs on purpose: ISO 2859-1:1999 redesigned reduced inspection. 105E's reduced plans leave a gap
  between Ac and Re (0/2, 1/3, 1/4, 2/5, 3/6, 5/8, 7/10, 10/13; a count inside the gap accepts the lot but reinstates
  normal inspection); the ISO plans have Re = Ac + 1 (the 0/2 cells became arrows and the acceptance numbers run
  1, 2, 3, 5, 6, 8, 10). We use the ISO table. The manual's ISO example (code G at AQL 1.0: arrows to J, n 32, Ac 1,
  Re 2) agrees with B, its ANSI example (H, n 20, Ac 0, Re 2) with A. None of the sources names a 2015 edition of
  ISO 2859-1; the change to reduced inspection is the 1999 one.
"""

# The preferred AQLs, as the tables head their columns; up to 10 in percent nonconforming, above in nonconformities
# per 100 items.
AQL_LABELS = ("0.010", "0.015", "0.025", "0.040", "0.065", "0.10", "0.15", "0.25", "0.40", "0.65", "1.0", "1.5",
              "2.5", "4.0", "6.5", "10", "15", "25", "40", "65", "100", "150", "250", "400", "650", "1000")
AQLS = tuple(float(label) for label in AQL_LABELS)

LEVELS = ("S-1", "S-2", "S-3", "S-4", "I", "II", "III")

# Table I: the largest lot of each range (None: no limit) and its code letter for each level, in LEVELS order.
CODE_LETTERS = (
    (8, "AAAAAAB"), (15, "AAAAABC"), (25, "AABBBCD"), (50, "ABBCCDE"), (90, "BBCCCEF"), (150, "BBCDDFG"),
    (280, "BCDEEGH"), (500, "BCDEFHJ"), (1200, "CCEFGJK"), (3200, "CDEGHKL"), (10_000, "CDFGJLM"),
    (35_000, "CDFHKMN"), (150_000, "DEGJLNP"), (500_000, "DEGJMPQ"), (None, "DEHKNQR"),
)

_NORMAL_N = (2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800, 1250, 2000)
SAMPLE_SIZES = {  # per code letter of each table; reduced inspection has its own, smaller series
    "normal": dict(zip("ABCDEFGHJKLMNPQR", _NORMAL_N, strict=True)),
    "tightened": dict(zip("ABCDEFGHJKLMNPQRS", (*_NORMAL_N, 3150), strict=True)),
    "reduced": dict(zip("ABCDEFGHJKLMNPQR", (2, 2, 2, 3, 5, 8, 13, 20, 32, 50, 80, 125, 200, 315, 500, 800),
                        strict=True)),
}

# Tables II-A, II-B, II-C: a code letter, then one cell per AQL in AQLS order (0.010 on the left, 1000 on the right).
MASTER = {
    "normal": """
    A  v  v  v  v  v  v  v  v  v  v  v  v  v  v  0  v  v  1  2  3  5  7 10 14 21 30
    B  v  v  v  v  v  v  v  v  v  v  v  v  v  0  ^  v  1  2  3  5  7 10 14 21 30 44
    C  v  v  v  v  v  v  v  v  v  v  v  v  0  ^  v  1  2  3  5  7 10 14 21 30 44  ^
    D  v  v  v  v  v  v  v  v  v  v  v  0  ^  v  1  2  3  5  7 10 14 21 30 44  ^  ^
    E  v  v  v  v  v  v  v  v  v  v  0  ^  v  1  2  3  5  7 10 14 21 30 44  ^  ^  ^
    F  v  v  v  v  v  v  v  v  v  0  ^  v  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^
    G  v  v  v  v  v  v  v  v  0  ^  v  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^  ^
    H  v  v  v  v  v  v  v  0  ^  v  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^  ^  ^
    J  v  v  v  v  v  v  0  ^  v  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^  ^  ^  ^
    K  v  v  v  v  v  0  ^  v  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^
    L  v  v  v  v  0  ^  v  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^
    M  v  v  v  0  ^  v  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^
    N  v  v  0  ^  v  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^
    P  v  0  ^  v  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^
    Q  0  ^  v  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^
    R  ^  ^  1  2  3  5  7 10 14 21  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^
""",
    "tightened": """
    A  v  v  v  v  v  v  v  v  v  v  v  v  v  v  v  0  v  v  1  2  3  5  8 12 18 27
    B  v  v  v  v  v  v  v  v  v  v  v  v  v  v  0  v  v  1  2  3  5  8 12 18 27 41
    C  v  v  v  v  v  v  v  v  v  v  v  v  v  0  v  v  1  2  3  5  8 12 18 27 41  ^
    D  v  v  v  v  v  v  v  v  v  v  v  v  0  v  v  1  2  3  5  8 12 18 27 41  ^  ^
    E  v  v  v  v  v  v  v  v  v  v  v  0  v  v  1  2  3  5  8 12 18 27 41  ^  ^  ^
    F  v  v  v  v  v  v  v  v  v  v  0  v  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^
    G  v  v  v  v  v  v  v  v  v  0  v  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^  ^
    H  v  v  v  v  v  v  v  v  0  v  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^  ^  ^
    J  v  v  v  v  v  v  v  0  v  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^  ^  ^  ^
    K  v  v  v  v  v  v  0  v  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^
    L  v  v  v  v  v  0  v  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^
    M  v  v  v  v  0  v  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^
    N  v  v  v  0  v  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^
    P  v  v  0  v  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^
    Q  v  0  v  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^
    R  0  ^  v  1  2  3  5  8 12 18  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^
    S  .  .  1  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .  .
""",
    "reduced": """
    A  v  v  v  v  v  v  v  v  v  v  v  v  v  v  0  v  v  1  2  3  5  7 10 14 21 30
    B  v  v  v  v  v  v  v  v  v  v  v  v  v  0  ^  v  v  1  2  3  5  7 10 14 21 30
    C  v  v  v  v  v  v  v  v  v  v  v  v  0  ^  v  v  1  2  3  5  6  8 10 14 21  ^
    D  v  v  v  v  v  v  v  v  v  v  v  0  ^  v  v  1  2  3  5  6  8 10 14 21  ^  ^
    E  v  v  v  v  v  v  v  v  v  v  0  ^  v  v  1  2  3  5  6  8 10 14 21  ^  ^  ^
    F  v  v  v  v  v  v  v  v  v  0  ^  v  v  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^
    G  v  v  v  v  v  v  v  v  0  ^  v  v  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^  ^
    H  v  v  v  v  v  v  v  0  ^  v  v  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^  ^  ^
    J  v  v  v  v  v  v  0  ^  v  v  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^  ^  ^  ^
    K  v  v  v  v  v  0  ^  v  v  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^
    L  v  v  v  v  0  ^  v  v  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^
    M  v  v  v  0  ^  v  v  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^
    N  v  v  0  ^  v  v  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^
    P  v  0  ^  v  v  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^
    Q  0  ^  ^  v  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^
    R  ^  ^  ^  1  2  3  5  6  8 10  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^  ^
""",
}
