"""Beginner mistakes in dataset_curation; each must fail its exercise's public test, naming the rule."""

from labrun import Mistake

VOTE = "def majority_vote(labels_multiannotator, n_classes):\n"
AGREEMENT = (
    "def annotator_agreement(labels_multiannotator, consensus_labels):\n"
    "    is_labelled = ~np.isnan(labels_multiannotator)\n"
    "    agrees = (labels_multiannotator == np.asarray(consensus_labels)[:, None]).sum(axis=0)\n"
)
M_STEP = (
    "def m_step(labels_multiannotator, posteriors, smoothing=0.01):\n"
    "    n_classes = posteriors.shape[1]\n"
    "    one_hot = np.stack([labels_multiannotator == k for k in range(n_classes)], axis=2).astype(float)\n"
)
M_STEP_COUNTS = "    soft_counts = np.einsum('ik,ijl->jkl', posteriors, one_hot)\n"
E_STEP = (
    "def e_step(labels_multiannotator, class_priors, confusion):\n"
    "    n_examples, n_annotators = labels_multiannotator.shape\n"
)
E_STEP_LOG = (
    "    log_posteriors = np.tile(np.log(class_priors), (n_examples, 1))\n"
    "    for j in range(n_annotators):\n"
    "        labelled = ~np.isnan(labels_multiannotator[:, j])\n"
    "        given = labels_multiannotator[labelled, j].astype(int)\n"
    "        log_posteriors[labelled] += np.log(confusion[j][:, given]).T\n"
)
NORMALISE = "    return posteriors / posteriors.sum(axis=1, keepdims=True)\n"
ACCURACY = "def estimated_accuracy(class_priors, confusion):\n"
DUPLICATES = "def find_cross_split_duplicates(X_train, X_test, max_distance):\n"

