// The same trick as pulumi-auth0's provider/shim: a module whose path sits under
// github.com/auth0/terraform-provider-auth0, so Go's internal-package rule lets it import
// internal/provider (the Terraform provider exports nothing else).
module github.com/auth0/terraform-provider-auth0/shim

go 1.25.8

require (
	github.com/auth0/terraform-provider-auth0 v1.44.0
	github.com/hashicorp/terraform-plugin-sdk/v2 v2.38.2
)
