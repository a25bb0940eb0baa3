"""nbgrader configuration for the course repository.

The instructor's source notebooks live in ``solutions/`` and the student release in ``labs/``.
``dcai release`` and ``dcai grade`` build their own temporary course folders from these paths,
so plain ``nbgrader`` commands run from this folder see the same layout.
"""

from dcai_helpers.course.config import COURSE_ID

c = get_config()  # noqa: F821  (injected by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = COURSE_ID
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "labs"
# Only the notebook of a lab is released; nothing else in a source folder is copied. `nbgrader collect` uses the
# same filter: it must keep a submission's timestamp and secret, without which `nbgrader release_feedback` fails
# and students cannot fetch their feedback (examples/jupyterhub/release-feedback.sh).
c.CourseDirectory.include = ["*.ipynb", "timestamp.txt", "submission_secret.txt"]
