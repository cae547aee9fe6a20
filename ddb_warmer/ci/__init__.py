"""What the GitHub workflows run: affected environments, plans and their comment, apply, drift issues.

For the workflows in .github/. The YAML stays thin; the logic lives here, tested
locally against real emulator plans. May import `build`; never `ops` or `local`.
"""
