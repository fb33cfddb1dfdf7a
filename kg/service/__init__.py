"""The HTTP query service (``kg serve``): named queries, read-only Cypher, search and documents.

``kg.service.app.create_app(config)`` builds the FastAPI application; nothing heavy is
imported from this package's top, so ``kg --help`` stays instant.
"""
