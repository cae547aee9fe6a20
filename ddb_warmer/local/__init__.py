"""The local AWS: the moto emulator server and its additions, seeding existing tables, the demo and its report.

For developers and the tests. May import `build` and `ops` (the demo ends with
doctor); never `ci`.
"""
