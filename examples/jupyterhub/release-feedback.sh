#!/usr/bin/env bash
# Hand the feedback of `dcai grade` back to students through nbgrader's exchange. Run it in the nbgrader course
# folder, after `nbgrader collect LAB` and `dcai grade LAB submitted --out GRADED`:
#
#     release-feedback.sh label_errors grading/label_errors
#
# nbgrader finds a student's feedback by a secret of their submission: each feedback page gets the
# timestamp.txt and submission_secret.txt that `nbgrader collect` left beside the submission, then
# `nbgrader release_feedback` puts the pages into the exchange, where each student fetches only their own.
set -euo pipefail
if [ $# -ne 2 ]; then
    echo "usage: $0 LAB GRADED   (in the course folder; GRADED is dcai grade's --out)" >&2
    exit 2
fi
lab=$1
graded=$(cd "$2" && pwd)
for page in "$graded"/feedback/*/"$lab/$lab.html"; do
    [ -e "$page" ] || continue
    folder=$(dirname "$page")
    student=$(basename "$(dirname "$folder")")
    submission="submitted/$student/$lab"
    if [ ! -f "$submission/submission_secret.txt" ]; then
        echo "$student: no $submission/submission_secret.txt (not submitted through the exchange); not released" >&2
        continue
    fi
    cp "$submission/timestamp.txt" "$submission/submission_secret.txt" "$folder/"
done
nbgrader release_feedback "$lab" --CourseDirectory.root="$graded"
