"""Framework-free code: no Django imports here (an import-linter contract enforces it).

Everything in this package can run in a worker, a CLI or a Spark job.
"""
