#!/bin/bash
# Grade a class on Slurm, from the folder that holds the submissions: an array of SHARDS grading tasks, then the
# merge, which waits until every task has succeeded. Prints the two job ids.
#
#     SHARDS=4 SOLUTIONS=~/private/solutions path/to/examples/slurm/submit.sh
#
# LAB (label_errors), SUBMISSIONS (submissions.zip) and SOLUTIONS (~/private/solutions) reach the jobs through
# sbatch's environment; dcai must be on PATH (activate the course's venv first).
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
shards=${SHARDS:-4}
grade=$(sbatch --parsable --array="0-$((shards - 1))" "$here/grade.sbatch")
merge=$(sbatch --parsable --dependency="afterok:$grade" --export="ALL,SHARDS=$shards" "$here/merge.sbatch")
echo "$grade $merge"
