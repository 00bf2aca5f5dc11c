"""Browser tests of the dashboard: headless Debian Chromium driven by Playwright."""
