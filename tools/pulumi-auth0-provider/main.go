// pulumi-resource-auth0: the peer provider of the benchmark (docs/performance.md).
//
// pulumi/pulumi-auth0's own provider module cannot be fetched here (see README.md), so this is
// the same construction from the parts the Go module proxy does serve: the Terraform Auth0
// provider's Go code, run inside pulumi-terraform-bridge, with the resource tokens and config
// keys of @pulumi/auth0. The npm SDK @pulumi/auth0 talks to it unchanged.
package main

import (
	_ "embed"

	"github.com/auth0/terraform-provider-auth0/shim"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"
)

// Version is stamped by the build (-X main.Version=...) to the @pulumi/auth0 SDK version it
// stands in for, so the engine's plugin lookup by version matches.
var Version = "3.49.0"

// The Pulumi schema of the two resources (copied from pulumi-auth0's schema.json): the bridge
// type-checks inputs against it in Check, as the official provider does.
//
//go:embed schema.json
var pulumiSchema []byte

func main() {
	info := tfbridge.ProviderInfo{
		P:       shimv2.NewProvider(shim.NewProvider()),
		Name:    "auth0",
		Version: Version,
		// Same tokens as @pulumi/auth0 (provider/resources.go in pulumi/pulumi-auth0).
		Resources: map[string]*tfbridge.ResourceInfo{
			"auth0_user_permissions": {Tok: "auth0:index/userPermissions:UserPermissions"},
			"auth0_role_permissions": {Tok: "auth0:index/rolePermissions:RolePermissions"},
		},
	}
	tfbridge.Main("auth0", Version, info, pulumiSchema)
}
