// Package shim exposes the Terraform Auth0 provider to the Pulumi bridge, exactly as
// pulumi/pulumi-auth0's provider/shim/shim.go does.
package shim

import (
	"github.com/auth0/terraform-provider-auth0/internal/provider"
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
)

func NewProvider() *schema.Provider {
	return provider.New()
}
