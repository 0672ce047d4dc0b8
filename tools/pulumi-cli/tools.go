//go:build tools

// Package tools pins the Pulumi CLI main package so that `go mod tidy` keeps its
// dependency graph in go.mod/go.sum. The build tag keeps it out of every build.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
