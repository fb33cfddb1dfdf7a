"""kg: a knowledge graph of machine-learning literature, built from paper abstracts.

The pipeline reads one way, and the folders say it:
``loaders`` -> ``kg.extract`` -> ``kg.resolve`` -> ``kg.graph`` -> sinks
(``kg.store`` for Neo4j, ``kg.rdf``, ``kg.viz``, the JSON snapshot), with
``queries`` answered through ``kg.cli`` and ``kg.service``.

Importing this package is cheap on purpose: heavy libraries are imported by the
commands that need them, so ``kg --help`` answers at once.
"""

__version__ = "0.1.0"
