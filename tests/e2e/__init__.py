"""End-to-end tests: the real app in a real (Debian) Chromium, loopback only."""
