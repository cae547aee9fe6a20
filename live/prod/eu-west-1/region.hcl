# prod's home region. A region's facts live in its own region.hcl; every unit
# under live/prod/<region>/ reads the nearest one.
locals {
  aws_region = "eu-west-1"
}
