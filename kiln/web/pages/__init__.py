"""The dashboard's pages, one module per area (session, workspaces, apps, builds, registries,
quota); every route renders HTML and answers form posts with a redirect."""
