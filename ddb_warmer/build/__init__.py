"""What builds and checks this repository: bootstrap, tool environment, pinned versions, the Lambda
package, the checkov and Terragrunt runners.

The bottom layer: imports nothing else of `ddb_warmer`. The bootstrap and the
package build run before any virtual environment exists, so they use the
standard library only.
"""
