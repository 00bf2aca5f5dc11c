"""The build steps as plain async functions; local.py runs them in-process for `kiln build`."""