MISTAKES = {
    "test_majority_vote": [
        Mistake(
            what="breaks ties toward the largest class",
            rule="Break ties toward the smallest class",
            answers={
                "majority_vote": VOTE
                + "    votes = np.stack([(labels_multiannotator == k).sum(axis=1) for k in range(n_classes)], axis=1)\n"
                "    return n_classes - 1 - votes[:, ::-1].argmax(axis=1)\n"
            },
        ),
        Mistake(
            what="off by one: counts only the classes 0 .. n_classes - 2",
            rule="most frequent non-missing label",
            answers={
                "majority_vote": VOTE + "    counted = range(n_classes - 1)\n"
                "    votes = np.stack([(labels_multiannotator == k).sum(axis=1) for k in counted], axis=1)\n"
                "    return votes.argmax(axis=1)\n"
            },
        ),
        Mistake(
            what="turns NaN into a vote for class 0",
            rule="most frequent non-missing label",
            answers={
                "majority_vote": VOTE + "    filled = np.nan_to_num(labels_multiannotator, nan=0.0)\n"
                "    votes = np.stack([(filled == k).sum(axis=1) for k in range(n_classes)], axis=1)\n"
                "    return votes.argmax(axis=1)\n"
            },
        ),
        Mistake(
            what="argmax over the wrong axis (one answer per class)",
            rule="the argmax along axis=1 (over the classes), not along axis=0",
            answers={
                "majority_vote": VOTE
                + "    votes = np.stack([(labels_multiannotator == k).sum(axis=1) for k in range(n_classes)], axis=1)\n"
                "    return votes.argmax(axis=0)\n"
            },
        ),
        Mistake(
            what="returns float labels (the NaN-aware mode)",
            rule="expected integer labels",
            answers={
                "majority_vote": VOTE + "    from scipy.stats import mode\n"
                "    return mode(labels_multiannotator, axis=1, nan_policy='omit').mode.astype(float)\n"
            },
        ),
    ],
    "test_annotator_agreement": [
        Mistake(
            what="divides by the number of examples, not by the number each annotator labelled",
            rule="Divide by the number of images each annotator labelled",
            answers={"annotator_agreement": AGREEMENT + "    return agrees / len(labels_multiannotator)\n"},
        ),
        Mistake(
            what="gives 0 instead of NaN to an annotator who labelled nothing",
            rule="An annotator who labelled nothing gets NaN",
            answers={"annotator_agreement": AGREEMENT + "    return agrees / np.maximum(is_labelled.sum(axis=0), 1)\n"},
        ),
        Mistake(
            what="agreement per example (row) instead of per annotator (column)",
            rule="Return one number per annotator (column)",
            answers={
                "annotator_agreement": AGREEMENT
                + "    agrees = (labels_multiannotator == np.asarray(consensus_labels)[:, None]).sum(axis=1)\n"
                "    return agrees / is_labelled.sum(axis=1)\n"
            },
        ),
    ],
    "test_m_step": [
        Mistake(
            what="forgets the smoothing",
            rule="Add `smoothing` to every cell of the soft counts",
            answers={
                "m_step": M_STEP
                + M_STEP_COUNTS
                + "    confusion = soft_counts / soft_counts.sum(axis=2, keepdims=True)\n"
                "    return posteriors.mean(axis=0), confusion\n"
            },
        ),
        Mistake(
            what="adds the smoothing after normalising (then normalises again)",
            rule="Add `smoothing` to every cell of the soft counts",
            answers={
                "m_step": M_STEP
                + M_STEP_COUNTS
                + "    confusion = soft_counts / soft_counts.sum(axis=2, keepdims=True) + smoothing\n"
                "    return posteriors.mean(axis=0), confusion / confusion.sum(axis=2, keepdims=True)\n"
            },
        ),
        Mistake(
            what="default smoothing 0 instead of 0.01",
            rule="The default smoothing must be 0.01",
            answers={
                "m_step": M_STEP.replace("smoothing=0.01", "smoothing=0.0")
                + M_STEP_COUNTS
                + "    soft_counts = soft_counts + smoothing\n"
                "    return posteriors.mean(axis=0), soft_counts / soft_counts.sum(axis=2, keepdims=True)\n"
            },
        ),
        Mistake(
            what="normalises over the true classes (axis 1) instead of the given labels",
            rule="normalise each row (true class) over the given labels",
            answers={
                "m_step": M_STEP + M_STEP_COUNTS + "    soft_counts = soft_counts + smoothing\n"
                "    return posteriors.mean(axis=0), soft_counts / soft_counts.sum(axis=1, keepdims=True)\n"
            },
        ),
        Mistake(
            what="confusion indexed [annotator, given label, true class] (transposed)",
            rule="normalise each row (true class) over the given labels",
            answers={
                "m_step": M_STEP + "    soft_counts = np.einsum('ik,ijl->jlk', posteriors, one_hot) + smoothing\n"
                "    return posteriors.mean(axis=0), soft_counts / soft_counts.sum(axis=2, keepdims=True)\n"
            },
        ),
        Mistake(
            what="class priors summed, not averaged",
            rule="Average the posteriors over examples",
            answers={
                "m_step": M_STEP + M_STEP_COUNTS + "    soft_counts = soft_counts + smoothing\n"
                "    return posteriors.sum(axis=0), soft_counts / soft_counts.sum(axis=2, keepdims=True)\n"
            },
        ),
    ],
    "test_e_step": [
        Mistake(
            what="multiplies probabilities directly (underflows with many annotators)",
            rule="Multiply in log space",
            answers={
                "e_step": E_STEP + "    posteriors = np.tile(class_priors.astype(float), (n_examples, 1))\n"
                "    for j in range(n_annotators):\n"
                "        labelled = ~np.isnan(labels_multiannotator[:, j])\n"
                "        given = labels_multiannotator[labelled, j].astype(int)\n"
                "        posteriors[labelled] *= confusion[j][:, given].T\n" + NORMALISE
            },
        ),
        Mistake(
            what="log space, but no subtraction of the row maximum before exponentiating",
            rule="subtract each row's maximum",
            answers={"e_step": E_STEP + E_STEP_LOG + "    posteriors = np.exp(log_posteriors)\n" + NORMALISE},
        ),
        Mistake(
            what="treats a missing label (NaN) as the label 0",
            rule="skip annotators who did not label the example",
            answers={
                "e_step": E_STEP + "    filled = np.nan_to_num(labels_multiannotator, nan=0.0).astype(int)\n"
                "    log_posteriors = np.tile(np.log(class_priors), (n_examples, 1))\n"
                "    for j in range(n_annotators):\n"
                "        log_posteriors += np.log(confusion[j][:, filled[:, j]]).T\n"
                "    log_posteriors -= log_posteriors.max(axis=1, keepdims=True)\n"
                "    posteriors = np.exp(log_posteriors)\n" + NORMALISE
            },
        ),
        Mistake(
            what="uses row `label` of the confusion matrix instead of column `label`",
            rule="Use column `label` of each annotator's confusion matrix",
            answers={
                "e_step": E_STEP
                + E_STEP_LOG.replace("confusion[j][:, given]).T", "confusion[j][given, :])")
                + "    log_posteriors -= log_posteriors.max(axis=1, keepdims=True)\n"
                "    posteriors = np.exp(log_posteriors)\n" + NORMALISE
            },
        ),
        Mistake(
            what="forgets to normalise the rows",
            rule="each row must sum to 1",
            answers={
                "e_step": E_STEP
                + E_STEP_LOG
                + "    return np.exp(log_posteriors - log_posteriors.max(axis=1, keepdims=True))\n"
            },
        ),
    ],
    "test_estimated_accuracy": [
        Mistake(
            what="one number per class instead of per annotator",
            rule="Return one number per annotator",
            answers={"estimated_accuracy": ACCURACY + "    return np.einsum('k,jkk->k', class_priors, confusion)\n"},
        ),
        Mistake(
            what="unweighted mean of the diagonal, ignoring the class priors",
            rule="Weight the diagonal of each confusion matrix by the class priors",
            answers={
                "estimated_accuracy": ACCURACY + "    return np.diagonal(confusion, axis1=1, axis2=2).mean(axis=1)\n"
            },
        ),
        Mistake(
            what="weights whole rows instead of the diagonal",
            rule="Weight the diagonal of each confusion matrix by the class priors",
            answers={"estimated_accuracy": ACCURACY + "    return np.einsum('k,jkl->j', class_priors, confusion)\n"},
        ),
    ],
    "test_find_cross_split_duplicates": [
        Mistake(
            what="strictly closer than max_distance (<), dropping pairs at exactly max_distance",
            rule="Euclidean distance at most max_distance",
            answers={
                "find_cross_split_duplicates": DUPLICATES
                + "    return np.argwhere(cdist(X_train, X_test) < max_distance)\n"
            },
        ),
        Mistake(
            what="compares the squared distance with max_distance",
            rule="Euclidean distance at most max_distance",
            answers={
                "find_cross_split_duplicates": DUPLICATES
                + "    return np.argwhere(cdist(X_train, X_test, 'sqeuclidean') <= max_distance)\n"
            },
        ),
        Mistake(
            what="pairs sorted by test index",
            rule="sorted by train index, then test index",
            answers={
                "find_cross_split_duplicates": DUPLICATES
                + "    return np.argwhere(cdist(X_test, X_train) <= max_distance)[:, ::-1]\n"
            },
        ),
        Mistake(
            what="pairs given as (test_index, train_index)",
            rule="Return one row (train_index, test_index) per pair",
            answers={
                "find_cross_split_duplicates": DUPLICATES
                + "    return np.argwhere(cdist(X_test, X_train) <= max_distance)\n"
            },
        ),
        Mistake(
            what="a list of pairs, which is shape (0,) when there is none",
            rule="an empty array of shape (0, 2)",
            answers={
                "find_cross_split_duplicates": DUPLICATES + "    distances = cdist(X_train, X_test)\n"
                "    pairs = [[i, j] for i in range(len(X_train)) for j in range(len(X_test))\n"
                "             if distances[i, j] <= max_distance]\n"
                "    return np.array(pairs)\n"
            },
        ),
    ],
}
