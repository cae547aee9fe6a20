"""What the GitHub workflows run: affected environments, plans and their comment, drift issues.

The YAML stays thin; the logic lives here, tested locally against real emulator plans.
"""
