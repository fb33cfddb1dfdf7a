"""Fuzz targets for the loaders, shared by the fast property tests and the slow bounded run.

``documents`` builds input files of every format from generated records full of hostile
text (and can mutate them byte by byte); ``harness`` reads such a file the way ``kg build``
does and checks the loaders' promise: every failure is a ``Problem`` line or an
``InputError``, never another exception, a hang or a record that vanishes unreported.
"""
