"""Intake: settings, storage, the queue and its jobs, the pipeline, evidence, the CLI.

Imports :mod:`extractors` and :mod:`validators`; never :mod:`api`.
"""
