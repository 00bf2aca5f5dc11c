"""Build plans: the model, the base-image catalog, and rendering to a Dockerfile."""
