"""Every user's Jupyter server on the hub reads this (jupyterhub_config.py puts this folder on JUPYTER_CONFIG_PATH)."""

c = get_config()  # noqa: F821  (injected by traitlets when the server loads this file)

# A terminal runs bash as a plain interactive shell, not a login shell: a login shell reads /etc/profile, which
# resets PATH and would hide the course's `dcai` and `nbgrader` that the hub put first on it.
c.ServerApp.terminado_settings = {"shell_command": ["/bin/bash"]}
