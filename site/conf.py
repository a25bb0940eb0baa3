"""Sphinx configuration of the course site for self-learners (``make site``).

``dcai_helpers.authoring.site`` stages the sources (the solutions without their hidden tests, the student
notebooks, the index) into a build folder and runs Sphinx there with ``-c site``; nothing here names a lab.
The build is offline: no intersphinx, no notebook execution, the theme's assets ship with the package.
"""

project = "Data-centric AI labs"
author = "The data-centric AI labs authors"
copyright = "the data-centric AI labs authors"  # noqa: A001 (Sphinx's name for it)

extensions = ["myst_nb"]
# The staged student notebooks are downloads, not pages.
exclude_patterns = ["student/**", "_build", "**.ipynb_checkpoints"]

# Show the committed outputs; never run a notebook (the outputs are what nbval proves reproducible).
nb_execution_mode = "off"
# tqdm writes its bars to stderr: noise on a page, so drop it.
nb_output_stderr = "remove"
nb_merge_streams = True
# $...$ and $$...$$ formulas in the Markdown cells, as Jupyter renders them.
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

html_theme = "sphinx_book_theme"
html_title = "Data-centric AI labs"
html_last_updated_fmt = None
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
}
