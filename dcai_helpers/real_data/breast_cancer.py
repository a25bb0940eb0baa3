"""The Wisconsin diagnostic breast cancer records shipped with scikit-learn: real patients, for a membership attack.

Used by the closing "On real data" section of the data-privacy lab.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer

DATASHEET = """\
### Datasheet: Wisconsin diagnostic breast cancer (`sklearn.datasets.load_breast_cancer`)

**Origin.** W. N. Street, W. H. Wolberg and O. L. Mangasarian (1993), University of Wisconsin Hospitals: each record
describes the cell nuclei in a digitised image of a fine-needle aspirate of a breast mass (radius, texture,
perimeter, area, smoothness, compactness, concavity, concave points, symmetry and fractal dimension: mean, standard
error and worst value of each), with the diagnosis. Shipped with scikit-learn: nothing is downloaded.

**Size.** 569 patients, 30 numeric features, 212 malignant (37 %) and 357 benign.

**Licence.** Creative Commons Attribution 4.0 (UCI Machine Learning Repository); scikit-learn is BSD-3-Clause.

**Known problems.** The records are de-identified but real patients: whether a person's record was in a model's
training set is itself sensitive (it reveals a biopsy). The features are computed from images by a program, and the
30 are strongly correlated (radius, perimeter and area measure nearly the same thing).

**Unknown.** How the patients were selected, and whether anyone appears twice. For an attack the truth is known
only because we choose which records train the model.
"""


def load_breast_cancer_records() -> tuple[pd.DataFrame, np.ndarray]:
    """Load the 569 records.

    Returns
    -------
    X : DataFrame of shape (569, 30)
        The nuclei's measurements, with scikit-learn's feature names.
    y : ndarray of int, shape (569,)
        1 for malignant, 0 for benign (scikit-learn codes malignant as 0; flipped here so that 1 is the finding).
    """
    bunch = load_breast_cancer(as_frame=True)
    return bunch.data.copy(), (bunch.target.to_numpy() == 0).astype(int)
