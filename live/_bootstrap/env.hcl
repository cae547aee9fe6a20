# Account-level resources applied once by an admin, not by the workflows.
locals {
  environment = "bootstrap"
}
