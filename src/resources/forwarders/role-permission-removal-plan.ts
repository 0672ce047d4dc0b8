// The RolePermissionRemovalPlan provider, as a module of its own, exported as
// `pulumi-auth0-permissions/provider/role-permission-removal-plan`. See forwarding-provider.ts for why.
import { forwardingProvider } from "../forwarding-provider";

export = forwardingProvider("RolePermissionRemovalPlan");
