"""Temporal adapters: the BuildWorkflow, its activities, the worker, and the embedded dev server."""
