# prod's second region: the replicas of its global tables. Each replica has
# its own auto scaling, so each region needs its own warmer.
locals {
  aws_region = "us-east-1"
}
