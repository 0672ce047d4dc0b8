import type * as pulumi from "@pulumi/pulumi";
import type { ResourceKind } from "../provider";

/**
 * The provider object Pulumi serializes into each resource's state (`__provider`).
 *
 * It is deliberately tiny: every method requires the provider runtime from the installed package
 * at run time and forwards to it. So the state holds no copy of the client, no credentials, and
 * no bugs: a destroy of a resource created by an old version runs the code installed now.
 * The require is written inside each method so the closure serializer keeps it as a call.
 *
 * Each kind's provider is also the whole `module.exports` of a module the package exports
 * (`forwarders/`, exported as `pulumi-auth0-permissions/provider/user-permissions` and
 * `.../provider/role-permission-removal`). Pulumi's closure serializer writes a module that lives
 * in node_modules as a `require` of its export name, so in a user's project `__provider` is one
 * short require (~0.3 KB instead of ~2.4 KB of function text). The engine rewrites the whole state
 * at every step, inputs and outputs each holding `__provider`, so this keeps a 500-resource
 * `pulumi up` from spending most of its time writing checkpoints. When the package is not under
 * node_modules (a linked checkout), the serializer falls back to this object's text, which works
 * the same. Both export names, `./provider`'s `configure`/`handlers(kind)` contract, and the text
 * form are in states already written: every later version must keep them.
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
