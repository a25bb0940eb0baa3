"""nbgrader's settings for everyone on the hub: which course, and where its exchange folder is.

Every user's server reads this file (jupyterhub_config.py puts this folder on ``JUPYTER_CONFIG_PATH``); on a
server of your own you may instead copy it to /etc/jupyter/nbgrader_config.py. The exchange is one folder that
every user can write, with the sticky bit, so no one can remove another's files (mode 1777):

    mkdir -p /srv/nbgrader/exchange && chmod 1777 /srv/nbgrader/exchange
"""

import os

from dcai_helpers.course.config import COURSE_ID  # the course id every dcai command uses

c = get_config()  # noqa: F821  (injected by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = COURSE_ID
# $NBGRADER_EXCHANGE names another folder (tests/test_jupyterhub.py uses a temporary one).
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE") or "/srv/nbgrader/exchange"
