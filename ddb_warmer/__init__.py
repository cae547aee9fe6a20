"""Tooling around the DynamoDB warmer: bootstrap, local emulator, demo, checks."""
