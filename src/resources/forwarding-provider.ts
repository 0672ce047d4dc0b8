import type * as pulumi from "@pulumi/pulumi";
import type { ResourceKind } from "../provider";

/**
 * The provider object Pulumi serializes into each resource's state (`__provider`).
 *
 * It is deliberately tiny: every method requires the provider runtime from the installed package
 * at run time and forwards to it. So the state holds no copy of the client, no credentials, and
 * no bugs: a destroy of a resource created by an old version runs the code installed now.
 * The require is written inside each method so the closure serializer keeps it as a call.
 */
export function forwardingProvider(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  return {
    configure: (req) => require("pulumi-auth0-permissions/provider").configure(req),
    check: (olds, news) => require("pulumi-auth0-permissions/provider").handlers(kind).check(olds, news),
    diff: (id, olds, news) => require("pulumi-auth0-permissions/provider").handlers(kind).diff(id, olds, news),
    create: (inputs) => require("pulumi-auth0-permissions/provider").handlers(kind).create(inputs),
    read: (id, props) => require("pulumi-auth0-permissions/provider").handlers(kind).read(id, props),
    update: (id, olds, news) => require("pulumi-auth0-permissions/provider").handlers(kind).update(id, olds, news),
    delete: (id, props) => require("pulumi-auth0-permissions/provider").handlers(kind).delete(id, props),
  };
}
